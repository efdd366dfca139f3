package io.ringstore.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runner against {@link FakeNode}s: a correct store passes, a store that forgets acknowledged
 * writes shows lost writes and stale reads, replicas that never agree do not converge, and a node
 * that refuses connections only yields failed operations.
 */
class ConsistencyCheckTest {

  /**
   * One short run first, its report unused: the JVM's first HTTP requests (class loading of the
   * HTTP client, Jackson, the health monitor's first round) took over the 800 ms of a test's load
   * on a loaded 2-core box, so that no write was sent at all.
   */
  @BeforeAll
  static void warmUp() throws Exception {
    try (FakeNode node = new FakeNode(FakeNode.Behaviour.CORRECT)) {
      ConsistencyCheck.run(options(List.of(node.address())).withDuration(Duration.ofMillis(300)));
    }
  }

  private static CheckOptions options(List<String> nodes) {
    return CheckOptions.defaults(nodes)
        .withClients(2)
        .withKeysPerClient(2)
        .withDuration(Duration.ofMillis(800))
        .withConvergeTimeout(Duration.ofSeconds(5))
        .withRequestTimeout(Duration.ofMillis(500));
  }

  @Test
  void aCorrectStorePasses() throws Exception {
    try (FakeNode node = new FakeNode(FakeNode.Behaviour.CORRECT)) {
      Report report = ConsistencyCheck.run(options(List.of(node.address())));
      assertTrue(report.passed(), report.toText());
      assertTrue(report.writesAcknowledged() > 4, "writes went through: " + report.toText());
      assertEquals(4, report.keys(), "2 clients x 2 keys");
      assertEquals(report.writesAcknowledged(), report.opsByOutcome().get("write 204"), "outcomes");
      assertEquals(4L, report.opsByOutcome().get("final-read 200"), "one final read per key");
    }
  }

  @Test
  void aStoreThatForgetsAcknowledgedWritesFails() throws Exception {
    try (FakeNode node = new FakeNode(FakeNode.Behaviour.FORGETS_WRITES)) {
      Report report = ConsistencyCheck.run(options(List.of(node.address())));
      assertFalse(report.passed(), report.toText());
      assertEquals(
          4, report.lostWrites().size(), "every key lost its later writes: " + report.toText());
      assertTrue(report.staleReads() > 0, "reads saw the first write only: " + report.toText());
      assertTrue(report.convergence().converged(), "its replicas agree (on the wrong value)");
    }
  }

  @Test
  void replicasThatNeverAgreeDoNotConverge() throws Exception {
    try (FakeNode node = new FakeNode(FakeNode.Behaviour.REPLICAS_DIFFER)) {
      Report report =
          ConsistencyCheck.run(
              options(List.of(node.address())).withConvergeTimeout(Duration.ofSeconds(1)));
      assertFalse(report.convergence().converged(), report.toText());
      assertEquals(
          4, report.convergence().notConverged().size(), "every key named: " + report.toText());
      assertTrue(report.lostWrites().isEmpty(), "nothing lost: " + report.toText());
    }
  }

