package io.ringstore.bench;

import java.util.Locale;

/**
 * What context an UPDATE sends. In ringstore a write without a causal context never replaces
 * anything: it becomes a sibling of what the key holds, so YCSB's literal blind update makes the
 * hot keys of a zipfian workload grow a sibling per update, without bound.
 */
public enum UpdateMode {
  /**
   * The default: one {@code PUT} with the causal context this run last received for the key (from a
   * read or a write of it), so it replaces what the run last saw and siblings stay as few as the
   * concurrent updates of the key. A key this run has not seen yet is read first (like {@link
   * #READ_MODIFY_WRITE}, once per key).
   */
  CONTEXT,
  /** One {@code PUT} with no context: every update adds a sibling (a stress test of siblings). */
  BLIND,
  /**
   * A {@code GET} for the context, then the {@code PUT} with it; the UPDATE latency covers both.
   */
  READ_MODIFY_WRITE;

  static UpdateMode parse(String value) {
    return switch (value) {
      case "context" -> CONTEXT;
      case "blind" -> BLIND;
      case "read-modify-write", "rmw" -> READ_MODIFY_WRITE;
      default ->
          throw new IllegalArgumentException(
              "--updates must be context, blind or read-modify-write, got '" + value + "'");
    };
  }

  String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
