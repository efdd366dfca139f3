package io.ringstore.coordinator;

import java.util.List;

/**
 * Quantiles of a latency histogram as {@link RequestMetrics} keeps it (cumulative counts under each
 * bucket bound, the last one counting everything), estimated the way Prometheus's {@code
 * histogram_quantile} does: linear interpolation inside the bucket the rank falls in; a rank in the
 * last (unbounded) bucket is reported as the highest finite bound. Pure, for the console's stats.
 */
public final class LatencyQuantiles {
  private LatencyQuantiles() {}

  /**
   * The {@code q}-quantile (0..1) in seconds of the histogram with finite bucket bounds {@code
   * boundsSeconds} and cumulative counts {@code cumulative} (one more than the bounds: +Inf last),
   * or {@code null} when it counts nothing.
   */
  public static Double quantile(double q, double[] boundsSeconds, List<Long> cumulative) {
    if (q < 0 || q > 1) {
      throw new IllegalArgumentException("a quantile is between 0 and 1, not " + q);
    }
    if (cumulative.size() != boundsSeconds.length + 1) {
      throw new IllegalArgumentException(
          "expected "
              + (boundsSeconds.length + 1)
              + " cumulative counts, got "
              + cumulative.size());
    }
    long total = cumulative.get(cumulative.size() - 1);
    if (total <= 0) {
      return null;
    }
    double rank = q * total;
    for (int i = 0; i < boundsSeconds.length; i++) {
      long upTo = cumulative.get(i);
      if (upTo >= rank && upTo > 0) {
        long below = i == 0 ? 0 : cumulative.get(i - 1);
        double lower = i == 0 ? 0 : boundsSeconds[i - 1];
        long inBucket = upTo - below;
        if (inBucket <= 0) {
          return boundsSeconds[i];
        }
        return lower + (boundsSeconds[i] - lower) * ((rank - below) / inBucket);
      }
    }
    return boundsSeconds[boundsSeconds.length - 1];
  }
}
