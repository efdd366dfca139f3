package io.ringstore.coordinator;

import java.util.Locale;

/**
 * A requested R or W: a number, {@code one}, {@code quorum} (a majority of N) or {@code all}, or
 * the configured default. Resolved against N; a number outside 1..N is rejected.
 */
public record Quorum(Kind kind, int count) {
  public enum Kind {
    DEFAULT,
    ONE,
    QUORUM,
    ALL,
    COUNT
  }

  public static final Quorum DEFAULT = new Quorum(Kind.DEFAULT, 0);
  public static final Quorum ONE = new Quorum(Kind.ONE, 1);
  public static final Quorum MAJORITY = new Quorum(Kind.QUORUM, 0);
  public static final Quorum ALL = new Quorum(Kind.ALL, 0);

  public Quorum {
    if (kind == Kind.COUNT && count < 1) {
      throw new IllegalArgumentException("a quorum count must be at least 1, was " + count);
    }
  }

  public static Quorum of(int count) {
    return new Quorum(Kind.COUNT, count);
  }

  /** Parses {@code 1..N}, {@code one}, {@code quorum} or {@code all} (case-insensitive). */
  public static Quorum parse(String text) {
    String t = text.toLowerCase(Locale.ROOT); // no trim: trim() also drops control characters
    return switch (t) {
      case "one" -> ONE;
      case "quorum" -> MAJORITY;
      case "all" -> ALL;
      default -> {
        if (!t.isEmpty() && t.length() <= 3 && t.chars().allMatch(c -> c >= '0' && c <= '9')) {
          int n = Integer.parseInt(t);
          if (n >= 1) {
            yield of(n);
          }
        }
        throw new IllegalArgumentException(
            "expected a number 1..N, 'one', 'quorum' or 'all', got '" + text + "'");
      }
    };
  }

  /** The number of replicas this quorum needs when a key has {@code n} replicas. */
  public int resolve(int n, int configuredDefault) {
    int value =
        switch (kind) {
          case DEFAULT -> configuredDefault;
          case ONE -> 1;
          case QUORUM -> n / 2 + 1;
          case ALL -> n;
          case COUNT -> count;
        };
    if (value > n) {
      throw new IllegalArgumentException(
          "asks for " + value + " replicas but the replication factor N is " + n);
    }
    return value;
  }

  @Override
  public String toString() {
    return kind == Kind.COUNT ? Integer.toString(count) : kind.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Why a request cannot be served when its key has only {@code replicas} replicas now: none at all
   * means this node sees no Up data member (it has not joined its cluster yet, or was removed).
   */
  static String fewReplicasReason(int replicas) {
    return replicas == 0
        ? "this node sees no data member Up (it has not joined the cluster yet)"
        : "the key has " + replicas + " replica(s) in the cluster now";
  }
}
