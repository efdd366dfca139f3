package io.ringstore.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 3, the table's row (1 GiB of w=1 writes of 1 MiB values while a replica is paused,
 * 512 MiB heaps: OutOfMemoryError) scaled to a 2-core machine (DESIGN invariant 6): four real nodes
 * with the tests' -Xmx256m heaps, one replica node paused (SIGSTOP), and more megabytes of w=1
 * writes of 1 MiB values to keys it replicates than the coordinator's heap holds. Every Replicate
 * to the paused node used to wait in Artery's outbound queue (bounded by count only) and fill the
 * heap; now the bytes queued to one peer are bounded ({@code max-bytes-queued-per-peer}, an eighth
 * of the heap), the rest are refused and counted and hinted elsewhere. Every write is answered 204
 * or a retryable 503, never a 500 or a reset; no node dies; after SIGCONT every node sees all
 * reachable.
 */
class PeerQueueSmallHeapIT {
  private static final Duration DETECT = Duration.ofSeconds(20);
  private static final int VALUE_BYTES = 1 << 20;
  private static final long HEAP = 256L << 20;

  /** More than the heap: 320 MiB of values, each sent to the paused replica. */
  private static final int WRITES = 320;

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 420)
  void aPausedReplicaAndMoreReplicaBytesThanTheHeapLeaveEveryNodeServing() {
    FaultCluster faults = FaultCluster.start(cluster, tmp, 4);
    NodeProcess coordinator = faults.node(1);
    NodeProcess victim = faults.node(4);
    List<String> keys =
        new ArrayList<>(faults.keysReplicatedOn(coordinator, victim, "queue", WRITES).keySet());

    victim.pause();
    faults.log("victim " + victim.name() + " paused (SIGSTOP)");

    Map<Integer, Integer> statuses = new TreeMap<>();
    byte[] value = new byte[VALUE_BYTES];
    for (String key : keys) {
      int status = coordinator.http().put("/kv/" + key + "?w=1", value, Map.of()).status();
      statuses.merge(status, 1, Integer::sum);
    }
    faults.log("answers to " + WRITES + " writes of 1 MiB: " + statuses);
    assertTrue(
        statuses.keySet().stream().allMatch(s -> s == 204 || s == 503),
        "only 204 or a retryable 503: " + statuses);
    assertTrue(statuses.getOrDefault(204, 0) > WRITES * 9 / 10, "writes are stored: " + statuses);
    assertTrue((long) WRITES * VALUE_BYTES > HEAP, "more bytes than the heap were replicated");

    long refused = metric(coordinator, "ringstore_peer_sends_refused_total");
    long queued = metric(coordinator, "ringstore_peer_queued_bytes");
    faults.log("coordinator refused " + refused + " sends, " + queued + " bytes queued to peers");
    assertTrue(refused > 0, "sends to the paused node past its bound were refused: " + refused);
    assertTrue(
        queued <= (faults.nodes.size() - 1) * (HEAP / 8 + VALUE_BYTES),
        "bytes queued to peers stay within the bound per peer: " + queued);
    faults.nodes.stream()
        .filter(n -> n != victim)
        .forEach(
            n -> {
              assertTrue(n.isAlive(), n.name() + " is alive");
              assertEquals(200, n.http().get("/health/ready").status(), n.name() + " is ready");
            });

    victim.resume();
    faults.log("victim resumed (SIGCONT)");
    cluster.awaitAssert(
        DETECT,
        () ->
            faults.nodes.forEach(
                n ->
                    assertEquals(
                        faults.addresses(),
                        faults.upReachable(n),
                        n.name() + " sees all reachable")));
    faults.nodes.forEach(n -> assertTrue(n.isAlive(), n.name() + " is alive"));
  }

  private static long metric(NodeProcess node, String sample) {
    for (String line : node.http().get("/metrics").text().split("\n")) {
      if (line.startsWith(sample + " ")) {
        return (long) Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    throw new AssertionError("no " + sample + " in /metrics of " + node.name());
  }
}
