package io.ringstore.antientropy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What anti-entropy did on this node, per partition, for {@code GET /admin/anti-entropy}: the last
 * exchange (when, with whom, its outcome) and the totals of segments and keys repaired; and, for
 * {@code /metrics}, how long exchanges took (a histogram in fixed buckets, counted without locks).
 */
public final class AntiEntropyStatus {
  /** Upper bounds of the exchange-duration buckets in seconds, without the final +Inf. */
  private static final double[] DURATION_BOUNDS_SECONDS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
  };

  /** The outcome of one exchange session. */
  public record Exchange(
      int partition,
      String peer,
      long finishedAtMillis,
      boolean treesEqual,
      int segmentsDiffering,
      int keysRepaired,
      String error) {}

  /** Per-partition totals and the last exchange. */
  public record PartitionStatus(
      int partition,
      Exchange lastExchange,
      long exchanges,
      long segmentsRepaired,
      long keysRepaired) {}

  private final Map<Integer, PartitionStatus> partitions = new ConcurrentHashMap<>();
  private final AtomicLong totalKeysRepaired = new AtomicLong();
  private final AtomicLong totalExchanges = new AtomicLong();
  private final LongAdder[] durationBuckets = new LongAdder[DURATION_BOUNDS_SECONDS.length + 1];
  private final LongAdder durationSumNanos = new LongAdder();

  /**
   * Exchange durations: the count of exchanges per bucket of {@link #durationBoundsSeconds()} (not
   * cumulative; the last bucket is +Inf) and the sum of their durations in seconds.
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in, read for exposition, never compared
  public record Durations(long[] buckets, double sumSeconds) {
    public Durations {
      buckets = buckets.clone();
    }

    @Override
    public long[] buckets() {
      return buckets.clone();
    }
  }

  public AntiEntropyStatus() {
    for (int b = 0; b < durationBuckets.length; b++) {
      durationBuckets[b] = new LongAdder();
    }
  }

  /** An exchange that ended, and how long it ran (from its session's start to its end). */
  public void record(Exchange exchange, long durationNanos) {
    double seconds = durationNanos / 1e9;
    int bucket = 0;
    while (bucket < DURATION_BOUNDS_SECONDS.length && seconds > DURATION_BOUNDS_SECONDS[bucket]) {
      bucket++;
    }
    durationBuckets[bucket].increment();
    durationSumNanos.add(Math.max(0, durationNanos));
    record(exchange);
  }

  public static double[] durationBoundsSeconds() {
    return DURATION_BOUNDS_SECONDS.clone();
  }

  public Durations durations() {
    long[] counts = new long[durationBuckets.length];
    for (int b = 0; b < counts.length; b++) {
      counts[b] = durationBuckets[b].sum();
    }
    return new Durations(counts, durationSumNanos.sum() / 1e9);
  }

  public void record(Exchange exchange) {
    totalExchanges.incrementAndGet();
    totalKeysRepaired.addAndGet(exchange.keysRepaired());
    partitions.merge(
        exchange.partition(),
        new PartitionStatus(
            exchange.partition(),
            exchange,
            1,
            exchange.segmentsDiffering(),
            exchange.keysRepaired()),
        (old, now) ->
            new PartitionStatus(
                old.partition(),
                exchange,
                old.exchanges() + 1,
                old.segmentsRepaired() + exchange.segmentsDiffering(),
                old.keysRepaired() + exchange.keysRepaired()));
  }

  public Map<Integer, PartitionStatus> partitions() {
    return Map.copyOf(partitions);
  }

  public long totalKeysRepaired() {
    return totalKeysRepaired.get();
  }

  public long totalExchanges() {
    return totalExchanges.get();
  }
}
