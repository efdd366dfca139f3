package io.ringstore.multijvm;

import static io.ringstore.multijvm.FaultCluster.assertReadsBack;
import static io.ringstore.multijvm.FaultCluster.assertReadsDeleted;
import static io.ringstore.multijvm.FaultCluster.contextOf;
import static io.ringstore.multijvm.FaultCluster.delete204;
import static io.ringstore.multijvm.FaultCluster.put204;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Step 2, a stalled node (DESIGN invariants 1 and 4), on 4 nodes with N=3: a replica node is frozen
 * with SIGSTOP until the others' failure detectors mark it unreachable; w=2 writes and deletes go
 * on before and after the detection; then it is resumed with SIGCONT. Nothing acknowledged is lost,
 * and the replicas converge: every key holds the same single value on all 3 replicas (checked
 * without read repair), and the deleted keys hold no value anywhere (scenario d). Reads (r=all)
 * only at the end.
 *
 * <p>Bounds: unreachable within 20 s of SIGSTOP (acceptable-heartbeat-pause 3 s); reachable again
 * within 20 s of SIGCONT; converged within 30 s of being reachable again (measured on a 2-core box:
 * unreachable 4.2-4.7 s after SIGSTOP, reachable 1.5-1.9 s after SIGCONT, converged 0.2 s later;
 * test ~28 s).
 */
class PausedNodeIT {
  private static final Duration DETECT = Duration.ofSeconds(20);
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 240)
  void pausedReplicaConvergesAfterResume() {
    FaultCluster faults = FaultCluster.start(cluster, tmp, 4);
    NodeProcess coordinator = faults.node(1);
    NodeProcess other = faults.node(3);
    NodeProcess victim = faults.node(4);

    List<String> keys =
        new ArrayList<>(faults.keysReplicatedOn(coordinator, victim, "paused", 30).keySet());
    List<String> before = keys.subList(0, 8); // written before, overwritten during the pause
    List<String> early = keys.subList(8, 16); // written during the pause, before detection
    List<String> late = keys.subList(16, 24); // written once the victim is unreachable
    String deletedBefore = keys.get(24); // (d) deleted before the pause
    String deletedEarly = keys.get(25); // (d) deleted during it, before detection
    String deletedLate = keys.get(26); // (d) deleted during it, after detection
    List<String> deleted = List.of(deletedBefore, deletedEarly, deletedLate);

    Map<String, String> expected = new LinkedHashMap<>();
    Map<String, String> contexts = new LinkedHashMap<>();
    for (String key : before) {
      put204(coordinator, key, "v1 of " + key, "w=all", null);
      contexts.put(key, contextOf(other, key));
    }
    for (String key : deleted) {
      put204(coordinator, key, "doomed " + key, "w=all", null);
      contexts.put(key, contextOf(other, key));
    }
    delete204(coordinator, deletedBefore, contexts.get(deletedBefore));

    victim.pause();
    long paused = System.nanoTime();
    faults.log("victim " + victim.name() + " paused (SIGSTOP)");
    for (String key : before) {
      put204(coordinator, key, "v2 of " + key, "w=2", contexts.get(key));
      expected.put(key, "v2 of " + key);
    }
    for (String key : early) {
      put204(other, key, "early " + key, "w=2", null);
      expected.put(key, "early " + key);
    }
    delete204(coordinator, deletedEarly, contexts.get(deletedEarly));

    cluster.awaitAssert(
        DETECT,
        () -> {
          assertTrue(faults.seesUnreachable(coordinator, victim), "victim unreachable for node-1");
          assertTrue(faults.seesUnreachable(other, victim), "victim unreachable for node-3");
        });
    faults.log(
        String.format(
            "victim unreachable %.1f s after SIGSTOP", (System.nanoTime() - paused) / 1e9));
    for (String key : late) {
      put204(coordinator, key, "late " + key, "w=2", null);
      expected.put(key, "late " + key);
    }
    delete204(other, deletedLate, contexts.get(deletedLate));

    victim.resume();
    long resumed = System.nanoTime();
    faults.log(
        String.format("victim resumed (SIGCONT) after %.1f s paused", (resumed - paused) / 1e9));
    cluster.awaitAssert(
        DETECT,
        () ->
            faults.nodes.forEach(
                n ->
                    assertEquals(
                        faults.addresses(),
                        faults.upReachable(n),
                        n.name() + " sees all reachable")));
    long reachable = System.nanoTime();
    faults.log(
        String.format("victim reachable again %.1f s after SIGCONT", (reachable - resumed) / 1e9));

    cluster.awaitAssert(
        CONVERGE,
        () -> {
          expected.forEach((key, value) -> faults.assertAllReplicasHold(coordinator, key, value));
          deleted.forEach(key -> faults.assertDeletedEverywhere(coordinator, key));
        });
    faults.log(
        String.format(
            "replicas converged %.1f s after the victim was reachable again",
            (System.nanoTime() - reachable) / 1e9));

    // the very end: r=all reads (they repair, so only now), through the victim and another node
    expected.forEach((key, value) -> assertReadsBack(victim, key, value));
    expected.forEach((key, value) -> assertReadsBack(other, key, value));
    deleted.forEach(key -> assertReadsDeleted(victim, key));
    deleted.forEach(key -> assertReadsDeleted(other, key));
  }
}
