package io.ringstore.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * What a stall watch answers from the stalls it recorded (the watch thread itself is not started).
 */
class StallWatchTest {
  static final long MS = 1_000_000L;

  @Test
  void answersByEndAndLength() {
    StallWatch watch = new StallWatch();
    assertFalse(watch.stalledSince(0, 0), "nothing recorded");
    watch.record(1_000 * MS, 300 * MS);
    assertTrue(watch.stalledSince(900 * MS, 100 * MS), "ended after the instant, long enough");
    assertFalse(watch.stalledSince(1_000 * MS, 100 * MS), "ended at the instant, not after it");
    assertFalse(watch.stalledSince(900 * MS, 301 * MS), "too short");
    for (int i = 0; i < 40; i++) {
      watch.record((2_000 + i) * MS, 60 * MS);
    }
    assertFalse(watch.stalledSince(900 * MS, 100 * MS), "only the last 32 stalls are kept");
  }

  @Test
  void comparesAcrossTheWrapOfTheNanoCounter() {
    StallWatch watch = new StallWatch();
    watch.record(Long.MIN_VALUE + 10 * MS, 200 * MS);
    assertTrue(
        watch.stalledSince(Long.MAX_VALUE - 10 * MS, 100 * MS),
        "ended 20 ms after, across the wrap");
  }
}
