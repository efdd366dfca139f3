package io.ringstore.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The replica's apply budget, counted on its own monotonic clock from when the request arrived. */
class ApplyDeadlineTest {

  private record Case(
      String name, long applyWithinMillis, long receivedNanos, long nowNanos, boolean passed) {}

  private static final long MS = 1_000_000L;

  @Test
  void theBudgetIsCountedFromReceiptOnTheReceiversClock() {
    long epochOfThisJvm = 123_456_789L;
    Case[] cases = {
      new Case("no budget: never passes", 0, 0, Long.MAX_VALUE, false),
      new Case("negative budget: none", -5, 0, Long.MAX_VALUE, false),
      new Case("at receipt", 250, epochOfThisJvm, epochOfThisJvm, false),
      new Case(
          "1 ns before the budget ends", 250, epochOfThisJvm, epochOfThisJvm + 250 * MS - 1, false),
      new Case("exactly at the budget", 250, epochOfThisJvm, epochOfThisJvm + 250 * MS, true),
      new Case("past the budget", 250, epochOfThisJvm, epochOfThisJvm + 2_000 * MS, true),
      new Case("nano counter negative (an arbitrary origin)", 250, -10 * MS, 200 * MS, false),
      new Case(
          "nano counter wraps within the budget",
          250,
          Long.MAX_VALUE - 10 * MS,
          Long.MIN_VALUE + 100 * MS,
          false),
      new Case(
          "nano counter wraps past the budget",
          250,
          Long.MAX_VALUE - 10 * MS,
          Long.MIN_VALUE + 300 * MS,
          true),
    };
    for (Case c : cases) {
      assertEquals(
          c.passed(),
          ApplyDeadline.of(c.applyWithinMillis(), c.receivedNanos()).passed(c.nowNanos()),
          c.name());
    }
  }

  @Test
  void noBudgetIsTheNoneDeadline() {
    assertEquals(ApplyDeadline.NONE, ApplyDeadline.of(0, 42), "0: none");
    assertEquals(new ApplyDeadline(42, 250 * MS), ApplyDeadline.of(250, 42), "250 ms from 42 ns");
  }
}
