package io.ringstore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A ring member replaced by a new incarnation of itself keeps its ring place for the grace period:
 * while it is Down, removed or joining again; not when it leaves, not past the grace, and a grace
 * that ended does not start again.
 */
class RejoiningMembersTest {
  private static final String A = "127.0.0.1:1";
  private static final String B = "127.0.0.1:2";
  private static final String C = "127.0.0.1:3";
  private static final Set<String> RING = Set.of(A, B, C);

  @Test
  void downedRemovedAndJoiningAgain_keptWithinTheGrace_untilUp() {
    RejoiningMembers rejoining = new RejoiningMembers(10_000);
    assertEquals(Set.of(), rejoining.kept(RING, RING, Set.of(), 0), "everyone Up: nothing kept");
    assertEquals(Long.MAX_VALUE, rejoining.nextExpiry(0), "no grace runs");

    assertEquals(Set.of(C), rejoining.kept(RING, Set.of(A, B), Set.of(C), 1_000), "C downed: kept");
    assertEquals(11_000, rejoining.nextExpiry(1_000), "its grace ends 10 s after it left");
    assertEquals(
        Set.of(C),
        rejoining.kept(RING, Set.of(A, B), Set.of(C), 5_000),
        "C removed, then joining again: still kept, the grace counts from when it left");
    assertEquals(Set.of(), rejoining.kept(RING, RING, Set.of(), 6_000), "C Up again: a member");

    assertEquals(
        Set.of(C),
        rejoining.kept(RING, Set.of(A, B), Set.of(C), 20_000),
        "replaced again later: a new grace");
  }

  @Test
  void pastTheGrace_dropped_andNotKeptAgain() {
    RejoiningMembers rejoining = new RejoiningMembers(10_000);
    rejoining.kept(RING, Set.of(A, B), Set.of(C), 0);
    assertEquals(Set.of(), rejoining.kept(RING, Set.of(A, B), Set.of(C), 10_000), "grace over");
    assertEquals(
        Set.of(),
        rejoining.kept(RING, Set.of(A, B), Set.of(C), 10_500),
        "the previous ring still had it: the ended grace does not start again");
    assertEquals(Long.MAX_VALUE, rejoining.nextExpiry(10_500), "no grace runs");
  }

  @Test
  void aLeavingMember_orOneNotInTheRing_isNotKept() {
    RejoiningMembers rejoining = new RejoiningMembers(10_000);
    assertEquals(
        Set.of(),
        rejoining.kept(RING, Set.of(A, B), Set.of(), 0),
        "C leaving (not replaced): it leaves the ring at once");
    assertEquals(
        Set.of(),
        rejoining.kept(Set.of(A, B), Set.of(A, B), Set.of(C), 0),
        "C was not in the ring (it was draining): nothing to keep");
  }
}
