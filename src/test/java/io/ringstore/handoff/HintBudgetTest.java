package io.ringstore.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The node's hint budget in bytes: reservations, releases, unconditional adds and refusals. */
class HintBudgetTest {

  private record Case(String name, long max, long[] held, long asked, boolean fits) {}

  @Test
  void aReservationFitsOnlyUnderTheBudget() {
    List<Case> cases =
        List.of(
            new Case("empty budget, small hint", 100, new long[] {}, 10, true),
            new Case("exactly the budget", 100, new long[] {}, 100, true),
            new Case("one byte over an empty budget", 100, new long[] {}, 101, false),
            new Case("fills the rest exactly", 100, new long[] {60, 30}, 10, true),
            new Case("one byte past the rest", 100, new long[] {60, 30}, 11, false),
            new Case("an empty hint always fits", 100, new long[] {100}, 0, true),
            new Case("a full budget refuses a byte", 100, new long[] {100}, 1, false));
    for (Case c : cases) {
      HintBudget budget = HintBudget.of(c.max());
      for (long h : c.held()) {
        assertTrue(budget.tryAcquire(h), c.name() + ": setup reservation of " + h);
      }
      long before = budget.usedBytes();
      assertEquals(c.fits(), budget.tryAcquire(c.asked()), c.name());
      assertEquals(
          before + (c.fits() ? c.asked() : 0),
          budget.usedBytes(),
          c.name() + ": a refused reservation reserves nothing");
    }
  }

  @Test
  void releasedBytesCanBeReservedAgain() {
    HintBudget budget = HintBudget.of(1000);
    assertTrue(budget.tryAcquire(1000));
    assertFalse(budget.tryAcquire(1), "full");
    budget.release(400);
    assertTrue(budget.tryAcquire(400), "what was released fits again");
    assertEquals(1000, budget.usedBytes());
  }

  @Test
  void recoveredHintsAreAddedEvenPastTheBudgetButNewOnesAreRefused() {
    HintBudget budget = HintBudget.of(100);
    budget.add(250);
    assertEquals(250, budget.usedBytes(), "hints recovered from the journal are kept");
    assertFalse(budget.tryAcquire(1), "no new hint while over the budget");
    budget.add(-200);
    assertTrue(budget.tryAcquire(50), "fits again once delivered ones were given back");
  }

  @Test
  void refusalsAreCounted() {
    HintBudget budget = HintBudget.of(10);
    budget.countRefusal();
    budget.countRefusal();
    assertEquals(2, budget.refusals());
  }

  @Test
  void concurrentReservationsNeverPassTheBudget() throws InterruptedException {
    HintBudget budget = HintBudget.of(10_000);
    AtomicInteger granted = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  if (budget.tryAcquire(7)) {
                    granted.incrementAndGet();
                  }
                }
              });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(10_000 / 7, granted.get(), "exactly as many 7-byte hints as fit");
    assertEquals(10_000 / 7 * 7, budget.usedBytes());
  }

  @Test
  void aBudgetIsPositiveAndReservationsAreNotNegative() {
    assertThrows(IllegalArgumentException.class, () -> HintBudget.of(0));
    assertThrows(IllegalArgumentException.class, () -> HintBudget.of(10).tryAcquire(-1));
  }

  @Test
  void aReservationLargerThanTheBudgetPassesOnlyAlone() {
    HintBudget budget = HintBudget.of(100);
    assertTrue(budget.tryAcquireOrAlone(60), "fits");
    assertFalse(budget.tryAcquireOrAlone(50), "does not fit beside the first");
    assertFalse(budget.tryAcquireOrAlone(500), "too large while anything is reserved");
    budget.release(60);
    assertTrue(budget.tryAcquireOrAlone(500), "too large, but alone: passes");
    assertEquals(500, budget.usedBytes());
    assertFalse(budget.tryAcquireOrAlone(1), "and nothing else meanwhile");
    budget.release(500);
    assertEquals(0, budget.usedBytes());
  }
}
