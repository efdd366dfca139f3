package io.ringstore.antientropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Exchange durations land in the bucket of their upper bound; totals and sums follow. */
class AntiEntropyStatusTest {
  private static AntiEntropyStatus.Exchange exchange(int partition) {
    return new AntiEntropyStatus.Exchange(partition, "127.0.0.1:2", 1_000, true, 0, 0, null);
  }

  @Test
  void durationsAreCountedInTheirBucketsWithTheirSum() {
    AntiEntropyStatus status = new AntiEntropyStatus();
    double[] bounds = AntiEntropyStatus.durationBoundsSeconds();
    assertArrayEquals(new long[bounds.length + 1], status.durations().buckets(), "none yet");

    status.record(exchange(1), 3_000_000L); // 3 ms: the first bucket (<= 5 ms)
    status.record(exchange(2), 5_000_000L); // exactly 5 ms: still the first
    status.record(exchange(3), 700_000_000L); // 0.7 s: <= 1 s
    status.record(exchange(4), 500_000_000_000L); // 500 s: past the last bound, +Inf

    long[] expected = new long[bounds.length + 1];
    expected[0] = 2;
    expected[indexOf(bounds, 1)] = 1;
    expected[bounds.length] = 1;
    AntiEntropyStatus.Durations durations = status.durations();
    assertArrayEquals(expected, durations.buckets(), "per-bucket counts");
    assertEquals(500.708, durations.sumSeconds(), 1e-9, "the sum of the durations");
    assertEquals(4, status.totalExchanges(), "each is an exchange");
  }

  private static int indexOf(double[] bounds, double bound) {
    for (int i = 0; i < bounds.length; i++) {
      if (bounds[i] == bound) {
        return i;
      }
    }
    throw new AssertionError("no bound " + bound);
  }
}
