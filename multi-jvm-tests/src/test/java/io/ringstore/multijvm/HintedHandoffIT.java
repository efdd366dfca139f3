package io.ringstore.multijvm;

import static io.ringstore.multijvm.FaultCluster.assertReadsBack;
import static io.ringstore.multijvm.FaultCluster.assertReadsDeleted;
import static io.ringstore.multijvm.FaultCluster.contextOf;
import static io.ringstore.multijvm.FaultCluster.delete204;
import static io.ringstore.multijvm.FaultCluster.delivered;
import static io.ringstore.multijvm.FaultCluster.hints;
import static io.ringstore.multijvm.FaultCluster.put;
import static io.ringstore.multijvm.FaultCluster.put204;
import static io.ringstore.multijvm.FaultCluster.queuedFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Step 2, hinted handoff (DESIGN invariants 1 and 4), on 4 nodes with N=3: a replica node is killed
 * with SIGKILL; writes with w=2 go on; a strict w=all is refused with 503 while a sloppy w=all
 * counts a hint on the partition's fallback; after the victim restarts on its data directory, its
 * own replicas hold every write it missed and the fallbacks' hint queues drain. Scenario (d): a key
 * deleted before the crash and one deleted during it stay deleted on every replica.
 *
 * <p>Bound: the victim's replicas hold every missed write, and every hint is delivered, within 30 s
 * of the victim being ready again (measured on a 2-core box: 4.3-5.1 s; test ~46 s).
 */
