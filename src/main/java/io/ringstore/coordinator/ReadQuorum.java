package io.ringstore.coordinator;

import io.ringstore.storage.Sibling;
import io.ringstore.version.DvvSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Collects a read's replies: counts distinct nodes toward R (never a replica that is still catching
 * up after a move), and keeps each replica's object (empty when the replica does not have the key)
 * for the merge and the read-repair plan. Pure.
 */
public final class ReadQuorum {
  private final int required;
  private final int replicas;
  private final Map<String, Optional<DvvSet<Sibling>>> objects = new LinkedHashMap<>();
  private final Set<String> repliedNodes = new LinkedHashSet<>();
  private final Set<String> answered = new LinkedHashSet<>();
  private final Set<String> behind = new LinkedHashSet<>();

  public ReadQuorum(int required, int replicas) {
    if (required < 1) {
      throw new IllegalArgumentException("required must be >= 1");
    }
    this.required = required;
    this.replicas = replicas;
  }

  public void reply(String replica, String node, Optional<DvvSet<Sibling>> object) {
    answered.add(replica);
    behind.remove(replica);
    if (repliedNodes.add(node)) {
      objects.put(replica, object);
    }
  }

  /**
   * A reply from a replica that is still catching up after a move (DESIGN invariant 2): its object
   * is merged and repaired like any other, but it does not count toward R.
   */
  public void replyBehind(String replica, String node, Optional<DvvSet<Sibling>> object) {
    answered.add(replica);
    behind.add(replica);
    if (!repliedNodes.contains(node)) {
      objects.putIfAbsent(replica, object);
    }
  }

  /**
   * The replicas whose last answer was behind, to be asked again: they no longer count as answered
   * (so R may become possible again once they caught up). Their objects stay in the merge.
   */
  public List<String> takeBehind() {
    List<String> again = new ArrayList<>(behind);
    answered.removeAll(behind);
    behind.clear();
    return again;
  }

  public int behindCount() {
    return behind.size();
  }

  public void fail(String replica) {
    answered.add(replica);
  }

  public boolean met() {
    return repliedNodes.size() >= required;
  }

  public boolean impossible() {
    return repliedNodes.size() + (replicas - answered.size()) < required;
  }

  public boolean allAnswered() {
    return answered.size() >= replicas;
  }

  public int replicasCount() {
    return replicas;
  }

  public int replies() {
    return repliedNodes.size();
  }

  public List<String> repliedNodes() {
    return new ArrayList<>(repliedNodes);
  }

  /** The DVV merge of every object received so far (empty if no replica has the key). */
  public DvvSet<Sibling> merged() {
    DvvSet<Sibling> merged = DvvSet.empty();
    for (Optional<DvvSet<Sibling>> object : objects.values()) {
      if (object.isPresent()) {
        merged = merged.sync(object.get());
      }
    }
    return merged;
  }

  /** Each replica's object as received, by replica id. */
  public Map<String, Optional<DvvSet<Sibling>>> objects() {
    return Map.copyOf(objects);
  }
}
