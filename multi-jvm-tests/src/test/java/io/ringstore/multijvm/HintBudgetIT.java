package io.ringstore.multijvm;

import static io.ringstore.multijvm.FaultCluster.put;
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
 * Issue 15, item 3 (DESIGN invariant 6): hints are budgeted in bytes. Four real nodes with the
 * tests' small heaps (-Xmx256m) and a hint budget of 2 MiB per node; a replica node is paused
 * (SIGSTOP) and 12 MiB of w=1 writes of 256 KiB values go to keys it replicates. Every write is
 * answered 204 (never a 500), no node dies, the fallbacks refuse the hints past their budget and
 * count them, and they hold no more than the budget; a sloppy w=3 write whose hint is refused is a
 * 503 (a refused hint does not count toward W). After SIGCONT the accepted hints are delivered and
 * every replica converges (anti-entropy repairs the keys whose hints were refused).
 */
class HintBudgetIT {
  private static final Duration DETECT = Duration.ofSeconds(20);
  private static final int BUDGET = 2 << 20;
  private static final int VALUE_BYTES = 256 << 10;
  private static final int KEYS = 48;

  /**
   * Keys held back to top the fallbacks' budgets up before each sloppy try, and for those tries.
   */
  private static final int SPARES = 12;

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 300)
  void hintsPastTheBudgetAreRefusedCountedAndTheRestDelivered() {
    FaultCluster faults =
        FaultCluster.start(
            cluster,
            tmp,
            4,
            FaultCluster.TEST_CONFIG
                + "ringstore.handoff { max-hint-bytes = "
                + BUDGET
                + ", max-hint-bytes-per-target = "
                + BUDGET
                + " }\n",
            i -> NodeHost.LOOPBACK);
    NodeProcess coordinator = faults.node(1);
    NodeProcess victim = faults.node(4);
    List<String> keys =
        new ArrayList<>(
            faults.keysReplicatedOn(coordinator, victim, "budget", KEYS + 2 * SPARES).keySet());
    List<String> spares = new ArrayList<>(keys.subList(KEYS, keys.size()));
    keys.subList(KEYS, keys.size()).clear();

    victim.pause();
    faults.log("victim " + victim.name() + " paused (SIGSTOP)");
    cluster.awaitAssert(
        DETECT,
        () ->
            assertTrue(
                faults.seesUnreachable(coordinator, victim), "victim unreachable for node-1"));

    Map<String, String> expected = new LinkedHashMap<>();
    for (String key : keys) {
      String value = key + ":" + "x".repeat(VALUE_BYTES);
      NodeHttp.Response answer = put(coordinator, key, value, "w=1", null);
      assertEquals(
          204,
          answer.status(),
          () -> "w=1 PUT " + key + " while a replica is paused: " + answer.text());
      expected.put(key, value);
    }
    faults.log(KEYS + " writes of " + VALUE_BYTES + " bytes answered 204");

    List<NodeProcess> fallbacks = List.of(faults.node(2), faults.node(3));
    cluster.awaitAssert(
        DETECT,
        () ->
            fallbacks.forEach(
                node -> {
                  assertTrue(
                      metric(node, "ringstore_hints_refused_total{reason=\"budget\"}") > 0,
                      node.name() + " refused hints past its budget and counted them");
                  assertTrue(
                      metric(node, "ringstore_hints_bytes") <= BUDGET,
                      node.name() + " holds at most its budget of hints");
                }));
    long queued = fallbacks.stream().mapToLong(n -> metric(n, "ringstore_hints_queued")).sum();
    assertTrue(queued > 0, "the hints within the budget are queued");
    faults.log(queued + " hints queued within the budget, the rest refused");

    // Under load some writes also leave hints for healthy replicas whose ack came late; once those
    // are delivered their bytes are free again and a new hint for the victim may fit (a 204 then is
    // right). So each round first tops the fallbacks up with w=1 writes to the victim's keys, then
    // tries a sloppy w=3 write of a fresh key: once a fallback's budget is full, its hint is
    // refused
    // and the write is a 503.
    cluster.awaitAssert(
        DETECT,
        () -> {
          for (int i = 0; i < 2 && spares.size() > 1; i++) {
            String filler = spares.remove(0);
            String value = filler + ":" + "x".repeat(VALUE_BYTES);
            if (put(coordinator, filler, value, "w=1", null).status() == 204) {
              expected.put(filler, value);
            }
          }
          String sloppyKey = spares.remove(0);
          NodeHttp.Response sloppy =
              put(
                  coordinator,
                  sloppyKey,
                  sloppyKey + ":" + "y".repeat(VALUE_BYTES),
                  "w=3&sloppy=true",
                  null);
          assertEquals(
              503,
              sloppy.status(),
              () -> "a refused hint does not count toward a sloppy W: " + sloppy.text());
        });
    faults.nodes.forEach(n -> assertTrue(n.isAlive(), n.name() + " is alive"));

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
            fallbacks.forEach(
                n ->
                    assertEquals(
                        0,
                        metric(n, "ringstore_hints_queued"),
                        n.name() + " delivered its hints")));
    long delivered =
        fallbacks.stream().mapToLong(n -> metric(n, "ringstore_hints_delivered_total")).sum();
    assertTrue(delivered >= queued, "every hint within the budget was delivered: " + delivered);
    cluster.awaitAssert(
        FaultCluster.CONVERGE,
        () ->
            expected.forEach(
                (key, value) -> faults.assertAllReplicasHold(coordinator, key, value)));
    faults.log("replicas converged");
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
