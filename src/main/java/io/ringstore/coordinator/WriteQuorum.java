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

  public WriteQuorum(int required, int replicas) {
    if (required < 1) {
      throw new IllegalArgumentException("required must be >= 1");
    }
    this.required = required;
    this.replicas = replicas;
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
    return ackedNodes.size() >= required;
  }

  /** Even if every replica that has not answered acks, fewer than {@code required} would have. */
  public boolean impossible() {
    return ackedNodes.size() + (replicas - answered.size()) < required;
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
