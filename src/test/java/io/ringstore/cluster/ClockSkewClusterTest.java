package io.ringstore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.ring.Ring;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.testing.TestNode;
import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.DvvSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three data nodes (N=2, R=W=2) whose wall clocks disagree: node a runs 5 s behind, node c 5 s
 * ahead ({@code ringstore.testing.clock-offset}). No protocol decision may depend on the clocks
 * agreeing (issue 10, item 5): a write coordinated on any node and applied by a replica on any
 * other node is applied by the first replica it is sent to (no spurious "too late" refusal), and
 * the duplicate-dot guard still refuses a coordinate request that a replica could only apply after
 * the coordinator moved on to the next replica (DESIGN invariants 1 and 3).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClockSkewClusterTest {
  private static final Duration MAX = Duration.ofSeconds(30);
  private static final int PARTITIONS = 32;
  private static final int STORAGE_THREADS = 4;

  @TempDir static Path dir;
  private final List<TestNode> nodes = new ArrayList<>();

  /** Where replica p:0 and p:1 run, by partition, once all of them caught up. */
  private final Map<Integer, String> firstReplicaHost = new HashMap<>();

  private final Map<Integer, String> secondReplicaHost = new HashMap<>();

  @BeforeAll
  void startSkewedCluster() {
    nodes.add(start("a", "-5s").joinSelf());
    nodes.add(start("b", "0s").join(nodes.get(0)));
    nodes.add(start("c", "5s").join(nodes.get(0)));
    for (TestNode node : nodes) {
      node.awaitUpMembers(3, MAX).awaitReady(MAX);
    }
    awaitEveryReplicaPlacedAndCaughtUp();
  }

  @AfterAll
  void stopAll() {
    nodes.forEach(TestNode::close);
  }

  private static TestNode start(String name, String clockOffset) {
    return TestNode.start(
        TestNode.config(
            dir.resolve(name),
            2,
            2,
            2,
            "ringstore.ring.partitions = "
                + PARTITIONS
                + "\n"
                + "ringstore.storage.parallelism = "
                + STORAGE_THREADS
                + "\n"
                + "ringstore.testing.clock-offset = "
                + clockOffset
                + "\n"));
  }

  @Test
  void aWriteIsAppliedByTheFirstReplicaWhateverTheTwoNodesClocksSay() throws Exception {
    Set<String> coordinators = new HashSet<>();
    Set<String> appliers = new HashSet<>();
    Set<String> skews = new HashSet<>();
    for (TestNode coordinator : nodes) {
      for (TestNode first : nodes) {
        if (first == coordinator) {
          continue;
        }
        Optional<Integer> partition = partitionWhere(coordinator, first);
        if (partition.isEmpty()) {
          continue;
        }
        for (Quorum w : List.of(Quorum.ALL, Quorum.MAJORITY)) {
          String key = keyIn(partition.get(), coordinator.name() + "/" + first.name() + "/" + w);
          WriteResult result =
              coordinator
                  .node()
                  .client()
                  .put(
                      key,
                      bytes("v"),
                      "text/plain",
                      null,
                      new WriteOptions(w, Duration.ofSeconds(5)))
                  .toCompletableFuture()
                  .get(10, TimeUnit.SECONDS);
          String what =
              "w="
                  + w
                  + " write of "
                  + key
                  + " coordinated on "
                  + coordinator.name()
                  + " (clock "
                  + coordinator.settings().testing().clockOffset()
                  + "), first replica on "
                  + first.name()
                  + " (clock "
                  + first.settings().testing().clockOffset()
                  + ")";
          WriteResult.Written written = assertInstanceOf(WriteResult.Written.class, result, what);
          assertEquals(2, new HashSet<>(written.replicas()).size(), what + ": acked by both");
          assertEquals(
              Set.of(first.node().store().actorId()),
              CausalContextCodec.decode(written.context()).entries().keySet(),
              what + ": applied by the first replica it was sent to (no refusal as too late)");
        }
        coordinators.add(coordinator.name());
        appliers.add(first.name());
        int skew =
            first
                .settings()
                .testing()
                .clockOffset()
                .compareTo(coordinator.settings().testing().clockOffset());
        skews.add(skew > 0 ? "replica ahead" : "replica behind");
      }
    }
    // which node hosts which replica index depends on the order the regions registered (replicas
    // start
    // eagerly), so not every node need be a first replica of a partition the third node
    // coordinates;
    // both directions of skew must be covered
    assertTrue(
        coordinators.size() >= 2 && appliers.size() >= 2,
        "writes coordinated on " + coordinators + ", applied first on " + appliers);
    assertEquals(
        Set.of("replica ahead", "replica behind"),
        skews,
        "a write whose first replica's clock is ahead of its coordinator's, and one behind");
  }

  @Test
  void aReplicaThatGetsToACoordinatePutOnlyAfterTheCoordinatorMovedOnDoesNotApplyIt()
      throws Exception {
    TestNode coordinator = nodes.get(2); // 5 s ahead
    int partition = -1;
    for (TestNode first : nodes.subList(0, 2)) {
      Optional<Integer> p = partitionWhere(coordinator, first);
      if (p.isPresent()) {
        partition = p.get();
        break;
      }
    }
    assertTrue(partition >= 0, "a partition that node c does not replicate");
    TestNode slow = node(firstReplicaHost.get(partition));
    TestNode next = node(secondReplicaHost.get(partition));
    String key = keyIn(partition, "guard");

    // the first replica's storage is busy: it gets to the write only after the coordinator's
    // replica-ack timeout, when the next replica has already applied it
    Executor storage =
        slow.system()
            .dispatchers()
            .lookup(DispatcherSelector.fromConfig("ringstore-storage-dispatcher"));
    CountDownLatch busy = new CountDownLatch(STORAGE_THREADS);
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < STORAGE_THREADS; i++) {
      storage.execute(
          () -> {
            busy.countDown();
            await(release);
          });
    }
    await(busy);
    WriteResult result;
    try {
      result =
          coordinator
              .node()
              .client()
              .put(
                  key,
                  bytes("once"),
                  "text/plain",
                  null,
                  new WriteOptions(Quorum.ONE, Duration.ofSeconds(5)))
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
    } finally {
      release.countDown();
    }
    WriteResult.Written written =
        assertInstanceOf(
            WriteResult.Written.class,
            result,
            "w=1 is met by the next replica once the first stays silent");
    assertEquals(
        Set.of(next.node().store().actorId()),
        CausalContextCodec.decode(written.context()).entries().keySet(),
        "the next replica applied the write");
    drain(storage);

    ReplicaEntity.ReadReply reply =
        slow.node()
            .directory()
            .entity(new ReplicaId(partition, 0))
            .<ReplicaEntity.ReadReply>ask(
                replyTo -> new ReplicaEntity.Read(key, replyTo), Duration.ofSeconds(5))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertNotNull(reply.object(), "the slow replica stored the replicated write");
    DvvSet<Sibling> stored = StoredObjectCodec.decode(reply.object());
    assertEquals(
        1,
        stored.values().size(),
        "one client write, one value: the slow replica did not apply it a second time "
            + stored.values());
    assertEquals(
        Set.of(next.node().store().actorId()),
        stored.join().entries().keySet(),
        "only the next replica's dot");
  }

  /** Waits until every task queued on {@code storage} before this call has run. */
  private static void drain(Executor storage) {
    CountDownLatch arrived = new CountDownLatch(STORAGE_THREADS);
    CountDownLatch done = new CountDownLatch(STORAGE_THREADS);
    for (int i = 0; i < STORAGE_THREADS; i++) {
      storage.execute(
          () -> {
            arrived.countDown();
            await(arrived);
            done.countDown();
          });
    }
    await(done);
  }

  /**
   * A partition that {@code coordinator} hosts no replica of and whose replica p:0 runs on {@code
   * first}.
   */
  private Optional<Integer> partitionWhere(TestNode coordinator, TestNode first) {
    for (int p = 0; p < PARTITIONS; p++) {
      if (first.name().equals(firstReplicaHost.get(p))
          && !coordinator.name().equals(secondReplicaHost.get(p))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private String keyIn(int partition, String prefix) {
    Ring ring = nodes.get(0).node().directory().ring();
    for (int i = 0; ; i++) {
      String key = prefix + "/" + i;
      if (ring.partitionOf(key) == partition) {
        return key;
      }
    }
  }

  private TestNode node(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
  }

  private void awaitEveryReplicaPlacedAndCaughtUp() {
    TestNode asking = nodes.get(0);
    new TestKit(Adapter.toClassic(asking.system())) {
      {
        awaitAssert(
            Duration.ofSeconds(60),
            Duration.ofMillis(500),
            () -> {
              Ring ring = asking.node().directory().ring();
              assertEquals(3, ring.members().size(), "three ring members");
              for (int p = 0; p < PARTITIONS; p++) {
                String[] hosts = new String[2];
                for (int r = 0; r < 2; r++) {
                  ReplicaEntity.Status status =
                      asking
                          .node()
                          .directory()
                          .entity(new ReplicaId(p, r))
                          .<ReplicaEntity.Status>ask(
                              ReplicaEntity.GetStatus::new, Duration.ofSeconds(3))
                          .toCompletableFuture()
                          .join();
                  assertFalse(status.syncing(), status + " caught up");
                  assertTrue(
                      ring.replicas(p).contains(status.node()),
                      status + " runs on the replica set " + ring.replicas(p));
                  hosts[r] = status.node();
                }
                assertTrue(!hosts[0].equals(hosts[1]), "p" + p + " replicas on distinct nodes");
                firstReplicaHost.put(p, hosts[0]);
                secondReplicaHost.put(p, hosts[1]);
              }
              return null;
            });
      }
    };
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(30, TimeUnit.SECONDS), "latch within 30 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
