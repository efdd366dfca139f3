package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.http.ConnectionLimits.Refusal;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The pure connection counting of {@link ConnectionLimits}: caps, release, refusal counts, log
 * rate.
 */
class ConnectionLimitsTest {
  private static final String A = "127.0.0.1";
  private static final String B = "127.0.0.2";
  private static final String C = "10.0.0.3";

  @Test
  void anAddressAtItsCapIsRefusedWhileOthersAreAdmitted() {
    ConnectionLimits limits = new ConnectionLimits(2, 10);
    assertEquals(Optional.empty(), limits.admit(A), "A's first connection");
    assertEquals(Optional.empty(), limits.admit(A), "A's second connection");
    assertEquals(
        Optional.of(Refusal.PER_ADDRESS), limits.admit(A), "A's third: past 2 per address");
    assertEquals(Optional.empty(), limits.admit(B), "B is not held back by A");
    assertEquals(2, limits.openFrom(A), "A holds 2");
    assertEquals(3, limits.openTotal(), "3 open in all");
    limits.release(A);
    assertEquals(Optional.empty(), limits.admit(A), "A is admitted again once one of its ended");
  }

  @Test
  void theTotalCapRefusesEveryAddressUntilAConnectionEnds() {
    ConnectionLimits limits = new ConnectionLimits(5, 3);
    assertEquals(Optional.empty(), limits.admit(A), "1 of 3");
    assertEquals(Optional.empty(), limits.admit(B), "2 of 3");
    assertEquals(Optional.empty(), limits.admit(C), "3 of 3");
    assertEquals(Optional.of(Refusal.TOTAL), limits.admit(A), "A past the total");
    assertEquals(
        Optional.of(Refusal.TOTAL), limits.admit("10.0.0.4"), "a new address past the total");
    limits.release(B);
    assertEquals(Optional.empty(), limits.admit("10.0.0.4"), "admitted once B's ended");
  }

  @Test
  void theAddressCapIsReportedBeforeTheTotal() {
    ConnectionLimits limits = new ConnectionLimits(1, 1);
    limits.admit(A);
    assertEquals(Optional.of(Refusal.PER_ADDRESS), limits.admit(A), "A at both caps: per address");
    assertEquals(Optional.of(Refusal.TOTAL), limits.admit(B), "B: the total");
  }

  @Test
  void refusalsAreCountedByReasonWithEveryReasonPresent() {
    ConnectionLimits limits = new ConnectionLimits(1, 2);
    assertEquals(
        Map.of("per_address", 0L, "total", 0L, "head_timeout", 0L),
        limits.refusals(),
        "all reasons at 0 before any refusal");
    limits.admit(A);
    limits.admit(A);
    limits.admit(A);
    limits.admit(B);
    limits.admit(C);
    limits.headTimedOut();
    assertEquals(
        Map.of("per_address", 2L, "total", 1L, "head_timeout", 1L),
        limits.refusals(),
        "two per address (A), one total (C), one head timeout");
    assertEquals(2, limits.openTotal(), "refused connections hold no slot");
  }

  @Test
  void releasingMoreThanWasAdmittedIsABug() {
    ConnectionLimits limits = new ConnectionLimits(2, 2);
    limits.admit(A);
    limits.release(A);
    assertThrows(IllegalStateException.class, () -> limits.release(A), "a second release of A");
    assertEquals(0, limits.openTotal(), "the count stays at 0");
  }

  @Test
  void aRefusedAddressIsLoggedAtMostOncePerMinute() {
    ConnectionLimits limits = new ConnectionLimits(1, 1);
    long t0 = 1_000_000;
    assertTrue(limits.shouldLog(A, t0), "A's first refusal");
    assertFalse(limits.shouldLog(A, t0 + 1), "A again at once");
    assertFalse(
        limits.shouldLog(A, t0 + ConnectionLimits.LOG_INTERVAL_MILLIS - 1),
        "A just under a minute later");
    assertTrue(limits.shouldLog(B, t0 + 5), "B is logged on its own");
    assertTrue(limits.shouldLog(A, t0 + ConnectionLimits.LOG_INTERVAL_MILLIS), "A a minute later");
    assertFalse(
        limits.shouldLog(A, t0 + ConnectionLimits.LOG_INTERVAL_MILLIS + 1), "and then quiet again");
  }

  @Test
  void capsBelowOneAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ConnectionLimits(0, 1), "0 per address");
    assertThrows(IllegalArgumentException.class, () -> new ConnectionLimits(1, 0), "0 in all");
  }
}
