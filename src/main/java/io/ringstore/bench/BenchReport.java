package io.ringstore.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What a benchmark measured, one {@link Phase} per workload run: per operation the successful
 * count, throughput, latency percentiles (from the intended send time, in ms) and the errors by
 * kind. Printed as text ({@link #toText()}) or JSON ({@link #toJson()}).
 *
 * @param settings the run's settings, as a one-line summary
 * @param phases the phases in the order they ran
 */
public record BenchReport(String settings, List<Phase> phases) {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public BenchReport {
    phases = List.copyOf(phases);
  }

  /**
   * One workload's measured part.
   *
   * @param workload {@code load}, {@code A}, {@code B} or {@code C}
   * @param seconds the measured time (after the warmup)
   * @param targetOpsPerSecond the offered rate, or 0 when unthrottled
   * @param operations successful operations over all kinds
   * @param throughput successful operations per second
   * @param errors failed operations over all kinds
   * @param readsWithSiblings successful reads answered {@code 300} (siblings)
   * @param byOperation the operations that ran, in {@link Operation} order
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Phase(
      String workload,
      double seconds,
      long targetOpsPerSecond,
      long operations,
      double throughput,
      long errors,
      long readsWithSiblings,
      List<OperationReport> byOperation) {
    public Phase {
      byOperation = List.copyOf(byOperation);
    }

    static Phase of(
        String workload,
        double seconds,
        long target,
        long readsWithSiblings,
        List<OperationReport> byOperation) {
      long ops = byOperation.stream().mapToLong(OperationReport::count).sum();
      long errors = byOperation.stream().mapToLong(OperationReport::errorCount).sum();
      return new Phase(
          workload,
          seconds,
          target,
          ops,
          perSecond(ops, seconds),
          errors,
          readsWithSiblings,
          byOperation);
    }
  }

  /**
   * One operation's figures; latencies in milliseconds.
   *
   * @param errors failed operations by kind: {@code http-<status>} or the exception's class name
   */
  public record OperationReport(
      Operation operation,
      long count,
      double throughput,
      double p50Ms,
      double p95Ms,
      double p99Ms,
      double p999Ms,
      double maxMs,
      long errorCount,
      Map<String, Long> errors) {
    public OperationReport {
      errors = Collections.unmodifiableMap(new TreeMap<>(errors));
    }

    /**
     * The figures of {@code micros}, a histogram of latencies in microseconds, over {@code
     * seconds}.
     */
    static OperationReport of(
        Operation operation, Histogram micros, Map<String, Long> errors, double seconds) {
      long count = micros.getTotalCount();
      long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
      return new OperationReport(
          operation,
          count,
          perSecond(count, seconds),
          ms(micros, 50),
          ms(micros, 95),
          ms(micros, 99),
          ms(micros, 99.9),
          count == 0 ? 0 : micros.getMaxValue() / 1000.0,
          errorCount,
          errors);
    }

    private static double ms(Histogram micros, double percentile) {
      return micros.getTotalCount() == 0 ? 0 : micros.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  static double perSecond(long count, double seconds) {
    return seconds <= 0 ? 0 : count / seconds;
  }

  /** True when every phase had at least one successful operation. */
  public boolean anySucceededInEveryPhase() {
    return phases.stream().allMatch(p -> p.operations() > 0);
  }

  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append("ringstore bench: ").append(settings).append('\n');
    for (Phase phase : phases) {
      out.append(
          String.format(
              Locale.ROOT,
              "%nworkload %s: %d ops in %.1f s = %.0f ops/s%s, %d errors%s%n",
              phase.workload(),
              phase.operations(),
              phase.seconds(),
              phase.throughput(),
              phase.targetOpsPerSecond() > 0
                  ? " (target " + phase.targetOpsPerSecond() + " ops/s)"
                  : "",
              phase.errors(),
              phase.readsWithSiblings() > 0
                  ? ", " + phase.readsWithSiblings() + " reads with siblings"
                  : ""));
      out.append(
          String.format(
              Locale.ROOT,
              "  %-7s %10s %10s %9s %9s %9s %9s %9s %8s%n",
              "OP",
              "COUNT",
              "OPS/S",
              "P50 ms",
              "P95 ms",
              "P99 ms",
              "P99.9 ms",
              "MAX ms",
              "ERRORS"));
      for (OperationReport op : phase.byOperation()) {
        out.append(
            String.format(
                Locale.ROOT,
                "  %-7s %10d %10.0f %9.3f %9.3f %9.3f %9.3f %9.3f %8d%n",
                op.operation(),
                op.count(),
                op.throughput(),
                op.p50Ms(),
                op.p95Ms(),
                op.p99Ms(),
                op.p999Ms(),
                op.maxMs(),
                op.errorCount()));
        op.errors()
            .forEach(
                (kind, n) ->
                    out.append(String.format(Locale.ROOT, "          error %s: %d%n", kind, n)));
      }
    }
    return out.toString();
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
