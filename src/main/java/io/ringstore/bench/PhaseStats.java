package io.ringstore.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The latencies and errors of one phase. Workers record concurrently (HdrHistogram {@link
 * Recorder}s, wait-free for writers); one reader thread calls {@link #tick()} every second, which
 * moves each interval into the phase's totals. Latencies are in microseconds. Nothing recorded
 * before {@link #startMeasuring()} (the warmup) counts.
 */
final class PhaseStats {
  private static final int SIGNIFICANT_DIGITS = 3;
  private final Map<Operation, Recorder> recorders = new EnumMap<>(Operation.class);
  private final Map<Operation, Histogram> totals = new EnumMap<>(Operation.class);
  private final Map<Operation, Map<String, LongAdder>> errors = new EnumMap<>(Operation.class);
  private final Histogram all = new Histogram(SIGNIFICANT_DIGITS);
  private final LongAdder errorCount = new LongAdder();
  private final LongAdder readsWithSiblings = new LongAdder();
  private volatile boolean measuring;

  PhaseStats(boolean measuringFromStart) {
    for (Operation op : Operation.values()) {
      recorders.put(op, new Recorder(SIGNIFICANT_DIGITS));
      totals.put(op, new Histogram(SIGNIFICANT_DIGITS));
      errors.put(op, new ConcurrentHashMap<>());
    }
    this.measuring = measuringFromStart;
  }

  /** A successful operation that took {@code latencyNanos} from its intended send time. */
  void success(Operation op, long latencyNanos) {
    recorders.get(op).recordValue(Math.max(1, latencyNanos / 1000));
  }

  void readWithSiblings() {
    if (measuring) {
      readsWithSiblings.increment();
    }
  }

  /** A failed operation; {@code kind} is {@code http-<status>} or an exception's class name. */
  void error(Operation op, String kind) {
    if (measuring) {
      errors.get(op).computeIfAbsent(kind, k -> new LongAdder()).increment();
      errorCount.increment();
    }
  }

  /** Ends the warmup: what was recorded so far is dropped. Reader thread only. */
  void startMeasuring() {
    recorders.values().forEach(Recorder::reset);
    measuring = true;
  }

  boolean measuring() {
    return measuring;
  }

  /** What a progress line shows. */
  record Interval(long successes, long errorsSoFar, double p99MsSoFar) {}

  /**
   * Moves the last interval into the totals (or drops it during the warmup). Reader thread only.
   */
  Interval tick() {
    long successes = 0;
    for (Operation op : Operation.values()) {
      Histogram interval = recorders.get(op).getIntervalHistogram();
      successes += interval.getTotalCount();
      if (measuring) {
        totals.get(op).add(interval);
        all.add(interval);
      }
    }
    return new Interval(
        successes,
        errorCount.sum(),
        all.getTotalCount() == 0 ? 0 : all.getValueAtPercentile(99) / 1000.0);
  }

  /** The measured figures of the operations that ran (or failed), after a final {@link #tick()}. */
  List<BenchReport.OperationReport> report(double seconds) {
    List<BenchReport.OperationReport> reports = new ArrayList<>();
    for (Operation op : Operation.values()) {
      Map<String, Long> errorsByKind = new TreeMap<>();
      errors.get(op).forEach((kind, n) -> errorsByKind.put(kind, n.sum()));
      if (totals.get(op).getTotalCount() > 0 || !errorsByKind.isEmpty()) {
        reports.add(BenchReport.OperationReport.of(op, totals.get(op), errorsByKind, seconds));
      }
    }
    return reports;
  }

  long readsWithSiblings() {
    return readsWithSiblings.sum();
  }
}
