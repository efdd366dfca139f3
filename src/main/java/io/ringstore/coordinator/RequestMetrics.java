package io.ringstore.coordinator;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a node's requests did, for {@code GET /metrics}: how many of each operation ended in each
 * outcome, their latency as a histogram, and the read repairs and hinted writes they caused. One
 * per {@code RingstoreClient} (a data node's HTTP gateway and Java API share it). Recording is
 * lock-free ({@link LongAdder}s) and allocates nothing, so it stays off the request path's cost.
 */
public final class RequestMetrics {
  /** The operations a client can request. */
  public enum Operation {
    GET,
    PUT,
    DELETE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How a request ended, as the HTTP gateway maps it to a status. */
  public enum RequestOutcome {
    /** 200 or 204. */
    OK,
    /** 404. */
    NOT_FOUND,
    /** 300: the read found concurrent siblings. */
    SIBLINGS,
    /** 503: fewer than R or W replicas answered in time. */
    UNAVAILABLE,
    /** 4xx: invalid input, nothing was sent. */
    REJECTED,
    /** 500: an unexpected failure. */
    ERROR;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Whether {@code op} can end this way (only reads find nothing or siblings). */
    public boolean appliesTo(Operation op) {
      return op == Operation.GET || (this != NOT_FOUND && this != SIBLINGS);
    }
  }

  /** Upper bounds of the latency buckets, in seconds (Prometheus's {@code le}); +Inf follows. */
  private static final double[] BOUNDS_SECONDS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];

  static {
    for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
      BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
    }
  }

  private final LongAdder[][] outcomes =
      new LongAdder[Operation.values().length][RequestOutcome.values().length];

  /** Per operation, the count of each bucket alone (not cumulative); the last one is +Inf. */
  private final LongAdder[][] buckets =
      new LongAdder[Operation.values().length][BOUNDS_NANOS.length + 1];

  private final LongAdder[] sumNanos = new LongAdder[Operation.values().length];
  private final LongAdder replicasReadRepaired = new LongAdder();
  private final LongAdder writesWithHints = new LongAdder();
  private final LongAdder sloppyWrites = new LongAdder();

  /** Writes and deletes refused (nothing stored), by {@link Outcome.Kind}. */
  private final LongAdder[] writesRefused = new LongAdder[Outcome.Kind.values().length];

  public RequestMetrics() {
    for (int op = 0; op < outcomes.length; op++) {
      for (int o = 0; o < outcomes[op].length; o++) {
        outcomes[op][o] = new LongAdder();
      }
      for (int b = 0; b < buckets[op].length; b++) {
        buckets[op][b] = new LongAdder();
      }
      sumNanos[op] = new LongAdder();
    }
    for (int k = 0; k < writesRefused.length; k++) {
      writesRefused[k] = new LongAdder();
    }
  }

  /** Records one finished request: its outcome and how long it took from arrival to answer. */
  @SuppressWarnings("EnumOrdinal") // indexes of in-memory counters, never stored or sent
  public void record(Operation op, RequestOutcome outcome, long elapsedNanos) {
    long nanos = Math.max(0, elapsedNanos);
    outcomes[op.ordinal()][outcome.ordinal()].increment();
    buckets[op.ordinal()][bucketOf(nanos)].increment();
    sumNanos[op.ordinal()].add(nanos);
  }

  /** Records a read, its outcome taken from the result. */
  public void recordRead(ReadResult result, long elapsedNanos) {
    record(Operation.GET, outcomeOf(result), elapsedNanos);
  }

  /** Records a write or delete, its outcome taken from the result, and whether it left hints. */
  @SuppressWarnings("EnumOrdinal") // indexes of in-memory counters, never stored or sent
  public void recordWrite(Operation op, WriteResult result, long elapsedNanos) {
    record(op, outcomeOf(result), elapsedNanos);
    if (result instanceof Outcome.Rejected rejected) {
      writesRefused[rejected.kind().ordinal()].increment();
    }
    if (result instanceof WriteResult.Written written && !written.hints().isEmpty()) {
      writesWithHints.increment();
      if (written.sloppy()) {
        sloppyWrites.increment();
      }
    }
  }

  /** Records a request that failed instead of producing a result (a missed ask, a bug). */
  public void recordFailure(Operation op, Throwable failure, long elapsedNanos) {
    record(
        op, isTimeout(failure) ? RequestOutcome.UNAVAILABLE : RequestOutcome.ERROR, elapsedNanos);
  }

  /** A read coordinator sent the merged object to {@code replicas} replicas that were behind. */
  public void readRepairSent(int replicas) {
    replicasReadRepaired.add(replicas);
  }

  public static RequestOutcome outcomeOf(ReadResult result) {
    if (result instanceof ReadResult.Found found) {
      return found.hasSiblings() ? RequestOutcome.SIBLINGS : RequestOutcome.OK;
    }
    if (result instanceof ReadResult.NotFound) {
      return RequestOutcome.NOT_FOUND;
    }
    return sharedOutcome(result);
  }

  public static RequestOutcome outcomeOf(WriteResult result) {
    return result instanceof WriteResult.Written ? RequestOutcome.OK : sharedOutcome(result);
  }

  private static RequestOutcome sharedOutcome(Object result) {
    if (result instanceof Outcome.Unavailable) {
      return RequestOutcome.UNAVAILABLE;
    }
    if (result instanceof Outcome.Rejected) {
      return RequestOutcome.REJECTED;
    }
    throw new IllegalStateException("unknown result type " + result);
  }

  private static boolean isTimeout(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      // Pekko's AskTimeoutException extends TimeoutException
      if (t instanceof TimeoutException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static int bucketOf(long nanos) {
    for (int i = 0; i < BOUNDS_NANOS.length; i++) {
      if (nanos <= BOUNDS_NANOS[i]) {
        return i;
      }
    }
    return BOUNDS_NANOS.length;
  }

  /**
   * The current values; each counter is read once, so a snapshot taken under load is approximate.
   */
  @SuppressWarnings("EnumOrdinal") // indexes of in-memory counters, never stored or sent
  public Snapshot snapshot() {
    Map<Operation, OperationSnapshot> ops = new EnumMap<>(Operation.class);
    for (Operation op : Operation.values()) {
      Map<RequestOutcome, Long> byOutcome = new EnumMap<>(RequestOutcome.class);
      for (RequestOutcome outcome : RequestOutcome.values()) {
        byOutcome.put(outcome, outcomes[op.ordinal()][outcome.ordinal()].sum());
      }
      long[] cumulative = new long[BOUNDS_NANOS.length + 1];
      long running = 0;
      for (int b = 0; b < cumulative.length; b++) {
        running += buckets[op.ordinal()][b].sum();
        cumulative[b] = running;
      }
      ops.put(op, new OperationSnapshot(byOutcome, cumulative, sumNanos[op.ordinal()].sum() / 1e9));
    }
    Map<Outcome.Kind, Long> refused = new EnumMap<>(Outcome.Kind.class);
    for (Outcome.Kind kind : Outcome.Kind.values()) {
      refused.put(kind, writesRefused[kind.ordinal()].sum());
    }
    return new Snapshot(
        ops, replicasReadRepaired.sum(), writesWithHints.sum(), sloppyWrites.sum(), refused);
  }

  /** Upper bounds of the latency buckets in seconds, without the final +Inf. */
  public static double[] bucketBoundsSeconds() {
    return BOUNDS_SECONDS.clone();
  }

  /**
   * One operation's counts: by outcome; the cumulative count of requests at or under each bound of
   * {@link #bucketBoundsSeconds()} and, last, of all of them (the histogram's count); and the sum
   * of their latencies.
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in, read for exposition, never compared
  public record OperationSnapshot(
      Map<RequestOutcome, Long> outcomes, long[] cumulativeBuckets, double sumSeconds) {
    public OperationSnapshot {
      outcomes = Map.copyOf(outcomes);
      cumulativeBuckets = cumulativeBuckets.clone();
    }

    public long count() {
      return cumulativeBuckets[cumulativeBuckets.length - 1];
    }

    @Override
    public long[] cumulativeBuckets() {
      return cumulativeBuckets.clone();
    }
  }

  /**
   * All operations plus the node's read-repair and hinted-write counts, and its refused writes by
   * why they were refused.
   */
  public record Snapshot(
      Map<Operation, OperationSnapshot> operations,
      long replicasReadRepaired,
      long writesWithHints,
      long sloppyWrites,
      Map<Outcome.Kind, Long> writesRefused) {
    public Snapshot {
      operations = Map.copyOf(operations);
      writesRefused = Map.copyOf(writesRefused);
    }
  }
}