  @Test
  void aNodeRefusingConnectionsYieldsFailedOperationsAndFaultWindowsCountThem() throws Exception {
    String refusing;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      refusing = "127.0.0.1:" + closed.getLocalPort();
    }
    try (FakeNode node = new FakeNode(FakeNode.Behaviour.CORRECT)) {
      ConsistencyCheck.Handle handle =
          ConsistencyCheck.start(options(List.of(node.address(), refusing)));
      handle.markFault("a node refuses connections");
      handle.awaitLoad(Duration.ofMillis(800));
      handle.endFault();
      Report report = handle.stop();
      assertTrue(report.passed(), report.toText());
      assertTrue(
          report.opsByOutcome().getOrDefault("read connection-refused", 0L)
                  + report.opsByOutcome().getOrDefault("write connection-refused", 0L)
              > 0,
          report.toText());
      assertTrue(report.availability().ratio() < 1.0, "some failed: " + report.toText());
      assertEquals(1, report.faults().size(), "the fault window: " + report.toText());
      assertEquals(
          report.availability(),
          report.availabilityDuringFaults(),
          "the whole load ran inside the window: " + report.toText());
      String refused = refusing;
      assertTrue(
          report.observedFaults().stream()
              .anyMatch(f -> f.name().startsWith(refused + " not answering")),
          "the health monitor saw it: " + report.toText());
      assertEquals(
          report.availabilityToUpNodes().attempted(),
          report.availabilityToUpNodes().succeeded(),
          "what went to the node that answers all succeeded: " + report.toText());
      assertTrue(
          report.availabilityToUpNodes().attempted() < report.availability().attempted(),
          "what went to the refusing node is left out: " + report.toText());
    }
  }

  @Test
  void endpointsAddedAndRemovedWhileRunningGetTheRequestsFromThenOn() throws Exception {
    String refusing;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      refusing = "127.0.0.1:" + closed.getLocalPort();
    }
    try (FakeNode node = new FakeNode(FakeNode.Behaviour.CORRECT)) {
      ConsistencyCheck.Handle handle = ConsistencyCheck.start(options(List.of(refusing)));
      await(() -> handle.progress().failed() > 0, "requests go to the only node, which refuses");
      assertEquals(0, handle.progress().acknowledgedWrites(), "nothing acknowledged yet");

      handle.addEndpoint(node.address());
      handle.addEndpoint(node.address());
      assertEquals(List.of(refusing, node.address()), handle.endpoints(), "added once");
      await(() -> handle.progress().acknowledgedWrites() > 0, "the added node gets requests");

      handle.removeEndpoint(refusing);
      assertEquals(List.of(node.address()), handle.endpoints(), "removed");
      long failedAtRemoval = handle.progress().failed();
      long served = node.kvRequests();
      await(() -> node.kvRequests() > served + 20, "the load goes on through the remaining node");
      Report report = handle.stop();

      assertTrue(report.passed(), report.toText());
      long refused =
          report.opsByOutcome().getOrDefault("read connection-refused", 0L)
              + report.opsByOutcome().getOrDefault("write connection-refused", 0L);
      assertTrue(
          refused <= failedAtRemoval + 2,
          () ->
              "at most one request in flight per client "
                  + "reached the removed node after its removal: "
                  + failedAtRemoval
                  + " failed before, "
                  + refused
                  + " in all\n"
                  + report.toText());
      assertEquals(
          4L, report.opsByOutcome().get("final-read 200"), "final reads on the remaining node");
    }
  }

  @Test
  void endpointChangesAreValidated() throws Exception {
    try (FakeNode node = new FakeNode(FakeNode.Behaviour.CORRECT)) {
      ConsistencyCheck.Handle handle = ConsistencyCheck.start(options(List.of(node.address())));
      try {
        record Case(String name, Runnable change, Class<? extends Exception> thrown) {}
        for (Case c :
            List.of(
                new Case(
                    "not host:port",
                    () -> handle.addEndpoint("no-port"),
                    IllegalArgumentException.class),
                new Case(
                    "port out of range",
                    () -> handle.addEndpoint("h:70000"),
                    IllegalArgumentException.class),
                new Case("null", () -> handle.addEndpoint(null), IllegalArgumentException.class),
                new Case(
                    "the last node",
                    () -> handle.removeEndpoint(node.address()),
                    IllegalStateException.class))) {
          assertThrows(c.thrown(), c.change()::run, c.name());
          assertEquals(
              List.of(node.address()), handle.endpoints(), c.name() + ": endpoints unchanged");
        }
        handle.removeEndpoint("127.0.0.1:1");
        assertEquals(
            List.of(node.address()),
            handle.endpoints(),
            "removing an unknown node changes nothing");
      } finally {
        handle.abort();
      }
    }
  }

  /** Polls {@code condition} (a check of the running load, not a timing) for at most 10 s. */
  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "within 10 s: " + what);
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }

  @Test
  void replicaStatesAreJudgedConvergedOnlyWhenAllAnswerWithTheSameValues() throws Exception {
    var json = new ObjectMapper();
    String v3 = Base64.getEncoder().encodeToString(ValueFormat.value("k", 3, 8));
    String v4 = Base64.getEncoder().encodeToString(ValueFormat.value("k", 4, 8));
    record Case(String name, String replicas, String problem, long maxSeq) {}
    for (Case c :
        List.of(
            new Case(
                "all equal",
                "[{'replica':'1:0','node':'a','found':true,'values':['V3','V4']},"
                    + "{'replica':'1:1','node':'b','found':true,'values':['V4','V3']}]",
                null,
                4),
            new Case(
                "all empty",
                "[{'replica':'1:0','node':'a','found':false,'values':[]},"
                    + "{'replica':'1:1','node':'b','found':false,'values':[]}]",
                null,
                0),
            new Case(
                "one behind",
                "[{'replica':'1:0','node':'a','found':true,'values':['V3']},"
                    + "{'replica':'1:1','node':'b','found':true,'values':['V4']}]",
                "replicas differ, seqs {1:0=[3], 1:1=[4]}",
                4),
            new Case(
                "one silent",
                "[{'replica':'1:0','node':'a','found':true,'values':['V4']},"
                    + "{'replica':'1:1','found':false,'values':[],'error':'no answer: timeout'}]",
                "replica 1:1 did not answer (no answer: timeout)",
                4),
            new Case("none listed", "[]", "no replica listed: {\"replicas\":[]}", 0))) {
      var states =
          json.readTree(
              ("{'replicas':" + c.replicas() + "}")
                  .replace('\'', '"')
                  .replace("V3", v3)
                  .replace("V4", v4));
      var view = ConsistencyCheck.Handle.replicaView("k", states);
      assertEquals(c.problem(), view.problem(), c.name() + ": the problem");
      assertEquals(c.maxSeq(), view.maxSeq(), c.name() + ": the highest seq");
    }
  }

  @Test
  void valuesCarryTheirKeyAndSequenceNumber() {
    byte[] value = ValueFormat.value("k-1", 42, 20);
    assertEquals(
        "k-1:42:xxxxxxxxxxxxx", new String(value, StandardCharsets.UTF_8), "padded to 20 bytes");
    assertEquals(42L, ValueFormat.seqOf("k-1", value).orElseThrow(), "the seq read back");
    assertEquals(
        "k-1:7:",
        new String(ValueFormat.value("k-1", 7, 1), StandardCharsets.UTF_8),
        "never shorter than its prefix");
    assertTrue(ValueFormat.seqOf("k-2", value).isEmpty(), "another key's value");
    assertTrue(
        ValueFormat.seqOf("k-1", "k-1:x:".getBytes(StandardCharsets.UTF_8)).isEmpty(),
        "not a number");
    assertTrue(
        ValueFormat.seqOf("k-1", "k-1:5".getBytes(StandardCharsets.UTF_8)).isEmpty(),
        "no separator after the seq");
  }
}
