package io.ringstore.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.client.ReadOptions;
import io.ringstore.client.RingstoreClient;
import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.ring.Ring;
import io.ringstore.storage.Sibling;
import io.ringstore.testing.TestNode;
import io.ringstore.transfer.TransferTracker;
import io.ringstore.version.DvvSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four data nodes (N=3, R=W=2) in this JVM with serialize-messages on and anti-entropy off: keys
 * written to three nodes reach a fourth node that joins, through the partition transfers of the
 * replicas that move to it (a copy from each replica's previous host, then tree syncs), before any
 * client read could have repaired them; the moved replicas then count toward R and every key reads
 * back with r=all (DESIGN invariants 1 and 2 across a join).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransferClusterTest {
  private static final Duration MAX = Duration.ofSeconds(90);
  private static final Duration PLACED = Duration.ofSeconds(180);
  private static final int KEYS = 100;

  /**
   * Anti-entropy off: only the transfers may bring data to the new node. A short copy-source
   * window, so that the previous hosts reclaim the partitions that moved away within the test.
   */
  private static final String CONFIG =
      """
      ringstore.anti-entropy.enabled = off
      ringstore.transfers.source-window = 30s
      ringstore.transfers.reclaim-interval = 500ms
      """;

  private static final Duration RECLAIMED = Duration.ofSeconds(120);

  @TempDir static Path dir;
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterAll
  void stopAll() {
    nodes.forEach(TestNode::close);
  }

  private TestNode start(String name) {
    return TestNode.start(TestNode.config(dir.resolve(name), 3, 2, 2, CONFIG));
  }

  @Test
  void aJoiningNodeCopiesAndSyncsTheReplicasThatMoveToIt() throws Exception {
    nodes.add(start("n1").joinSelf());
    nodes.add(start("n2").join(nodes.get(0)));
    nodes.add(start("n3").join(nodes.get(0)));
    for (TestNode node : nodes) {
      node.awaitUpMembers(3, MAX).awaitReady(MAX);
    }
    TestNode first = nodes.get(0);
    Set<String> oldNodes = Set.of(nodes.get(0).name(), nodes.get(1).name(), nodes.get(2).name());
    awaitPlacement(first, oldNodes);

    RingstoreClient client = first.node().client();
    Map<String, byte[]> written = new LinkedHashMap<>();
    for (int i = 0; i < KEYS; i++) {
      String key = "transfer/" + i;
      byte[] value = ("value " + i).getBytes(StandardCharsets.UTF_8);
      WriteResult result =
          client
              .put(
                  key,
                  value,
                  "text/plain",
                  null,
                  new WriteOptions(Quorum.ALL, Duration.ofSeconds(5)))
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      assertInstanceOf(WriteResult.Written.class, result, "w=all write of " + key + " on 3 nodes");
      written.put(key, value);
    }

    TestNode fourth = start("n4").join(first);
    nodes.add(fourth);
    for (TestNode node : nodes) {
      node.awaitUpMembers(4, MAX).awaitReady(MAX);
    }
    Set<String> allNodes = new HashSet<>(oldNodes);
    allNodes.add(fourth.name());
    Ring ring = awaitPlacement(fourth, allNodes);

    // which replicas moved to the new node, and from where (the member that left each replica set)
    Map<Integer, String> previousHost = new HashMap<>();
    for (int p = 0; p < ring.partitionCount(); p++) {
      List<String> replicas = ring.replicas(p);
      if (replicas.contains(fourth.name())) {
        Set<String> left = new HashSet<>(oldNodes);
        left.removeAll(replicas);
        assertEquals(
            1, left.size(), "partition " + p + ": one old member left its set " + replicas);
        previousHost.put(p, left.iterator().next());
      }
    }
    assertFalse(previousHost.isEmpty(), "some replicas moved to the new node");

    Map<Integer, Long> keysByPartition = new HashMap<>();
    for (String key : written.keySet()) {
      keysByPartition.merge(ring.partitionOf(key), 1L, Long::sum);
    }

    // every transfer on the new node is done; those of partitions with keys copied them all from
    // the
    // previous host
    TransferTracker tracker = fourth.node().transfers();
    assertNotNull(tracker, "a data node has a transfer tracker");
    awaitAssert(
        fourth,
        MAX,
        () -> {
          Map<Integer, TransferTracker.Transfer> byPartition = new HashMap<>();
          for (TransferTracker.Transfer t : tracker.all()) {
            assertEquals(fourth.name(), t.node());
            assertFalse(
                byPartition.containsKey(t.partition()),
                "one transfer per partition on the new node: " + tracker.all());
            byPartition.put(t.partition(), t);
          }
          assertEquals(
              previousHost.keySet(),
              byPartition.keySet(),
              "a transfer for every partition whose replica moved here");
          for (var entry : byPartition.entrySet()) {
            int p = entry.getKey();
            TransferTracker.Transfer t = entry.getValue();
            assertEquals(TransferTracker.State.done, t.state(), "partition " + p + ": " + t);
            long expected = keysByPartition.getOrDefault(p, 0L);
            if (expected > 0) {
              // from the entity's previous host: the member that left the ring's replica set, or
              // the old
              // member that ran this very entity (p:r) before it moved here (where sharding placed
              // the
              // entities depends on the order the regions registered: replicas start eagerly)
              assertTrue(
                  previousHost.get(p).equals(t.source()) || oldNodes.contains(t.source()),
                  "partition " + p + " copied from a previous host: " + t);
              assertEquals(expected, t.keys(), "partition " + p + ": keys copied: " + t);
            }
          }
          return null;
        });

    // the new node's own store holds every key of the partitions it now hosts, before any read
    int checked = 0;
    for (var entry : written.entrySet()) {
      int p = ring.partitionOf(entry.getKey());
      if (!previousHost.containsKey(p)) {
        continue;
      }
      checked++;
      Optional<DvvSet<Sibling>> stored = fourth.node().store().read(p, entry.getKey());
      assertTrue(stored.isPresent(), entry.getKey() + " (partition " + p + ") is on the new node");
      for (Sibling value : stored.get().values()) {
        assertArrayEquals(entry.getValue(), value.data(), entry.getKey() + " on the new node");
      }
    }
    assertTrue(checked > 0, "some written keys are in partitions that moved");

    // GET /admin/transfers on an old node reports the new node's transfers, all done
    int port = first.awaitReady(MAX);
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/transfers"))
                    .timeout(Duration.ofSeconds(10))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    JsonNode view = new ObjectMapper().readTree(response.body());
    Set<Integer> reported = new HashSet<>();
    for (JsonNode t : view.get("transfers")) {
      if (t.get("node").asText().equals(fourth.name())) {
        assertEquals("done", t.get("state").asText(), t.toString());
        reported.add(t.get("partition").asInt());
      }
    }
    assertEquals(previousHost.keySet(), reported, "the new node's transfers in " + response.body());
    assertEquals(view.get("summary").get("done").asLong(), countDone(view), response.body());

    // the new node's /metrics counts what its transfers copied
    int fourthPort = fourth.awaitReady(MAX);
    long keysCopied = tracker.all().stream().mapToLong(TransferTracker.Transfer::keys).sum();
    assertTrue(keysCopied > 0, "some keys were copied");
    assertEquals(
        keysCopied,
        metric(fourthPort, "ringstore_transfer_keys_total"),
        "ringstore_transfer_keys_total: every key the transfers copied");
    assertEquals(
        tracker.all().stream().mapToLong(TransferTracker.Transfer::bytes).sum(),
        metric(fourthPort, "ringstore_transfer_bytes_total"),
        "ringstore_transfer_bytes_total: every byte the transfers copied");
    assertEquals(
        previousHost.size(),
        metric(fourthPort, "ringstore_transfers{state=\"done\"}"),
        "ringstore_transfers{state=done}: one per moved replica");

    // the moved replicas count toward R: every key reads back with r=all through the new node
    RingstoreClient fourthClient = fourth.node().client();
    for (var entry : written.entrySet()) {
      ReadResult read =
          fourthClient
              .get(entry.getKey(), ReadOptions.r(Quorum.ALL))
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      ReadResult.Found found =
          assertInstanceOf(ReadResult.Found.class, read, "r=all read of " + entry.getKey());
      assertEquals(1, found.values().size(), entry.getKey() + ": one value");
      assertArrayEquals(entry.getValue(), found.values().get(0).data(), entry.getKey());
      assertEquals(
          3, new HashSet<>(found.replicas()).size(), entry.getKey() + ": " + found.replicas());
    }

    // a window after the moves, each previous host has deleted its copy of the partitions it no
    // longer replicates and kept all it still does; every key still reads back from three replicas
    Map<String, TestNode> byName = new HashMap<>();
    nodes.forEach(node -> byName.put(node.name(), node));
    awaitAssert(
        first,
        RECLAIMED,
        () -> {
          for (var moved : previousHost.entrySet()) {
            assertFalse(
                byName.get(moved.getValue()).node().store().holdsData(moved.getKey()),
                "partition "
                    + moved.getKey()
                    + " reclaimed on its previous host "
                    + moved.getValue());
          }
          return null;
        });
    long movedKeys =
        previousHost.keySet().stream().mapToLong(p -> keysByPartition.getOrDefault(p, 0L)).sum();
    // a partition that held no data on its previous host has nothing to reclaim there
    long movedWithKeys =
        previousHost.keySet().stream().filter(p -> keysByPartition.getOrDefault(p, 0L) > 0).count();
    awaitAssert(
        first,
        MAX,
        () -> {
          // counted once the reclaimer hears its drop finished, just after the data is gone
          long reclaimedPartitions = 0;
          long reclaimedKeys = 0;
          for (TestNode node : nodes) {
            int nodePort = node.awaitReady(MAX);
            reclaimedPartitions += metric(nodePort, "ringstore_reclaimed_partitions_total");
            reclaimedKeys += metric(nodePort, "ringstore_reclaimed_keys_total");
          }
          assertTrue(
              reclaimedPartitions >= movedWithKeys,
              "ringstore_reclaimed_partitions_total"
                  + " counts each moved partition its previous host dropped: "
                  + reclaimedPartitions
                  + " < "
                  + movedWithKeys);
          assertTrue(
              reclaimedKeys >= movedKeys,
              "ringstore_reclaimed_keys_total counts their keys: "
                  + reclaimedKeys
                  + " < "
                  + movedKeys);
          return null;
        });
    for (TestNode node : nodes) {
      for (int p : keysByPartition.keySet()) {
        if (ring.replicas(p).contains(node.name())) {
          assertTrue(
              node.node().store().holdsData(p),
              "partition " + p + " is kept on " + node.name() + ", one of its replicas");
        }
      }
    }
    for (var entry : written.entrySet()) {
      ReadResult read =
          fourthClient
              .get(entry.getKey(), ReadOptions.r(Quorum.ALL))
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      ReadResult.Found found =
          assertInstanceOf(
              ReadResult.Found.class,
              read,
              "r=all read of " + entry.getKey() + " after the reclaim");
      assertArrayEquals(entry.getValue(), found.values().get(0).data(), entry.getKey());
    }
  }

  /**
   * Waits until every replica entity of every partition runs on its partition's replica set (as the
   * ring of {@code via} over {@code members} says), one per member, and none still syncing; asking
   * for their status also starts the entities. Returns that ring.
   */
  private Ring awaitPlacement(TestNode via, Set<String> members) {
    List<Ring> result = new ArrayList<>();
    awaitAssert(
        via,
        PLACED,
        () -> {
          Ring ring = via.node().directory().ring();
          assertEquals(members, Set.copyOf(ring.members()), "ring members");
          Map<ReplicaId, CompletableFuture<ReplicaEntity.Status>> asks = new LinkedHashMap<>();
          for (int p = 0; p < ring.partitionCount(); p++) {
            for (int r = 0; r < ring.replicationFactor(); r++) {
              ReplicaId id = new ReplicaId(p, r);
              asks.put(
                  id,
                  via.node()
                      .directory()
                      .entity(id)
                      .<ReplicaEntity.Status>ask(
                          ReplicaEntity.GetStatus::new, Duration.ofSeconds(5))
                      .toCompletableFuture());
            }
          }
          for (int p = 0; p < ring.partitionCount(); p++) {
            Set<String> hosts = new HashSet<>();
            for (int r = 0; r < ring.replicationFactor(); r++) {
              ReplicaEntity.Status status = asks.get(new ReplicaId(p, r)).get(10, TimeUnit.SECONDS);
              assertFalse(
                  status.syncing(), "replica " + p + ":" + r + " on " + status.node() + " syncing");
              hosts.add(status.node());
            }
            assertEquals(Set.copyOf(ring.replicas(p)), hosts, "partition " + p + " placement");
          }
          result.add(ring);
          return null;
        });
    return result.get(result.size() - 1);
  }

  private static long countDone(JsonNode view) {
    long done = 0;
    for (JsonNode t : view.get("transfers")) {
      if (t.get("state").asText().equals("done")) {
        done++;
      }
    }
    return done;
  }

  /** A sample's value in a node's {@code /metrics}, by its name and labels as written. */
  private static long metric(int port, String sample) throws Exception {
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(10))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : body.split("\n")) {
      if (line.startsWith(sample + " ")) {
        return (long) Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    throw new AssertionError("no " + sample + " in /metrics on port " + port);
  }

  private interface Check {
    Object run() throws Exception;
  }

  private static void awaitAssert(TestNode node, Duration max, Check check) {
    new TestKit(Adapter.toClassic(node.system())) {
      {
        awaitAssert(
            max,
            Duration.ofMillis(500),
            () -> {
              try {
                return check.run();
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
      }
    };
  }
}
