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
 * Issue 15, item 3, the table's row scaled to a 2-core machine (DESIGN invariant 6): four real
 * nodes with the tests' -Xmx256m heaps and the default hint budget (sized from the disk, since
 * hints are an index in memory and their values on disk), one replica node paused, and 120 MiB of
 * w=1 writes of 1 MiB values to keys it replicates — hints kept in the heap would be half of it,
 * and the heap-sized budget of before refused most of them. Every write is answered 204 (or a
 * retryable 503, never a 500 or a reset), no node dies, the fallbacks take every hint (none
 * refused: together more than twice what an eighth of their heaps held), within their budget, and
 * after SIGCONT deliver all of them. (More than a heap of replica messages to the paused node:
 * {@link PeerQueueSmallHeapIT}.)
 */
class HintBudgetSmallHeapIT {
  private static final Duration DETECT = Duration.ofSeconds(20);
  private static final int VALUE_BYTES = 1 << 20;
  private static final int WRITES = 120;
  private static final long HEAP = 256L << 20;

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 300)
  void aPausedReplicaAndMoreHintsThanTheHeapHoldsLeaveEveryNodeServing() {
    FaultCluster faults = FaultCluster.start(cluster, tmp, 4);
    NodeProcess coordinator = faults.node(1);
    NodeProcess victim = faults.node(4);
    List<String> keys =
        new ArrayList<>(faults.keysReplicatedOn(coordinator, victim, "heap", WRITES).keySet());

    victim.pause();
    faults.log("victim " + victim.name() + " paused (SIGSTOP)");
    cluster.awaitAssert(
        DETECT,
        () ->
            assertTrue(
                faults.seesUnreachable(coordinator, victim), "victim unreachable for node-1"));

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

    // the victim's hints, and those of a live replica that was slow to ack, on every other node
    List<NodeProcess> holders = faults.nodes.stream().filter(n -> n != victim).toList();
    long acknowledged = statuses.getOrDefault(204, 0);
    cluster.awaitAssert(
        DETECT,
        () -> {
          long held = 0;
          long refused = 0;
          for (NodeProcess node : holders) {
            long budget = metric(node, "ringstore_hints_budget_bytes");
            assertTrue(
                budget > HEAP,
                node.name() + " budget sized from the disk, not the heap: " + budget);
            long bytes = metric(node, "ringstore_hints_bytes");
            assertTrue(bytes <= budget, node.name() + " holds at most its budget of hints");
            held += bytes;
            refused += metric(node, "ringstore_hints_refused_total{reason=\"budget\"}");
          }
          faults.log("the nodes hold " + held + " bytes of hints, refused " + refused);
          assertEquals(0, refused, "no hint is refused: the budget is disk");
          assertTrue(
              held >= acknowledged * VALUE_BYTES,
              "every acknowledged write's hint is held (on disk): " + held + " bytes");
          assertTrue(held > HEAP / 4, "more than the old heap-sized budgets held: " + held);
        });
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
    cluster.awaitAssert(
        FaultCluster.CONVERGE,
        () ->
            holders.forEach(
                n ->
                    assertEquals(
                        0,
                        metric(n, "ringstore_hints_queued"),
                        n.name() + " delivered its hints")));
    faults.log("hints delivered");
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
