package io.ringstore.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.ring.Ring;
import io.ringstore.testing.TestNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anti-entropy refills a replica whose data directory was wiped: three nodes (N=3), keys written
 * with w=all, node 3 stopped, its data deleted, and restarted on the same address. Without any
 * client read (so no read repair), node 3's replicas hold every key again once the exchanges ran
 * (invariant 4).
 */
class AntiEntropyClusterTest {
  private static final Duration MAX = Duration.ofSeconds(60);
  private static final String FAST_AE =
      "ringstore.anti-entropy { sessions-per-second = 100, " + "max-concurrent-sessions = 4 }\n";

  @TempDir Path dir;
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    nodes.forEach(TestNode::close);
  }

  @Test
  void aWipedReplicaIsRefilledWithoutReads() throws Exception {
    int port3 = freePort();
    nodes.add(TestNode.start(TestNode.config(dir.resolve("n1"), 3, 2, 2, FAST_AE)).joinSelf());
    nodes.add(
        TestNode.start(TestNode.config(dir.resolve("n2"), 3, 2, 2, FAST_AE)).join(nodes.get(0)));
    nodes.add(start3(port3));
    for (TestNode node : nodes) {
      node.awaitUpMembers(3, MAX).awaitReady(MAX);
    }
    var client = nodes.get(0).node().client();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String key = "ae-" + i;
      keys.add(key);
      byte[] value = ("v" + i).getBytes(StandardCharsets.UTF_8);
      // right after start-up sharding may still be separating replicas that had to share a node
      // (such a write is honestly answered 503): retry until all three replicas ack
      new TestKit(Adapter.toClassic(nodes.get(0).system())) {
        {
          awaitAssert(
              MAX,
              Duration.ofMillis(200),
              () -> {
                WriteResult result =
                    client
                        .put(key, value, "text/plain", null, WriteOptions.w(Quorum.ALL))
                        .toCompletableFuture()
                        .join();
                assertInstanceOf(
                    WriteResult.Written.class, result, "w=all write of " + key + ": " + result);
                return null;
              });
        }
      };
    }
    String node3 = nodes.get(2).name();

    nodes.remove(2).close();
    deleteRecursively(dir.resolve("n3"));
    nodes.get(0).awaitUpMembers(2, MAX);
    nodes.add(start3(port3));
    assertEquals(node3, nodes.get(2).name(), "node 3 is back on the same address");
    for (TestNode node : nodes) {
      node.awaitUpMembers(3, MAX).awaitReady(MAX);
    }

    TestNode observer = nodes.get(0);
    new TestKit(Adapter.toClassic(observer.system())) {
      {
        awaitAssert(
            MAX,
            Duration.ofMillis(500),
            () -> {
              int missing = 0;
              for (String key : keys) {
                if (!node3Holds(observer, node3, key)) {
                  missing++;
                }
              }
              assertEquals(0, missing, "keys still missing on the wiped node");
              return null;
            });
      }
    };
    assertTrue(
        nodes.get(2).node().antiEntropy().totalExchanges()
                + nodes.get(0).node().antiEntropy().totalExchanges()
            > 0,
        "exchanges ran");
  }

  private TestNode start3(int port) {
    return TestNode.start(
            TestNode.config(
                dir.resolve("n3"),
                3,
                2,
                2,
                FAST_AE + "pekko.remote.artery.canonical.port = " + port))
        .join(nodes.get(0));
  }

  /** Reads node 3's replica of the key directly (no coordinator, so no read repair). */
  private static boolean node3Holds(TestNode observer, String node3, String key) {
    Ring ring = observer.node().directory().ring();
    int partition = ring.partitionOf(key);
    for (int r = 0; r < ring.replicas(partition).size(); r++) {
      ReplicaEntity.ReadReply reply =
          observer
              .node()
              .directory()
              .entity(new ReplicaId(partition, r))
              .<ReplicaEntity.ReadReply>ask(
                  to -> new ReplicaEntity.Read(key, to), Duration.ofSeconds(3))
              .toCompletableFuture()
              .join();
      if (reply.node().equals(node3)) {
        return reply.object() != null;
      }
    }
    return false;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    try (Stream<Path> files = Files.walk(path)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    assertNotNull(path);
  }
}
