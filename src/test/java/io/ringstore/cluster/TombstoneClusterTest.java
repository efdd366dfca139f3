package io.ringstore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delete acked by all three replicas leaves a tombstone that each replica reaps after the grace
 * period; the key then stays deleted, also through anti-entropy cycles (invariants 3 and 4).
 */
class TombstoneClusterTest {
  private static final Duration MAX = Duration.ofSeconds(40);
  private static final String FAST =
      "ringstore.tombstones { grace-period = 3s, reap-interval = 300ms }\n"
          + "ringstore.handoff.hint-window = 2s\n"
          + "ringstore.transfers.source-window = 2s\n"
          + "ringstore.anti-entropy { sessions-per-second = 100, max-concurrent-sessions = 4 }\n";

  @TempDir Path dir;
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    nodes.forEach(TestNode::close);
  }

  @Test
  void aDeleteEveryReplicaAckedIsReapedAndStaysDeleted() {
    nodes.add(TestNode.start(TestNode.config(dir.resolve("n1"), 3, 2, 2, FAST)).joinSelf());
    nodes.add(TestNode.start(TestNode.config(dir.resolve("n2"), 3, 2, 2, FAST)).join(nodes.get(0)));
    nodes.add(TestNode.start(TestNode.config(dir.resolve("n3"), 3, 2, 2, FAST)).join(nodes.get(0)));
    for (TestNode node : nodes) {
      node.awaitUpMembers(3, MAX).awaitReady(MAX);
    }
    var client = nodes.get(0).node().client();
    TestKit probe = new TestKit(Adapter.toClassic(nodes.get(0).system()));
    probe.awaitAssert(
        MAX,
        Duration.ofMillis(200),
        () -> {
          assertInstanceOf(
              WriteResult.Written.class,
              client
                  .put(
                      "gone",
                      "v".getBytes(StandardCharsets.UTF_8),
                      "text/plain",
                      null,
                      WriteOptions.w(Quorum.ALL))
                  .toCompletableFuture()
                  .join());
          return null;
        });
    WriteResult deleted =
        client.delete("gone", null, WriteOptions.w(Quorum.ALL)).toCompletableFuture().join();
    assertInstanceOf(WriteResult.Written.class, deleted, "delete acked by all replicas");
    int partition = nodes.get(0).node().directory().ring().partitionOf("gone");

    probe.awaitAssert(
        MAX,
        Duration.ofMillis(200),
        () -> {
          for (TestNode node : nodes) {
            assertTrue(
                node.node().store().read(partition, "gone").isEmpty(),
                "tombstone still stored on " + node.name());
          }
          return null;
        });
    ReadResult read = client.get("gone").toCompletableFuture().join();
    assertNull(
        assertInstanceOf(ReadResult.NotFound.class, read).context(),
        "no tombstone left anywhere: the key is simply absent");

    long exchangesBefore = totalExchanges();
    probe.awaitAssert(
        MAX,
        Duration.ofMillis(200),
        () -> {
          assertTrue(totalExchanges() > exchangesBefore + 200, "anti-entropy kept running");
          return null;
        });
    for (TestNode node : nodes) {
      assertTrue(
          node.node().store().read(partition, "gone").isEmpty(),
          "anti-entropy brought nothing back on " + node.name());
      assertEquals(
          0, node.node().store().pendingTombstones()[0], "nothing pending on " + node.name());
    }
  }

  private long totalExchanges() {
    return nodes.stream().mapToLong(n -> n.node().antiEntropy().totalExchanges()).sum();
  }
}
