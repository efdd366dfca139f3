package io.ringstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RatePacerTest {

  @ParameterizedTest(name = "{0} ops/s: slot {1} is due {2} ns after the start")
  @CsvSource({
    "1000,    0,       0",
    "1000,    1,       1000000",
    "1000,    999,     999000000",
    "1000,    1000,    1000000000",
    "3,       1,       333333333",
    "3,       3,       1000000000",
    "3,       3000000, 1000000000000000",
    "7,       7000000001, 1000000000142857142"
  })
  void slotsAreDueAtOneOverTheRateWithoutDrift(long rate, long slot, long offset) {
    long start = 123_456_789L;
    assertEquals(
        start + offset,
        new RatePacer(start, rate).intendedNanos(slot),
        "slot " + slot + " at " + rate + " ops/s");
  }

  @Test
  void intendedTimesAdvanceByTheIntervalHoweverLongRequestsTake() {
    long start = System.nanoTime();
    RatePacer pacer = new RatePacer(start, 1000);
    long first = pacer.nextIntendedNanos();
    long busyUntil = System.nanoTime() + 5_000_000; // a 5 ms "request" does not move the schedule
    while (System.nanoTime() - busyUntil < 0) {
      Thread.onSpinWait();
    }
    long second = pacer.nextIntendedNanos();
    long third = pacer.nextIntendedNanos();
    assertEquals(start, first, "the first slot is the start");
    assertEquals(1_000_000, second - first, "the next slot is 1 ms later");
    assertEquals(1_000_000, third - second, "and the one after that");
  }

  @Test
  void slotsAreSharedBetweenWorkers() throws InterruptedException {
    RatePacer pacer = new RatePacer(0, 1_000_000);
    Thread[] workers = new Thread[4];
    long[] last = new long[4];
    for (int w = 0; w < workers.length; w++) {
      int id = w;
      workers[w] =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  last[id] = Math.max(last[id], pacer.nextIntendedNanos());
                }
              });
      workers[w].start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    assertEquals(
        40_000_000L, pacer.nextIntendedNanos(), "40,000 slots taken, none twice or skipped");
  }

  @Test
  void aRateBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RatePacer(0, 0));
  }
}
