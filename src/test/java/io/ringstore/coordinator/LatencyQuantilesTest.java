package io.ringstore.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LatencyQuantiles} on hand-made histograms and on what {@link RequestMetrics} records. */
class LatencyQuantilesTest {
  private static final double[] BOUNDS = {0.001, 0.01, 0.1};

  @Test
  void interpolatesInsideTheBucketTheRankFallsIn() {
    Object[][] table = {
      // q, cumulative counts (the last: all), expected seconds
      {0.5, List.of(0L, 10L, 10L, 10L), 0.0055},
      {0.99, List.of(0L, 10L, 10L, 10L), 0.00991},
      {0.5, List.of(10L, 10L, 10L, 10L), 0.0005},
      {0.5, List.of(5L, 5L, 10L, 10L), 0.001},
      {0.9, List.of(5L, 5L, 10L, 10L), 0.082},
      {0.99, List.of(0L, 0L, 0L, 4L), 0.1},
      {0.0, List.of(0L, 4L, 4L, 4L), 0.001},
    };
    for (Object[] row : table) {
      @SuppressWarnings("unchecked")
      List<Long> counts = (List<Long>) row[1];
      assertEquals(
          (double) row[2],
          LatencyQuantiles.quantile((double) row[0], BOUNDS, counts),
          1e-9,
          "q" + row[0] + " of " + counts);
    }
  }

  @Test
  void anEmptyHistogramHasNoQuantile() {
    assertNull(LatencyQuantiles.quantile(0.5, BOUNDS, List.of(0L, 0L, 0L, 0L)));
  }

  @Test
  void refusesAQuantileOutOfRangeOrCountsThatDoNotMatchTheBounds() {
    assertThrows(
        IllegalArgumentException.class,
        () -> LatencyQuantiles.quantile(1.5, BOUNDS, List.of(0L, 0L, 0L, 0L)));
    assertThrows(
        IllegalArgumentException.class,
        () -> LatencyQuantiles.quantile(0.5, BOUNDS, List.of(0L, 0L)));
  }

  @Test
  void readsTheRequestMetricsHistogram() {
    RequestMetrics metrics = new RequestMetrics();
    for (int i = 0; i < 99; i++) {
      metrics.record(RequestMetrics.Operation.GET, RequestMetrics.RequestOutcome.OK, 2_000_000L);
    }
    metrics.record(RequestMetrics.Operation.GET, RequestMetrics.RequestOutcome.OK, 3_000_000_000L);
    long[] cumulative =
        metrics.snapshot().operations().get(RequestMetrics.Operation.GET).cumulativeBuckets();
    List<Long> counts = Arrays.stream(cumulative).boxed().toList();
    double[] bounds = RequestMetrics.bucketBoundsSeconds();
    double p50 = LatencyQuantiles.quantile(0.5, bounds, counts);
    assertEquals(true, p50 > 0.001 && p50 <= 0.0025, "p50 in the 1..2.5 ms bucket: " + p50);
    double p999 = LatencyQuantiles.quantile(0.999, bounds, counts);
    assertEquals(true, p999 > 2.5 && p999 <= 5, "p99.9 in the 2.5..5 s bucket: " + p999);
  }
}
