package io.ringstore.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ringstore.NodeConfig;
import io.ringstore.client.ReadOptions;
import io.ringstore.client.RingstoreClient;
import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.ring.Ring;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three data nodes (N=3, R=W=2) and one client member in this JVM, each its own actor system on
 * loopback with serialize-messages on: writes replicate to three distinct members, read back
 * through another node and through a client-role member, and a W the current members cannot meet
 * answers Unavailable instead of a false success (DESIGN invariants 1 and 2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThreeNodeClusterTest {
  private static final Duration MAX = Duration.ofSeconds(30);

  @TempDir static Path dir;
  private final List<TestNode> nodes = new ArrayList<>();
  private ActorSystem<Void> clientSystem;

  @BeforeAll
  void startTwoNodes() {
    nodes.add(TestNode.start(dir.resolve("n1"), 3, 2, 2).joinSelf());
    nodes.add(TestNode.start(dir.resolve("n2"), 3, 2, 2).join(nodes.get(0)));
    for (TestNode node : nodes) {
      node.awaitUpMembers(2, MAX).awaitReady(MAX);
    }
  }

  @AfterAll
  void stopAll() {
    if (clientSystem != null) {
      clientSystem.terminate();
      await(clientSystem);
    }
    nodes.forEach(TestNode::close);
  }

  @Test
  @Order(1)
  void aWriteNeedingMoreReplicasThanMembersIsUnavailable() throws Exception {
    RingstoreClient client = nodes.get(0).node().client();
    WriteResult result =
        client
            .put(
                "two-members",
                bytes("v"),
                "text/plain",
                null,
                new WriteOptions(Quorum.ALL, Duration.ofSeconds(3)))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    Outcome.Unavailable unavailable =
        assertInstanceOf(
            Outcome.Unavailable.class, result, "w=all with 2 of 3 members must not report success");
    assertEquals(3, unavailable.required(), "required");
    assertEquals(2, unavailable.replicas(), "the key has 2 replicas while 2 members are up");
    assertTrue(unavailable.acks() <= 2, "acks " + unavailable.acks());

    // w=2 with 2 members succeeds (once sharding placed the two replicas on the two members)
    awaitWritten(client, "two-members-w2", bytes("v"), Quorum.of(2));
  }

  @Test
  @Order(2)
  void aThirdNodeJoinsAndAWriteReachesThreeDistinctMembers() throws Exception {
    nodes.add(TestNode.start(dir.resolve("n3"), 3, 2, 2).join(nodes.get(0)));
    for (TestNode node : nodes) {
      node.awaitUpMembers(3, MAX).awaitReady(MAX);
    }
    RingstoreClient client = nodes.get(0).node().client();
    byte[] value = bytes("replicated to all");
    WriteResult.Written written = awaitWritten(client, "k-all", value);
    assertEquals(
        3,
        new HashSet<>(written.replicas()).size(),
        "w=all acked by three distinct members: " + written.replicas());

    // a replica that just moved to node 3 stores the write but counts toward R only once it caught
    // up (DESIGN invariant 2): until then r=all honestly answers Unavailable
    List<ReadResult.Found> reads = new ArrayList<>();
    new TestKit(Adapter.toClassic(nodes.get(0).system())) {
      {
        awaitAssert(
            MAX,
            Duration.ofMillis(200),
            () -> {
              ReadResult r =
                  nodes
                      .get(2)
                      .node()
                      .client()
                      .get("k-all", ReadOptions.r(Quorum.ALL))
                      .toCompletableFuture()
                      .join();
              reads.add(assertInstanceOf(ReadResult.Found.class, r, "r=all through node 3"));
              return null;
            });
      }
    };
    ReadResult.Found found = reads.get(reads.size() - 1);
    assertArrayEquals(value, found.values().get(0).data(), "value read through node 3");
    assertEquals(written.context(), found.context(), "context of the write");

    Ring ring = nodes.get(1).node().directory().ring();
    int partition = ring.partitionOf("k-all");
    Set<String> holders = new HashSet<>();
    for (int r = 0; r < 3; r++) {
      ReplicaEntity.ReadReply reply =
          nodes
              .get(1)
              .node()
              .directory()
              .entity(new ReplicaId(partition, r))
              .<ReplicaEntity.ReadReply>ask(
                  replyTo -> new ReplicaEntity.Read("k-all", replyTo), Duration.ofSeconds(5))
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      assertNotNull(reply.object(), "replica " + r + " on " + reply.node() + " holds the key");
      assertArrayEquals(
          value,
          StoredObjectCodec.decode(reply.object()).values().get(0).data(),
          "replica " + r + " value");
      holders.add(reply.node());
    }
    assertEquals(
        Set.copyOf(ring.replicas(partition)),
        holders,
        "the three replicas live on the partition's replica set");

    // every node remembers all three members in its data directory, for a restart whose seed is
    // itself (KnownMembers): the last member to come Up must not be missing from the file
    Set<String> names = new HashSet<>();
    nodes.forEach(node -> names.add(node.name()));
    new TestKit(Adapter.toClassic(nodes.get(0).system())) {
      {
        awaitAssert(
            MAX,
            Duration.ofMillis(200),
            () -> {
              for (String n : List.of("n1", "n2", "n3")) {
                assertEquals(
                    names,
                    Set.copyOf(KnownMembers.load(dir.resolve(n))),
                    n + " remembers every Up member");
              }
              // one cluster id, minted by the first member, learned by the others and kept in every
              // data directory (ClusterJoiner)
              Set<String> ids = new HashSet<>();
              for (String n : List.of("n1", "n2", "n3")) {
                ids.add(ClusterIdFile.load(dir.resolve(n)).orElse(null));
              }
              nodes.forEach(node -> ids.add(ClusterIdentity.get(node.system()).get()));
              assertEquals(1, ids.size(), "one cluster id everywhere: " + ids);
              assertNotNull(ids.iterator().next(), "the cluster has an id");
              return null;
            });
      }
    };
  }

  @Test
  @Order(3)
  void aClientRoleMemberReadsAndWritesWithoutHoldingData() throws Exception {
    Config config =
        NodeConfig.load(
            ConfigFactory.parseString(
                "ringstore.role = client\n"
                    + "ringstore.replication { n = 3, r = 2, w = 2 }\n"
                    + "pekko.cluster.roles = [client]\n"
                    + "pekko.remote.artery.canonical { hostname = \"127.0.0.1\", port = 0 }\n"
                    + "pekko.actor.serialize-messages = on\n"
                    + "pekko.coordinated-shutdown.exit-jvm = off\n"
                    + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                    + "pekko.loglevel = WARNING\n"),
            ConfigFactory.empty());
    clientSystem = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    Cluster.get(Adapter.toClassic(clientSystem)).join(nodes.get(0).cluster().selfAddress());
    RingstoreClient client = RingstoreClient.create(clientSystem);
    new TestKit(Adapter.toClassic(clientSystem)) {
      {
        awaitAssert(
            MAX,
            Duration.ofMillis(200),
            () -> {
              assertEquals(3, client.settings().replication().n());
              assertEquals(
                  4,
                  Cluster.get(Adapter.toClassic(clientSystem)).state().members().size(),
                  "3 data members and the client are members");
              return null;
            });
      }
    };
    byte[] value = bytes("from a client member");
    awaitWritten(client, "from-client", value);
    ReadResult read = client.get("from-client").toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertArrayEquals(value, assertInstanceOf(ReadResult.Found.class, read).values().get(0).data());
    Ring ring = nodes.get(0).node().directory().ring();
    assertEquals(3, ring.members().size(), "the client member is not part of the ring");
  }

  @Test
  @Order(4)
  void aValueOfTheMaximumSizeReplicatesBetweenNodes() throws Exception {
    byte[] value = new byte[1024 * 1024];
    new Random(7).nextBytes(value);
    WriteResult.Written written = awaitWritten(nodes.get(1).node().client(), "big", value);
    assertEquals(3, new HashSet<>(written.replicas()).size(), "1 MiB value acked by 3 members");
    ReadResult read =
        nodes
            .get(2)
            .node()
            .client()
            .get("big", ReadOptions.r(Quorum.ALL))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertArrayEquals(
        value,
        assertInstanceOf(ReadResult.Found.class, read).values().get(0).data(),
        "1 MiB value read back with r=all");
  }

  /** Retries a w=all write until sharding has placed all three replicas of its partition. */
  private WriteResult.Written awaitWritten(RingstoreClient client, String key, byte[] value) {
    return awaitWritten(client, key, value, Quorum.ALL);
  }

  /** Retries a write until it is acked by w replicas on distinct members. */
  private WriteResult.Written awaitWritten(
      RingstoreClient client, String key, byte[] value, Quorum w) {
    List<WriteResult.Written> result = new ArrayList<>();
    new TestKit(Adapter.toClassic(nodes.get(0).system())) {
      {
        awaitAssert(
            MAX,
            Duration.ofMillis(200),
            () -> {
              WriteResult r =
                  client
                      .put(
                          key,
                          value,
                          "text/plain",
                          null,
                          new WriteOptions(w, Duration.ofSeconds(3)))
                      .toCompletableFuture()
                      .join();
              result.add(
                  assertInstanceOf(WriteResult.Written.class, r, "w=" + w + " write of " + key));
              return null;
            });
      }
    };
    return result.get(result.size() - 1);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void await(ActorSystem<?> system) {
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