class HintedHandoffIT {
  /**
   * From the restarted victim's readiness to every missed write on its replicas and hints drained.
   */
  private static final Duration CATCH_UP = Duration.ofSeconds(30);

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 240)
  void killedReplicaCatchesUpThroughHintsAfterRestart() {
    FaultCluster faults = FaultCluster.start(cluster, tmp, 4);
    NodeProcess coordinator = faults.node(1);
    NodeProcess other = faults.node(2);
    NodeProcess victim = faults.node(3);

    // keys whose replica set includes the victim
    Map<String, FaultCluster.Placement> placed =
        faults.keysReplicatedOn(coordinator, victim, "handoff", 24);
    List<String> keys = new ArrayList<>(placed.keySet());
    List<String> before = keys.subList(0, 6); // written before the crash, overwritten during it
    List<String> during = keys.subList(6, 18); // first written during the crash
    String deletedBefore = keys.get(18); // (d) deleted before the crash
    String deletedDuring = keys.get(19); // (d) deleted during the crash
    String strictAll = keys.get(20); // w=all strict: 503
    String sloppyAll = keys.get(21); // w=all sloppy: 204 with a hint
    String sloppyAfterDetection = keys.get(22); // sloppy w=all once the victim is unreachable

    Map<String, String> expected = new LinkedHashMap<>();
    Map<String, String> contexts = new LinkedHashMap<>();
    for (String key : before) {
      put204(coordinator, key, "v1 of " + key, "w=all", null);
      contexts.put(key, contextOf(other, key));
    }
    put204(coordinator, deletedBefore, "doomed " + deletedBefore, "w=all", null);
    put204(coordinator, deletedDuring, "doomed " + deletedDuring, "w=all", null);
    delete204(coordinator, deletedBefore, contextOf(coordinator, deletedBefore));
    String deleteDuringContext = contextOf(coordinator, deletedDuring);

    victim.kill9();
    faults.log("victim " + victim.name() + " killed");

    // w=2 writes through a live node keep succeeding, right after the crash (not detected yet)
    for (String key : before) {
      put204(coordinator, key, "v2 of " + key, "w=2", contexts.get(key));
      expected.put(key, "v2 of " + key);
    }
    for (String key : during.subList(0, 6)) {
      put204(coordinator, key, "during " + key, "w=2", null);
      expected.put(key, "during " + key);
    }
    delete204(coordinator, deletedDuring, deleteDuringContext);

    // strict w=all: only 2 real replicas can ack
    NodeHttp.Response strict = put(coordinator, strictAll, "strict", "w=all&timeout=2000", null);
    assertEquals(503, strict.status(), () -> "strict w=all with a replica down: " + strict);
    JsonNode unavailable = strict.json();
    assertEquals("unavailable", unavailable.path("error").asText(), strict::toString);
    assertEquals(3, unavailable.path("required").asInt(), strict::toString);
    assertTrue(unavailable.path("acks").asInt() < 3, strict::toString);

    // sloppy w=all: the hint on the partition's fallback counts
    String victimReplica = placed.get(sloppyAll).replicaOn(victim);
    String fallback = faults.fallbacks(coordinator, placed.get(sloppyAll).partition()).get(0);
    NodeHttp.Response sloppy =
        put204(
            coordinator, sloppyAll, "sloppy " + sloppyAll, "w=all&sloppy=true&timeout=3000", null);
    expected.put(sloppyAll, "sloppy " + sloppyAll);
    assertEquals("sloppy", sloppy.header("X-Ringstore-Quorum").orElse(null), sloppy::toString);
    String hintsHeader = sloppy.header("X-Ringstore-Hints").orElse("");
    assertEquals(
        fallback + " for " + victimReplica,
        hintsHeader,
        () -> "the hint is on the fallback, for the victim's replica: " + sloppy);
    assertFalse(
        sloppy.header("X-Ringstore-Replicas").orElse("").contains(victim.clusterAddress()),
        sloppy::toString);
    JsonNode fallbackHints = hints(faults.byAddress(fallback));
    assertTrue(fallbackHints.path("queued").asLong() > 0, fallbackHints::toString);
    assertTrue(
        queuedFor(fallbackHints, victimReplica) >= 1,
        () -> "fallback queues a hint for " + victimReplica + ": " + fallbackHints);

    // once the crash is detected, writes still succeed (w=2 and sloppy w=all)
    cluster.awaitAssert(
        Duration.ofSeconds(20),
        () -> assertTrue(faults.seesUnreachable(coordinator, victim), "victim unreachable"));
    faults.log("victim unreachable for " + coordinator.name());
    for (String key : during.subList(6, 12)) {
      put204(other, key, "during " + key, "w=2", null);
      expected.put(key, "during " + key);
    }
    NodeHttp.Response sloppyLate =
        put204(other, sloppyAfterDetection, "sloppy late", "w=all&sloppy=true&timeout=3000", null);
    assertFalse(sloppyLate.header("X-Ringstore-Hints").orElse("").isEmpty(), sloppyLate::toString);
    expected.put(sloppyAfterDetection, "sloppy late");

    // a hint per missed write (w=2 writes get theirs after the 500 ms replica-ack timeout)
    cluster.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          long queuedTotal =
              faults.nodes.stream()
                  .filter(NodeProcess::isAlive)
                  .mapToLong(n -> hints(n).path("queued").asLong())
                  .sum();
          assertTrue(queuedTotal >= expected.size() + 1, "a hint per missed write: " + queuedTotal);
        });
    faults.log("hints queued for every missed write");

    victim.start().awaitReady(FaultCluster.READY);
    long ready = System.nanoTime();
    faults.log("victim restarted and ready");

    cluster.awaitAssert(
        CATCH_UP,
        () -> {
          expected.forEach(
              (key, value) -> faults.assertReplicaHolds(coordinator, victim, key, value));
          faults.assertDeletedEverywhere(coordinator, deletedBefore);
          faults.assertDeletedEverywhere(coordinator, deletedDuring);
        });
    faults.log(
        String.format(
            "victim's replicas caught up %.1f s after it was ready",
            (System.nanoTime() - ready) / 1e9));
    cluster.awaitAssert(
        CATCH_UP,
        () -> {
          long queued = 0;
          long delivered = 0;
          for (NodeProcess n : faults.nodes) {
            JsonNode h = hints(n);
            queued += h.path("queued").asLong();
            delivered += delivered(h);
          }
          assertEquals(0, queued, "hints still queued");
          assertTrue(delivered > 0, "hints delivered");
          JsonNode fb = hints(faults.byAddress(fallback));
          assertEquals(0, queuedFor(fb, victimReplica), fb::toString);
        });
    faults.log(
        String.format(
            "hints drained %.1f s after the victim was ready", (System.nanoTime() - ready) / 1e9));

    // the very end: reads (which repair) through another node
    expected.forEach((key, value) -> assertReadsBack(other, key, value));
    assertReadsDeleted(other, deletedBefore);
    assertReadsDeleted(other, deletedDuring);
  }
}
