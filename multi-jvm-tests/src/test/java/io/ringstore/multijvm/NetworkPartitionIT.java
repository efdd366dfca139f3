package io.ringstore.multijvm;

import static io.ringstore.multijvm.FaultCluster.assertReadsBack;
import static io.ringstore.multijvm.FaultCluster.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network partition {1,2}|{3} between real node JVMs (DESIGN invariants 1, 2 and 4, and the Split
 * Brain Resolver's keep-majority downing), on 3 nodes with N=3, R=W=2, each node in its own network
 * namespace ({@link NetworkNamespaces}; needs root and iproute2). Node 3 is cut off by taking its
 * bridge-side veth down: packets to and from it are dropped, nothing is closed.
 *
 * <p>Scenario: keys written with w=2 before the cut; node 3 cut; w=2 writes (each with the context
 * of an r=2 read, so it supersedes everything seen, even a 503'd write that was partly stored) keep
 * going through nodes 1 and 2 until node 3 is gone — a write may answer 503 while the failure
 * detector and the Split Brain Resolver act, and is retried until 204; every acknowledged value is
 * recorded. The minority, node 3, downs itself and its JVM exits; the majority removes it from
 * membership ({@code /admin/cluster} on nodes 1 and 2 no longer lists it). More w=2 writes and r=2
 * reads on the 2-member cluster. Then the link is healed and node 3 restarted with its data
 * directory (a new incarnation at the same address). Every acknowledged write converges: for each
 * key all 3 replicas hold the last acknowledged value, checked with {@code /admin/replicas} (which
 * never repairs, so hinted handoff or anti-entropy did it); finally {@code GET /kv?r=all} through
 * node 3 and node 1.
 *
 * <p>Bounds, with acceptable-heartbeat-pause 3 s and stable-after 5 s (test config below), and what
 * a 2-core box measured:
 *
 * <ul>
 *   <li>each write through the majority succeeds within {@link #WRITE} (30 s) of its first try. The
 *       503 window can last from the cut until node 3 is removed and its replicas are reallocated
 *       (~15 s): a shard allocation writes the sharding coordinator's state to a majority, and
 *       Pekko's {@code majority-min-cap = 5} makes that every member of a 3-node cluster, node 3
 *       included. Measured: longest wait 15-20 s; with {@code majority-min-cap = 1} 8 s, and 841
 *       writes acknowledged while node 3 was going;
 *   <li>node 3's JVM exits within {@link #MINORITY_EXIT} (45 s) of the cut: detection (heartbeats
 *       every 1 s, unreachable after the 3 s pause plus the phi threshold, ~4-5 s), stable-after (5
 *       s), then its coordinated shutdown (~1-2 s: its cluster is already shut down). Measured
 *       11.8-12.5 s;
 *   <li>the majority no longer lists node 3 within {@link #REMOVED} (45 s) of the cut: detection
 *       plus stable-after, then the leader removes the downed member at its next tick. Measured
 *       15-20 s (an upper bound: it is checked once node 3 has exited and the write in flight is
 *       done);
 *   <li>after the heal, node 3 is ready within {@link FaultCluster#READY} (measured 3-12 s) and
 *       every replica holds the last acknowledged value within {@link #CONVERGE} (60 s) of that:
 *       its replicas move back to it (16 moves per 2 s rebalance round) and anti-entropy (50
 *       sessions/s, a full cycle in ~3 s) refills them. Measured 6-7 s.
 * </ul>
 *
 * The whole test takes ~55-60 s.
 *
 * <p>Known failure (main code, PlacementPlanner): while the cluster has 2 members, a partition's
 * coordinators address only entities {@code p:0} and {@code p:1}, but the unused {@code p:2} still
 * counts as a holder in the allocation strategy: when node 3 held {@code p:0} or {@code p:1} and
 * the other member holds {@code p:2}, the reallocated entity lands on the member that already hosts
 * the other active one, and the two stay there for good. Reads and w=2 writes of that partition
 * then answer 503 (two replicas on one node count once) until node 3 is back: this test fails on
 * the first such key with its {@code /admin/replicas} in the message.
 *
 * <p>The second test checks the harness itself: a node started through {@code ip netns exec} is the
 * node JVM (same pid, another network namespace), and SIGSTOP, SIGCONT and SIGKILL reach it.
 */
class NetworkPartitionIT {
  static final Duration WRITE = Duration.ofSeconds(30);
  static final Duration MINORITY_EXIT = Duration.ofSeconds(45);
  static final Duration REMOVED = Duration.ofSeconds(45);
  static final Duration CONVERGE = Duration.ofSeconds(60);
  static final String TEST_CONFIG =
      """
      ringstore.replication { n = 3, r = 2, w = 2 }
      ringstore.anti-entropy.sessions-per-second = 50
      ringstore.handoff.retry-interval = 1s
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s
      # the partition is permanent for the minority: keep-majority downs it after 5 s of stability
      pekko.cluster.split-brain-resolver.stable-after = 5s
      """;

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 240)
  void minorityIsDownedAndAcknowledgedWritesConvergeAfterHeal() {
    NetworkNamespaces net = NetworkNamespaces.create(cluster, 3);
    FaultCluster faults = FaultCluster.start(cluster, tmp, 3, TEST_CONFIG, net::host);
    NodeProcess n1 = faults.node(1);
    NodeProcess n2 = faults.node(2);
    NodeProcess n3 = faults.node(3);
    List<NodeProcess> majority = List.of(n1, n2);
    faults.log("nodes in namespaces: " + faults.nodes);
    Writer writer = new Writer(cluster, majority);

    for (int i = 0; i < 12; i++) {
      FaultCluster.put204(n1, "before-" + i, "v1 of before-" + i, "w=2", null);
      writer.acked.put("before-" + i, "v1 of before-" + i);
    }
    faults.log("12 keys written with w=2 before the cut");

    AtomicLong exitedAt = new AtomicLong();
    n3.process().onExit().thenRun(() -> exitedAt.set(System.nanoTime()));
    net.cut(n3);
    long cut = System.nanoTime();
    faults.log("node-3 cut off (its bridge-side veth is down)");

    // w=2 writes through the majority while node 3 is detected, downs itself and exits
    for (int i = 0; i < 4; i++) {
      writer.write(majority.get(i % 2), "before-" + i, "v2 of before-" + i);
    }
    int during = 0;
    while (n3.isAlive() && System.nanoTime() - cut < MINORITY_EXIT.toNanos()) {
      String key = "during-" + (during % 40);
      writer.write(majority.get(during % 2), key, "#" + during + " of " + key);
      during++;
    }
    assertFalse(
        n3.isAlive(),
        () ->
            "node-3 (minority) has not exited "
                + MINORITY_EXIT.toSeconds()
                + " s after the cut\n"
                + n3.logTail(80));
    faults.log(
        String.format(
            "node-3 exited (status %d) %.1f s after the cut; meanwhile %d writes "
                + "acknowledged through nodes 1 and 2 (%d attempts answered 503 or failed, longest wait %.1f s)",
            n3.process().exitValue(),
            (exitedAt.get() - cut) / 1e9,
            writer.writes.get(),
            writer.retries.get(),
            writer.longestNanos.get() / 1e9));
    logLines(
        faults, n3, "SBR took decision", "Shutting down myself", "Running CoordinatedShutdown");

    cluster.awaitAssert(
        remaining(cut, REMOVED),
        majority,
        () ->
            majority.forEach(
                n -> {
                  assertFalse(
                      members(n).contains(n3.clusterAddress()),
                      () -> n.name() + " still lists node-3");
                  assertEquals(
                      Set.of(n1.clusterAddress(), n2.clusterAddress()),
                      faults.upReachable(n),
                      () -> n.name() + " sees nodes 1 and 2 Up and reachable");
                }));
    faults.log(
        String.format(
            "node-3 removed from the majority's membership %.1f s after the cut", seconds(cut)));

    // the 2-member cluster keeps serving w=2 writes and r=2 reads
    for (int i = 4; i < 8; i++) {
      writer.write(majority.get(i % 2), "before-" + i, "v2 of before-" + i);
    }
    for (int i = 0; i < 10; i++) {
      writer.write(majority.get(i % 2), "after-" + i, "after-" + i);
    }
    cluster.awaitAssert(
        WRITE,
        majority,
        () ->
            writer.acked.forEach(
                (key, value) -> majority.forEach(n -> assertReads(n, key, value, "r=2"))));
    faults.log(
        String.format(
            "%d keys read back with r=2 through nodes 1 and 2; %d writes in all, "
                + "%d attempts retried",
            writer.acked.size(), writer.writes.get(), writer.retries.get()));

    net.heal(n3);
    faults.log("link of node-3 healed; restarting node-3 with its data directory");
    n3.start().awaitReady(FaultCluster.READY);
    long ready = System.nanoTime();
    faults.log(String.format("node-3 ready again %.1f s after the cut", seconds(cut)));
    cluster.awaitAssert(
        CONVERGE,
        () ->
            faults.nodes.forEach(
                n ->
                    assertEquals(
                        faults.addresses(),
                        faults.upReachable(n),
                        () -> n.name() + " sees all 3 Up and reachable")));
    faults.log(
        String.format("all 3 Up and reachable %.1f s after node-3 was ready", seconds(ready)));

    Map<String, String> expected = Map.copyOf(writer.acked);
    cluster.awaitAssert(
        CONVERGE,
        () -> expected.forEach((key, value) -> faults.assertAllReplicasHold(n1, key, value)));
    faults.log(
        String.format(
            "%d keys: all 3 replicas hold the last acknowledged value %.1f s after "
                + "node-3 was ready",
            expected.size(), seconds(ready)));

    expected.forEach((key, value) -> assertReadsBack(n3, key, value));
    expected.forEach((key, value) -> assertReadsBack(n1, key, value));
    faults.log("every acknowledged write reads back with r=all through node-3 and node-1");
  }

  @Test
  @Timeout(value = 120)
  void nodeInNamespaceIsTheJvmAndTakesSignals() throws IOException {
    NetworkNamespaces net = NetworkNamespaces.create(cluster, 1);
    NodeProcess node = cluster.newNode("node-1", tmp.resolve("node-1"), net.host(1));
    node.start("--seed", node.clusterAddress()).awaitReady(FaultCluster.READY);

    long pid = node.pid();
    String command = ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("?");
    assertTrue(command.endsWith("/java"), () -> "pid " + pid + " is the node JVM, not " + command);
    assertNotEquals(
        Files.readSymbolicLink(Path.of("/proc/self/ns/net")),
        Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")),
        "the node JVM runs in its own network namespace");
    assertEquals(
        net.address(1) + ":" + node.clusterPort(),
        json(node, "/admin/cluster").path("self").asText(),
        "the node advertises its namespace address");

    node.pause();
    cluster.awaitAssert(
        Duration.ofSeconds(5),
        () ->
            assertEquals(
                "T",
                procState(pid),
                "the node JVM is stopped (state T in /proc/" + pid + "/stat) after SIGSTOP"));
    var answer = node.http().probe("/health/alive", Duration.ofSeconds(2));
    assertTrue(
        answer.isEmpty(),
        () ->
            "a node stopped with SIGSTOP does not answer, but: "
                + answer.get()
                + " (state "
                + procState(pid)
                + ")");
    node.resume();
    cluster.awaitAssert(
        Duration.ofSeconds(5),
        () -> assertNotEquals("T", procState(pid), "the node JVM runs again after SIGCONT"));
    cluster.awaitAssert(
        Duration.ofSeconds(10),
        () ->
            assertEquals(
                200,
                node.http().get("/health/alive").status(),
                "the node answers again after SIGCONT"));

    Process process = node.process();
    node.kill9();
    assertFalse(process.isAlive(), "SIGKILL ended the node JVM");
    assertEquals(137, process.exitValue(), "killed by SIGKILL, not exited on its own");
  }

  /**
   * w=2 writes retried until acknowledged, each with the causal context of an r=2 read just before
   * it, so the acknowledged value replaces everything the majority holds for the key (also a value
   * of an earlier attempt that answered 503 but was stored on some replica). Records the last
   * acknowledged value of every key.
   */
  private static final class Writer {
    final Map<String, String> acked = new LinkedHashMap<>();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger retries = new AtomicInteger();
    final AtomicLong longestNanos = new AtomicLong();
    private final LocalCluster cluster;
    private final List<NodeProcess> mustStayUp;

    Writer(LocalCluster cluster, List<NodeProcess> mustStayUp) {
      this.cluster = cluster;
      this.mustStayUp = mustStayUp;
    }

    void write(NodeProcess via, String key, String value) {
      long started = System.nanoTime();
      AtomicInteger attempts = new AtomicInteger();
      cluster.awaitAssert(
          WRITE,
          mustStayUp,
          () -> {
            if (attempts.getAndIncrement() > 0) {
              retries.incrementAndGet();
            }
            NodeHttp.Response read = via.http().get("/kv/" + key + "?r=2");
            assertTrue(
                read.status() == 200 || read.status() == 300 || read.status() == 404,
                () ->
                    "GET "
                        + key
                        + "?r=2 via "
                        + via.name()
                        + " for its context: "
                        + read
                        + "\n  replicas: "
                        + via.http().get("/admin/replicas/" + key).text());
            String context = read.header("X-Causal-Context").orElse(null);
            NodeHttp.Response put = FaultCluster.put(via, key, value, "w=2", context);
            assertEquals(
                204,
                put.status(),
                () ->
                    "PUT "
                        + key
                        + "?w=2 via "
                        + via.name()
                        + ": "
                        + put
                        + "\n  replicas: "
                        + via.http().get("/admin/replicas/" + key).text());
          });
      acked.put(key, value);
      writes.incrementAndGet();
      long took = System.nanoTime() - started;
      longestNanos.accumulateAndGet(took, Math::max);
    }
  }

  private static void assertReads(NodeProcess via, String key, String value, String query) {
    NodeHttp.Response get = via.http().get("/kv/" + key + "?" + query);
    assertEquals(
        200, get.status(), () -> "GET " + key + "?" + query + " via " + via.name() + ": " + get);
    assertEquals(value, get.text(), () -> "GET " + key + "?" + query + " via " + via.name());
  }

  /** The state letter of a process in /proc (T when stopped), for failure messages. */
  private static String procState(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch (IOException e) {
      return "? (" + e + ")";
    }
  }

  /** Every member {@code observer} lists, whatever its status. */
  private static Set<String> members(NodeProcess observer) {
    Set<String> members = new HashSet<>();
    for (JsonNode m : json(observer, "/admin/cluster").path("members")) {
      members.add(m.path("node").asText());
    }
    return members;
  }

  /** Prints the lines of {@code node}'s log that contain one of {@code needles} (its last 20). */
  private static void logLines(FaultCluster faults, NodeProcess node, String... needles) {
    try {
      List<String> lines =
          Files.readAllLines(node.logFile(), StandardCharsets.UTF_8).stream()
              .filter(l -> List.of(needles).stream().anyMatch(l::contains))
              .toList();
      lines
          .subList(Math.max(0, lines.size() - 20), lines.size())
          .forEach(l -> faults.log("  " + node.name() + ": " + l));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Duration remaining(long sinceNanos, Duration bound) {
    Duration left = bound.minusNanos(System.nanoTime() - sinceNanos);
    return left.isNegative() ? Duration.ZERO : left;
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }
}
