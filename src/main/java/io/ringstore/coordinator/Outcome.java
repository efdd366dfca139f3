package io.ringstore.coordinator;

import java.util.List;

/** Outcomes shared by reads and writes. */
public final class Outcome {
  private Outcome() {}

  /**
   * Fewer than the required replicas answered in time: {@code acks} of {@code required}, out of
   * {@code replicas} replicas the key currently has; {@code nodes} are those that did answer. A
   * write may still have been stored on those nodes.
   */
  public record Unavailable(int acks, int required, int replicas, List<String> nodes, String reason)
      implements ReadResult, WriteResult {
    public Unavailable {
      nodes = List.copyOf(nodes);
    }
  }

  /**
   * The request was refused and changed nothing: invalid input (from the actor protocol; the facade
   * throws), or a write the key's coordinating replica refused ({@code kind} says which).
   */
  public record Rejected(String reason, Kind kind) implements ReadResult, WriteResult {
    /** Invalid input (HTTP 400). */
    public Rejected(String reason) {
      this(reason, Kind.BAD_REQUEST);
    }

    public Rejected {
      kind = kind == null ? Kind.BAD_REQUEST : kind;
    }
  }

  /** Why a request was rejected. */
  public enum Kind {
    /** Invalid input, including a causal context that names versions no replica holds (400). */
    BAD_REQUEST,
    /**
     * A write that would leave the key with more siblings than allowed (409): resolve them first.
     */
    TOO_MANY_SIBLINGS,
    /**
     * A write that would leave the key's object (all siblings together, encoded) larger than {@code
     * ringstore.requests.max-object-size} (413): resolve the siblings first, or write less.
     */
    OBJECT_TOO_LARGE
  }
}
