package io.ringstore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.client.ReadOptions;
import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.replica.LocalObjectStore;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.replica.WriteAdmission;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas that each took client writes up to {@code max-object-size} while apart merge to an
 * object above it, and that object travels (DESIGN invariant 6): three data nodes in this JVM with
 * real Artery on loopback and the node's Artery settings (the large-message lane). Node 1's and
 * node 3's replicas of one key are given three 900 KiB siblings each, through each node's own store
 * as its replica applies a write (what a partition leaves: the replication messages never arrived);
 * anti-entropy alone must bring all three replicas to the same six siblings (5.4 MB, more than the
 * 4 MiB ordinary Artery frame: on a lane with that frame the messages were dropped and the replicas
 * never converged). Then r=all reads through every node return the six, a blind write is refused as
 * too large, and a write with the read's context resolves them.
 */
class ObjectMergeClusterTest {
  private static final Duration MAX = Duration.ofSeconds(60);
  private static final int VALUE_BYTES = 900 * 1024;

  @TempDir Path dir;
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    nodes.forEach(TestNode::close);
  }

  @Test
  void objectsAtTheLimitOnTwoReplicasMergeAboveItAndConverge() throws Exception {
    String extra = "ringstore.anti-entropy.sessions-per-second = 50\n";
    nodes.add(TestNode.start(TestNode.config(dir.resolve("n1"), 3, 2, 2, extra)).joinSelf());
    nodes.add(
        TestNode.start(TestNode.config(dir.resolve("n2"), 3, 2, 2, extra)).join(nodes.get(0)));
    nodes.add(
        TestNode.start(TestNode.config(dir.resolve("n3"), 3, 2, 2, extra)).join(nodes.get(0)));
    for (TestNode node : nodes) {
      node.awaitUpMembers(3, MAX).awaitReady(MAX);
    }
    String key = "merged-above-the-limit";
    int partition = nodes.get(0).node().directory().ring().partitionOf(key);
    long limit = nodes.get(0).settings().requests().maxObjectBytes();

    Set<String> expected = new HashSet<>();
    for (int side : new int[] {0, 2}) {
      LocalObjectStore store = nodes.get(side).node().store();
      for (int i = 1; i <= 3; i++) {
        String text = "node " + (side + 1) + " write " + i;
        store.coordinate(partition, key, value(text), Optional.empty(), false);
        expected.add(text);
      }
      WriteAdmission.WriteRefusedException refused =
          assertThrows(
              WriteAdmission.WriteRefusedException.class,
              () ->
                  store.coordinate(partition, key, value("one too many"), Optional.empty(), false),
              "a fourth 900 KiB sibling");
      assertEquals(WriteAdmission.Refusal.OBJECT_TOO_LARGE, refused.refusal(), "why");
      assertTrue(
          store.readEncoded(partition, key).orElseThrow().length <= limit,
          "each side stays under the limit");
    }

    new TestKit(Adapter.toClassic(nodes.get(1).system())) {
      {
        awaitAssert(
            MAX,
            Duration.ofMillis(500),
            () -> {
              for (int r = 0; r < 3; r++) {
                ReplicaEntity.ReadReply reply =
                    nodes
                        .get(1)
                        .node()
                        .directory()
                        .entity(new ReplicaId(partition, r))
                        .<ReplicaEntity.ReadReply>ask(
                            replyTo -> new ReplicaEntity.Read(key, replyTo), Duration.ofSeconds(5))
                        .toCompletableFuture()
                        .join();
                assertNotNull(reply.object(), "replica " + r + " holds the key");
                assertTrue(reply.object().length > limit, "the merged object is above the limit");
                assertEquals(
                    expected,
                    texts(StoredObjectCodec.decode(reply.object()).values()),
                    "replica " + r + " on " + reply.node());
              }
              return null;
            });
      }
    };

    // r=all reads of the merged object (three replies of ~5.4 MB each) through every node; a read
    // that meets a replica still busy with an anti-entropy exchange of the key may time out under
    // load (an honest Unavailable), so each node gets until MAX to answer it
    String[] context = new String[1];
    for (TestNode node : nodes) {
      new TestKit(Adapter.toClassic(node.system())) {
        {
          awaitAssert(
              MAX,
              Duration.ofMillis(500),
              () -> {
                ReadResult result =
                    node.node()
                        .client()
                        .get(key, ReadOptions.r(Quorum.ALL).withTimeout(Duration.ofSeconds(10)))
                        .toCompletableFuture()
                        .join();
                ReadResult.Found found =
                    assertInstanceOf(
                        ReadResult.Found.class, result, "r=all via " + node.name() + ": " + result);
                assertEquals(expected, texts(found.values()), "siblings via " + node.name());
                context[0] = found.context();
                return null;
              });
        }
      };
    }
    WriteResult blind =
        nodes
            .get(0)
            .node()
            .client()
            .put(
                key,
                value("blind").data(),
                "text/plain",
                null,
                new WriteOptions(Quorum.of(2), Duration.ofSeconds(10)))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, blind, "blind write");
    assertEquals(Outcome.Kind.OBJECT_TOO_LARGE, rejected.kind(), "why: " + rejected.reason());
    WriteResult resolved =
        nodes
            .get(0)
            .node()
            .client()
            .put(
                key,
                value("resolved").data(),
                "text/plain",
                context[0],
                new WriteOptions(Quorum.ALL, Duration.ofSeconds(10)))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertInstanceOf(WriteResult.Written.class, resolved, "the resolving write: " + resolved);
  }

  private static Sibling value(String text) {
    byte[] head = text.getBytes(StandardCharsets.UTF_8);
    byte[] v = new byte[VALUE_BYTES];
    Arrays.fill(v, (byte) 'x');
    System.arraycopy(head, 0, v, 0, head.length);
    return new Sibling(v, "text/plain", false);
  }

  private static Set<String> texts(List<Sibling> values) {
    Set<String> texts = new HashSet<>();
    for (Sibling s : values) {
      String text = new String(s.data(), StandardCharsets.UTF_8);
      texts.add(text.substring(0, text.indexOf('x')));
    }
    return texts;
  }
}
