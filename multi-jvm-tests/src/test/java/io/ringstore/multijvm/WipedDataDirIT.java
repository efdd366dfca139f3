package io.ringstore.multijvm;

import static io.ringstore.multijvm.FaultCluster.assertReadsBack;
import static io.ringstore.multijvm.FaultCluster.assertReadsDeleted;
import static io.ringstore.multijvm.FaultCluster.contextOf;
import static io.ringstore.multijvm.FaultCluster.delete204;
import static io.ringstore.multijvm.FaultCluster.put204;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
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
 * Step 2, anti-entropy (DESIGN invariants 1 and 4), on 4 nodes with N=3: a replica node is killed
 * with SIGKILL, its data directory (RocksDB, node uid, hint journal) is deleted, and it restarts on
 * the same ports with an empty directory. With no client read at all, anti-entropy refills its
 * replicas: every key written before the crash is back on the victim's replica. Scenario (d): keys
 * deleted before the crash stay deleted on every replica (the wiped replica is not a source of
 * resurrection, and the tombstones are not undone).
 *
 * <p>Bound: 60 s from the wiped victim being ready to every key back on its replicas (measured on a
 * 2-core box: 5.0-5.7 s with 50 sessions/s; test ~45 s).
 */
class WipedDataDirIT {
  /** From the wiped victim's readiness to every key refilled by anti-entropy. */
  private static final Duration REFILL = Duration.ofSeconds(60);

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 240)
  void wipedReplicaIsRefilledByAntiEntropyWithoutReads() {
    FaultCluster faults = FaultCluster.start(cluster, tmp, 4);
    NodeProcess coordinator = faults.node(1);
    NodeProcess victim = faults.node(2);
    NodeProcess reader = faults.node(4);

    List<String> keys =
        new ArrayList<>(faults.keysReplicatedOn(coordinator, victim, "wiped", 40).keySet());
    List<String> deleted = keys.subList(36, 40);
    Map<String, String> expected = new LinkedHashMap<>();
    for (String key : keys) {
      put204(coordinator, key, "value of " + key, "w=all", null);
      if (!deleted.contains(key)) {
        expected.put(key, "value of " + key);
      }
    }
    // a second version on a few keys, so the refilled object is not only a first write
    for (String key : keys.subList(0, 5)) {
      put204(coordinator, key, "v2 of " + key, "w=all", contextOf(coordinator, key));
      expected.put(key, "v2 of " + key);
    }
    for (String key : deleted) {
      delete204(coordinator, key, contextOf(coordinator, key));
    }
    // the victim holds them all (right after start-up a replica may still be moving to its ring
    // member, where anti-entropy fills it within seconds)
    cluster.awaitAssert(
        REFILL,
        () ->
            expected.forEach(
                (key, value) -> faults.assertReplicaHolds(coordinator, victim, key, value)));

    victim.kill9();
    FaultCluster.wipe(victim.dataDir());
    assertFalse(Files.exists(victim.dataDir()), "data dir wiped");
    faults.log("victim " + victim.name() + " killed and its data dir wiped");

    victim.start().awaitReady(FaultCluster.READY);
    long ready = System.nanoTime();
    faults.log("wiped victim restarted and ready");

    cluster.awaitAssert(
        REFILL,
        () -> {
          expected.forEach(
              (key, value) -> faults.assertReplicaHolds(coordinator, victim, key, value));
          deleted.forEach(key -> faults.assertDeletedEverywhere(coordinator, key));
        });
    faults.log(
        String.format(
            "wiped replicas refilled %.1f s after the victim was ready",
            (System.nanoTime() - ready) / 1e9));

    // the very end: reads (which repair) through another node
    expected.forEach((key, value) -> assertReadsBack(reader, key, value));
    deleted.forEach(key -> assertReadsDeleted(reader, key));
  }
}
