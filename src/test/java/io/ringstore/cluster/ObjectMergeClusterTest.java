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
import io.ringstore.version.DvvSet;
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
    startThreeNodes(extra);
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

    awaitEveryReplicaHolds(partition, key, expected, limit);

    String context = readAllThroughEveryNode(key, expected);
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
                context,
                new WriteOptions(Quorum.ALL, Duration.ofSeconds(10)))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertInstanceOf(WriteResult.Written.class, resolved, "the resolving write: " + resolved);
  }

  /**
   * A merge larger than the large-message frame itself travels, in parts ({@code ObjectParts}):
   * max-object-size 1 MiB and a 4 MiB large frame (what InternodeFrames requires for N = 3); each
   * of the three replicas took three 300 KiB writes of its own while apart, and node 1's replica
   * also holds the entries of two further actors (replicas that moved while cut off wrote under
   * their own actor ids): 15 siblings of five actors, 4.5 MB, more than any one message may carry.
   * Before parts, every message carrying it was dropped by Artery and the replicas never converged.
   * Anti-entropy must bring all three to the same 15, each replica's answer (read in parts) and
   * r=all reads through every node must return them, and a write with the read's context resolves
   * them.
   */
  @Test
  void aMergeLargerThanTheFrameTravelsInPartsAndConverges() throws Exception {
    String extra =
        "ringstore.anti-entropy.sessions-per-second = 50\n"
            + "ringstore.requests.max-value-size = 512KiB\n"
            + "ringstore.requests.max-object-size = 1MiB\n"
            + "pekko.remote.artery.advanced.maximum-large-frame-size = 4MiB\n";
    startThreeNodes(extra);
    String key = "merged-above-the-frame";
    int partition = nodes.get(0).node().directory().ring().partitionOf(key);
    long frame = 4L << 20;
    int valueBytes = 300 * 1024;

    Set<String> expected = new HashSet<>();
    for (int side = 0; side < 3; side++) {
      LocalObjectStore store = nodes.get(side).node().store();
      for (int i = 1; i <= 3; i++) {
        String text = "node " + (side + 1) + " write " + i;
        store.coordinate(partition, key, value(text, valueBytes), Optional.empty(), false);
        expected.add(text);
      }
    }
    for (String actor : List.of("moved-replica-a", "moved-replica-b")) {
      List<Sibling> values = new ArrayList<>();
      for (int i = 3; i >= 1; i--) {
        String text = actor + " write " + i;
        values.add(value(text, valueBytes));
        expected.add(text);
      }
      nodes
          .get(0)
          .node()
          .store()
          .merge(
              partition,
              key,
              DvvSet.fromParts(List.of(new DvvSet.Entry<>(actor, 3, values)), List.of()));
    }
    assertEquals(15, expected.size());
    // each replica's own object is under the frame; only their merge is above it

    awaitEveryReplicaHolds(partition, key, expected, frame);

    String context = readAllThroughEveryNode(key, expected);
    WriteResult resolved =
        nodes
            .get(2)
            .node()
            .client()
            .put(
                key,
                value("resolved", 1024).data(),
                "text/plain",
                context,
                new WriteOptions(Quorum.ALL, Duration.ofSeconds(10)))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertInstanceOf(WriteResult.Written.class, resolved, "the resolving write: " + resolved);
    ReadResult after =
        nodes
            .get(0)
            .node()
            .client()
            .get(key, ReadOptions.r(Quorum.ALL).withTimeout(Duration.ofSeconds(10)))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    ReadResult.Found one = assertInstanceOf(ReadResult.Found.class, after, "after: " + after);
    assertEquals(Set.of("resolved"), texts(one.values()), "one value left");
  }

  /** Three data nodes (N=3, R=W=2) with {@code extra} configuration, joined and ready. */
  private void startThreeNodes(String extra) {
    nodes.add(TestNode.start(TestNode.config(dir.resolve("n1"), 3, 2, 2, extra)).joinSelf());
    for (String name : List.of("n2", "n3")) {
      nodes.add(
          TestNode.start(TestNode.config(dir.resolve(name), 3, 2, 2, extra)).join(nodes.get(0)));
    }
    for (TestNode node : nodes) {
      node.awaitUpMembers(3, MAX).awaitReady(MAX);
    }
  }

  /**
   * Awaits every replica of {@code key} holding exactly the siblings {@code expected} in an object
   * larger than {@code minBytes}, each replica read through node 2's gateway (a large object's
   * answer comes in parts and is joined there).
   */
  private void awaitEveryReplicaHolds(
      int partition, String key, Set<String> expected, long minBytes) {
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
                        .client()
                        .readReplica(new ReplicaId(partition, r), key, Duration.ofSeconds(5))
                        .toCompletableFuture()
                        .join();
                assertNotNull(reply.object(), "replica " + r + " holds the key");
                assertTrue(reply.object().length > minBytes, "the merged object is that large");
                assertEquals(
                    expected,
                    texts(StoredObjectCodec.decode(reply.object()).values()),
                    "replica " + r + " on " + reply.node());
              }
              return null;
            });
      }
    };
  }

  /**
   * r=all reads of {@code key} through every node until each returns the siblings {@code expected};
   * the context of the last. A read that meets a replica still busy with an anti-entropy exchange
   * of the key may time out under load (an honest Unavailable), so each node gets until MAX to
   * answer it.
   */
  private String readAllThroughEveryNode(String key, Set<String> expected) {
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
    return context[0];
  }

  private static Sibling value(String text) {
    return value(text, VALUE_BYTES);
  }

  private static Sibling value(String text, int bytes) {
    byte[] head = text.getBytes(StandardCharsets.UTF_8);
    byte[] v = new byte[bytes];
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
