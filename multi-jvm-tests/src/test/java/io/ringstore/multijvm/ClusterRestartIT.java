package io.ringstore.multijvm;

import static io.ringstore.multijvm.FaultCluster.json;
import static io.ringstore.multijvm.FaultCluster.put204;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One cluster, always (DESIGN invariant 7): a node that has been a member never forms a cluster by
 * itself, whatever the timing, and a node of another cluster is refused. On 3 nodes (node-1 seeds
 * itself, as `bin/ringstore cluster start` does):
 *
 * <ol>
 *   <li>node-1 is killed and restarted on its data directory while node-2 and node-3 are SIGSTOPped
 *       for {@link #PAUSE} (12 s, over twice Pekko's {@code seed-node-timeout}): it must not form a
 *       cluster of its own meanwhile (the old code did, after 5 s, and the two clusters never
 *       healed); once the others resume, exactly one cluster of 3 with one id and one leader;
 *       node-1 ready within {@link #READY_AFTER_START} of its JVM starting, counted from when the
 *       peers are back;
 *   <li>the same for node-2 (seeded by node-1) while node-1 and node-3 are paused;
 *   <li>the whole cluster is killed and started again in the order 3, 2, 1 with pauses: one
 *       cluster, the same id, and the data written before is still there;
 *   <li>a node whose data directory belongs to another cluster, started with node-1 as its seed,
 *       exits with status 3, naming the two clusters, and the cluster still has its 3 members;
 *   <li>node-3 restarted with {@code --force-new-cluster} while node-1 and node-2 run: it forms a
 *       cluster of its own with the same id (the flag's documented danger), and reports in its log
 *       and in {@code /admin/cluster} ({@code sameIdElsewhere}) that the cluster runs as two.
 * </ol>
 */
class ClusterRestartIT {
  static final Duration PAUSE = Duration.ofSeconds(12);
  static final Duration READY_AFTER_START = Duration.ofSeconds(30);
  static final Duration HEAL = Duration.ofSeconds(60);

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 480)
  void aRestartedMemberNeverFormsAClusterOfItsOwn_andAForeignNodeIsRefused() {
    FaultCluster faults = FaultCluster.start(cluster, tmp, 3);
    List<NodeProcess> nodes = faults.nodes;
    String[] formed = new String[1];
    cluster.awaitAssert(HEAL, () -> formed[0] = assertOneCluster(faults));
    String id = formed[0];
    faults.log("cluster " + id + " of 3 formed");
    put204(faults.node(1), "before-restarts", "kept", "w=all", null);

    restartWhileOthersPaused(faults, faults.node(1), id);
    restartWhileOthersPaused(faults, faults.node(2), id);

    // the whole cluster: killed, then started again 3, 2, 1
    nodes.forEach(NodeProcess::kill9);
    faults.log("all three killed");
    for (int i = 3; i >= 1; i--) {
      faults.node(i).start();
      if (i > 1) {
        awaitAlive(faults.node(i));
        LocalCluster.hold(Duration.ofSeconds(3), List.of(faults.node(i)));
      }
    }
    nodes.forEach(n -> n.awaitReady(FaultCluster.READY));
    cluster.awaitAssert(
        HEAL, () -> assertEquals(id, assertOneCluster(faults), "the same cluster id"));
    faults.log("whole-cluster restart: one cluster again");
    FaultCluster.assertReadsBack(faults.node(3), "before-restarts", "kept");

    // a node of another cluster: formed alone on its own data directory, then pointed at node-1
    NodeProcess stranger = cluster.newNode("stranger", tmp.resolve("stranger"));
    stranger.start().awaitReady(FaultCluster.READY);
    String strangerId = json(stranger, "/admin/cluster").path("clusterId").asText(null);
    assertNotNull(strangerId, "the stranger's own cluster has an id");
    assertFalse(strangerId.equals(id), "two clusters, two ids");
    stranger.kill9();
    stranger.start("--seed", faults.node(1).clusterAddress());
    assertTrue(
        NodeProcess.awaitExit(stranger.process(), HEAL),
        "the stranger is refused and exits\n" + stranger.logTail(40));
    assertEquals(
        3,
        stranger.process().exitValue(),
        "exit status of a refused node\n" + stranger.logTail(40));
    String log = read(stranger.logFile());
    assertTrue(
        log.contains("refusing to join") && log.contains(id) && log.contains(strangerId),
        "the log names both clusters\n" + stranger.logTail(40));
    cluster.awaitAssert(
        HEAL, nodes, () -> assertEquals(id, assertOneCluster(faults), "not merged"));
    faults.log("a node of cluster " + strangerId + " was refused; cluster " + id + " unchanged");

    // --force-new-cluster while the others still run: the documented danger, said loudly
    NodeProcess forced = faults.node(3);
    forced.kill9();
    forced.start("--config", tmp.resolve("faults.conf").toString(), "--force-new-cluster");
    forced.awaitReady(FaultCluster.READY);
    Set<String> others = Set.of(faults.node(1).clusterAddress(), faults.node(2).clusterAddress());
    cluster.awaitAssert(
        HEAL,
        () -> {
          JsonNode view = json(forced, "/admin/cluster");
          assertEquals(
              id, view.path("clusterId").asText(null), "the forced node keeps the cluster id");
          Set<String> elsewhere = new HashSet<>();
          view.path("sameIdElsewhere").forEach(n -> elsewhere.add(n.asText()));
          assertEquals(others, elsewhere, "the split is reported: " + view);
        });
    assertTrue(read(forced.logFile()).contains("runs as two clusters"), forced.logTail(40));
    faults.log("--force-new-cluster beside a running cluster: reported as two clusters");
  }

  /** Kills {@code victim}, restarts it while every other node is paused for {@link #PAUSE}. */
  private void restartWhileOthersPaused(FaultCluster faults, NodeProcess victim, String id) {
    List<NodeProcess> others = faults.nodes.stream().filter(n -> n != victim).toList();
    victim.kill9();
    others.forEach(NodeProcess::pause);
    victim.start();
    awaitAlive(victim);
    long started = System.nanoTime();
    faults.log(victim.name() + " restarted, " + others.size() + " peers paused");
    LocalCluster.hold(PAUSE, List.of(victim));
    JsonNode alone = json(victim, "/admin/cluster");
    assertTrue(
        alone.path("members").isEmpty(),
        victim.name() + " formed no cluster while its peers were paused: " + alone);
    others.forEach(NodeProcess::resume);
    long resumed = System.nanoTime();
    victim.awaitReady(READY_AFTER_START);
    faults.log(
        String.format(
            "%s ready %.1f s after its peers resumed (%.1f s after its JVM answered)",
            victim.name(),
            (System.nanoTime() - resumed) / 1e9,
            (System.nanoTime() - started) / 1e9));
    cluster.awaitAssert(
        HEAL, () -> assertEquals(id, assertOneCluster(faults), "the same cluster id"));
    faults.log(victim.name() + " rejoined: one cluster of 3");
  }

  /**
   * Every node lists the same 3 members Up and reachable, the same leader and the same cluster id
   * (returned).
   */
  static String assertOneCluster(FaultCluster faults) {
    Set<String> all = faults.addresses();
    Set<String> ids = new HashSet<>();
    Set<String> leaders = new HashSet<>();
    for (NodeProcess n : faults.nodes) {
      JsonNode view = json(n, "/admin/cluster");
      assertEquals(all, faults.upReachable(n), () -> n.name() + " sees every member Up: " + view);
      ids.add(view.path("clusterId").asText(null));
      leaders.add(view.path("leader").asText(null));
    }
    assertEquals(1, ids.size(), () -> "one cluster id: " + ids);
    assertEquals(1, leaders.size(), () -> "one leader: " + leaders);
    String id = ids.iterator().next();
    assertNotNull(id, "the cluster has an id");
    return id;
  }

  /** Waits until the node's JVM serves {@code /health/alive} (its HTTP port is open). */
  private void awaitAlive(NodeProcess node) {
    cluster.awaitAssert(
        FaultCluster.READY,
        List.of(node),
        () ->
            assertTrue(
                node.http()
                    .probe("/health/alive", Duration.ofSeconds(1))
                    .filter(r -> r.status() == 200)
                    .isPresent(),
                node.name() + " alive"));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
