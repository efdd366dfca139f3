package io.ringstore.coordinator;

import java.util.List;

/** Outcomes shared by reads and writes. */
public final class Outcome {
  private Outcome() {}

  /**
   * Fewer than the required replicas answered in time: {@code acks} of {@code required}, out of
   * {@code replicas} replicas the key currently has; {@code nodes} are those that did answer. A write
   * may still have been stored on those nodes.
   */
  public record Unavailable(int acks, int required, int replicas, List<String> nodes, String reason)
      implements ReadResult, WriteResult {
    public Unavailable {
      nodes = List.copyOf(nodes);
    }
  }

  /** The request was invalid and changed nothing (from the actor protocol; the facade throws). */
  public record Rejected(String reason) implements ReadResult, WriteResult {}
}
