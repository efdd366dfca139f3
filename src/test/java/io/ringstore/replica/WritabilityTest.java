package io.ringstore.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When a partition counts as writable for readiness ({@link Writability}): answers from W distinct
 * nodes, one of them caught up; W capped at the replica set while the ring is smaller. And the
 * probe's retry backoff.
 */
class WritabilityTest {
  private static final String A = "127.0.0.1:1";
  private static final String B = "127.0.0.1:2";
  private static final String C = "127.0.0.1:3";
  private static final Ring THREE = Ring.of(new RingConfig(8, 16, 3), List.of(A, B, C));
  private static final int P = 5;

  private static ReplicaId r(int index) {
    return new ReplicaId(P, index);
  }

  @Test
  void writableOnlyWithWDistinctNodes_oneOfThemCaughtUp() {
    record Case(String what, boolean[] syncing, String[] nodes, boolean writable) {}
    List<Case> cases =
        List.of(
            new Case("nobody answered", new boolean[] {}, new String[] {}, false),
            new Case("one caught-up answer, W=2", new boolean[] {false}, new String[] {A}, false),
            new Case(
                "two nodes, one caught up", new boolean[] {false, true}, new String[] {A, B}, true),
            new Case(
                "two nodes, both still syncing (nobody may coordinate)",
                new boolean[] {true, true},
                new String[] {A, B},
                false),
            new Case(
                "three nodes, all syncing",
                new boolean[] {true, true, true},
                new String[] {A, B, C},
                false),
            new Case(
                "two replicas on one node count once",
                new boolean[] {false, false},
                new String[] {A, A},
                false),
            new Case(
                "two replicas sharing a node and a third node",
                new boolean[] {false, false, true},
                new String[] {A, A, C},
                true));
    for (Case c : cases) {
      Writability tally = new Writability(THREE, 2);
      for (int i = 0; i < c.syncing().length; i++) {
        tally.answered(r(i), c.nodes()[i], c.syncing()[i]);
      }
      assertEquals(c.writable(), tally.writable(P), c.what());
      assertFalse(tally.writable(P + 1), c.what() + ": another partition is not touched");
    }
  }

  @Test
  void wIsCappedAtTheReplicaSet_whileTheRingHasFewerMembers() {
    Writability alone = new Writability(Ring.of(new RingConfig(8, 16, 3), List.of(A)), 2);
    assertEquals(1, alone.replicasOf(P), "one member: one replica to ask");
    assertEquals(1, alone.required(P), "W=2 capped at the one replica there is");
    alone.answered(r(0), A, false);
    assertTrue(alone.writable(P), "the first node alone is writable at what it has");
    assertEquals(2, new Writability(THREE, 2).required(P), "three members: W=2");
    assertEquals(3, new Writability(THREE, 3).required(P), "three members: W=3");
  }

  @Test
  void laterAnswersReplaceEarlierOnes_clearForgets_outOfRingIgnored() {
    Writability tally = new Writability(THREE, 2);
    tally.answered(r(0), A, true);
    tally.answered(r(1), B, true);
    assertFalse(tally.writable(P), "both syncing");
    tally.answered(r(1), B, false);
    assertTrue(tally.writable(P), "replica 1 caught up since");
    assertEquals(2, tally.answers(P), "one answer per replica");
    assertFalse(tally.allAnswered(P), "replica 2 has not answered");
    tally.clear(P);
    assertFalse(tally.writable(P), "cleared before asking again");
    tally.answered(new ReplicaId(P, 3), C, false);
    tally.answered(new ReplicaId(99, 0), C, false);
    assertEquals(0, tally.answers(P), "a replica beyond the set is ignored");
    assertEquals(0, tally.answers(99), "a partition beyond the ring is ignored");
  }

  @Test
  void backoffDoublesUpToItsMaximum() {
    Duration min = Duration.ofMillis(200);
    Duration max = Duration.ofSeconds(2);
    assertEquals(Duration.ofMillis(200), WritabilityProbe.backoff(1, min, max), "first retry");
    assertEquals(Duration.ofMillis(400), WritabilityProbe.backoff(2, min, max), "second");
    assertEquals(Duration.ofMillis(1600), WritabilityProbe.backoff(4, min, max), "fourth");
    assertEquals(max, WritabilityProbe.backoff(5, min, max), "capped");
    assertEquals(max, WritabilityProbe.backoff(50, min, max), "stays capped");
  }
}
