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
 * Issue 15, item 3, the table's row scaled to a 2-core machine (DESIGN invariant 6): four real nodes
 * with the tests' -Xmx256m heaps and the default (heap-sized) hint budget, one replica node paused,
 * and 120 MiB of w=1 writes of 1 MiB values to keys it replicates — hints kept in the heap by count
 * would be half the heap. Every write is answered 204 (or a retryable 503, never a 500 or a reset),
 * no node dies, the fallbacks hold no more hint bytes than their budget and count what they refused,
 * and after SIGCONT they deliver what they hold.
 */
class HintBudgetSmallHeapIT {
  private static final Duration DETECT = Duration.ofSeconds(20);
  private static final int VALUE_BYTES = 1 << 20;
  private static final int WRITES = 120;

  @RegisterExtension
  final LocalCluster cluster = new LocalCluster();

  @TempDir
  Path tmp;

  @Test
  @Timeout(value = 300)
  void aPausedReplicaAndMoreHintsThanTheHeapHoldsLeaveEveryNodeServing() {
    FaultCluster faults = FaultCluster.start(cluster, tmp, 4);
    NodeProcess coordinator = faults.node(1);
    NodeProcess victim = faults.node(4);
    List<String> keys = new ArrayList<>(
        faults.keysReplicatedOn(coordinator, victim, "heap", WRITES).keySet());

    victim.pause();
    faults.log("victim " + victim.name() + " paused (SIGSTOP)");
    cluster.awaitAssert(DETECT, () ->
        assertTrue(faults.seesUnreachable(coordinator, victim), "victim unreachable for node-1"));

    Map<Integer, Integer> statuses = new TreeMap<>();
    byte[] value = new byte[VALUE_BYTES];
    for (String key : keys) {
      int status = coordinator.http().put("/kv/" + key + "?w=1", value, Map.of()).status();
      statuses.merge(status, 1, Integer::sum);
    }
    faults.log("answers to " + WRITES + " writes of 1 MiB: " + statuses);
    assertTrue(statuses.keySet().stream().allMatch(s -> s == 204 || s == 503),
        "only 204 or a retryable 503: " + statuses);
    assertTrue(statuses.getOrDefault(204, 0) > 0, "writes are stored: " + statuses);

    List<NodeProcess> fallbacks = List.of(faults.node(2), faults.node(3));
    long refused = 0;
    for (NodeProcess node : fallbacks) {
      long budget = metric(node, "ringstore_hints_budget_bytes");
      assertTrue(budget > 0 && budget <= (64L << 20), node.name() + " budget sized from the heap");
      assertTrue(metric(node, "ringstore_hints_bytes") <= budget,
          node.name() + " holds at most its budget of hints");
      refused += metric(node, "ringstore_hints_refused_total{reason=\"budget\"}");
    }
    assertTrue(refused > 0, "hints past the budget were refused and counted");
    faults.nodes.stream().filter(n -> n != victim).forEach(n -> {
      assertTrue(n.isAlive(), n.name() + " is alive");
      assertEquals(200, n.http().get("/health/ready").status(), n.name() + " is ready");
    });

    victim.resume();
    faults.log("victim resumed (SIGCONT)");
    cluster.awaitAssert(DETECT, () -> faults.nodes.forEach(n ->
        assertEquals(faults.addresses(), faults.upReachable(n), n.name() + " sees all reachable")));
    cluster.awaitAssert(FaultCluster.CONVERGE, () -> fallbacks.forEach(n ->
        assertEquals(0, metric(n, "ringstore_hints_queued"), n.name() + " delivered its hints")));
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
