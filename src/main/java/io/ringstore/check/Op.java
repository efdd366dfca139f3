package io.ringstore.check;

import java.util.Objects;

/**
 * One operation of a check's history, as a client observed it: which key, when it was invoked and
 * when its answer came (monotonic nanoseconds on the checker's clock), whether it succeeded, and
 * the sequence number it wrote (a write) or the highest one it saw (a read; 0 when it saw none).
 *
 * @param type what the operation was
 * @param key the key (each key has a single writer)
 * @param startNanos when the request was sent
 * @param endNanos when the answer (or the failure) came
 * @param ok a write: acknowledged (204); a read: answered 200, 300 or 404. Anything else is a
 *     failure, and a failed write is indeterminate: it may or may not have been applied
 * @param outcome a short label for the statistics, e.g. {@code "204"}, {@code "503"}, {@code
 *     "timeout"}
 * @param seq a write: the sequence number written; a read: the highest one seen (over siblings), 0
 *     for none
 * @param node the node ({@code host:port}) the request was sent to; null when not known
 */
public record Op(
    Type type,
    String key,
    long startNanos,
    long endNanos,
    boolean ok,
    String outcome,
    long seq,
    String node) {

  /** The kinds of operations: load-phase reads and writes, and the reads after convergence. */
  public enum Type {
    READ("read"),
    WRITE("write"),
    FINAL_READ("final-read");

    private final String label;

    Type(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public Op {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(outcome, "outcome");
    if (endNanos < startNanos) {
      throw new IllegalArgumentException(
          "an operation ends before it starts: " + startNanos + " > " + endNanos);
    }
    if (seq < 0) {
      throw new IllegalArgumentException("a sequence number is never negative: " + seq);
    }
    if (type == Type.WRITE && seq == 0) {
      throw new IllegalArgumentException("a write's sequence number starts at 1");
    }
  }

  public static Op write(
      String key, long seq, long startNanos, long endNanos, boolean acked, String outcome) {
    return new Op(Type.WRITE, key, startNanos, endNanos, acked, outcome, seq, null);
  }

  public static Op read(
      String key, long maxSeq, long startNanos, long endNanos, boolean ok, String outcome) {
    return new Op(Type.READ, key, startNanos, endNanos, ok, outcome, maxSeq, null);
  }

  public static Op finalRead(
      String key, long maxSeq, long startNanos, long endNanos, boolean ok, String outcome) {
    return new Op(Type.FINAL_READ, key, startNanos, endNanos, ok, outcome, maxSeq, null);
  }

  /** This operation, sent to {@code node} ({@code host:port}). */
  public Op to(String node) {
    return new Op(type, key, startNanos, endNanos, ok, outcome, seq, node);
  }

  /** Whether this operation's interval overlaps [from, to]. */
  boolean overlaps(long from, long to) {
    return startNanos <= to && endNanos >= from;
  }
}
