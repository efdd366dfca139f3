package io.ringstore.coordinator;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Counts a write's acks over distinct nodes (two replicas on one node share its storage and count
 * once): met at {@code required}, impossible once too few replicas are left to answer. Pure.
 */
public final class WriteQuorum {
  private final int required;
  private final int replicas;
  private final Set<String> ackedNodes = new LinkedHashSet<>();
  private final Set<String> answered = new LinkedHashSet<>();
  private final Set<String> hintNodes = new LinkedHashSet<>();
  private final boolean sloppy;

  public WriteQuorum(int required, int replicas) {
    this(required, replicas, false);
  }

  /** A sloppy quorum also counts hints persisted on distinct fallback members toward W. */
  public WriteQuorum(int required, int replicas, boolean sloppy) {
    if (required < 1) {
      throw new IllegalArgumentException("required must be >= 1");
    }
    this.required = required;
    this.replicas = replicas;
    this.sloppy = sloppy;
  }

  /** An independent copy of this quorum's counts. */
  public WriteQuorum copy() {
    WriteQuorum copy = new WriteQuorum(required, replicas, sloppy);
    copy.ackedNodes.addAll(ackedNodes);
    copy.answered.addAll(answered);
    copy.hintNodes.addAll(hintNodes);
    return copy;
  }

  /** A fallback member persisted a hint for a replica that did not ack. */
  public void hinted(String fallbackNode) {
    hintNodes.add(fallbackNode);
  }

  /** Acks that count toward W: real replica nodes, plus fallback nodes when sloppy. */
  public int counted() {
    if (!sloppy) {
      return ackedNodes.size();
    }
    Set<String> all = new LinkedHashSet<>(ackedNodes);
    all.addAll(hintNodes);
    return all.size();
  }

  /** A replica stored the write. */
  public void ack(String replica, String node) {
    answered.add(replica);
    ackedNodes.add(node);
  }

  /** A replica answered that it could not store the write. */
  public void fail(String replica) {
    answered.add(replica);
  }

  public boolean met() {
    return counted() >= required;
  }

  /**
   * Even if every replica that has not answered acks, fewer than {@code required} would have. Never
   * true for a sloppy quorum: a fallback may still take a hint for a replica that failed.
   */
  public boolean impossible() {
    return !sloppy && ackedNodes.size() + (replicas - answered.size()) < required;
  }

  public boolean allAnswered() {
    return answered.size() >= replicas;
  }

  public int acks() {
    return ackedNodes.size();
  }

  public int required() {
    return required;
  }

  public int replicas() {
    return replicas;
  }

  public List<String> ackedNodes() {
    return new ArrayList<>(ackedNodes);
  }
}
