package io.ringstore.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.antientropy.PartitionTrees;
import io.ringstore.antientropy.TreeShape;
import io.ringstore.replica.LocalObjectStore;
import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.LocalReplicasTesting;
import io.ringstore.replica.ReplicaId;
import io.ringstore.storage.RocksDbSettings;
import io.ringstore.storage.RocksDbStorage;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StorageCalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reclaimer on a real RocksDB: it deletes a partition's data only once the node has neither
 * replicated nor hosted it for the window, takes the keys out of the anti-entropy trees, keeps
 * every partition the node replicates or hosts, and never drops under a starting entity.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionReclaimerTest {
  private static final int PARTITIONS = 8;
  private static final Duration WINDOW = Duration.ofMinutes(60);
  private static final Duration INTERVAL = Duration.ofMillis(50);
  private static final Duration AWAIT = Duration.ofSeconds(10);

  private final ActorTestKit testKit = ActorTestKit.create();
  private final ExecutorService storageExecutor = Executors.newSingleThreadExecutor();

  @TempDir Path dir;

  private RocksDbStorage storage;
  private LocalObjectStore store;
  private PartitionTrees trees;
  private LocalReplicas locals;
  private ReclaimStats stats;

  /** Partitions the ring gives this node. */
  private final Set<Integer> replicated = ConcurrentHashMap.newKeySet();

  private final AtomicLong now = new AtomicLong(1_000_000);
  private ActorRef<PartitionReclaimer.Command> reclaimer;

  @BeforeEach
  void setUp() {
    storage = RocksDbStorage.open(RocksDbSettings.defaults(dir.resolve("db")));
    store = new LocalObjectStore(storage, "uidA");
    trees = PartitionTrees.rebuild(storage, PARTITIONS, new TreeShape(64));
    store.setListener(trees);
    locals = new LocalReplicas(now::get);
    stats = new ReclaimStats();
    replicated.clear();
    for (int p = 0; p < PARTITIONS; p++) {
      for (int k = 0; k < 20; k++) {
        store.coordinate(p, "key-" + k, value("v" + k), Optional.empty(), false);
      }
    }
  }

  @AfterEach
  void tearDown() {
    if (reclaimer != null) {
      testKit.stop(reclaimer);
      reclaimer = null;
    }
    storage.close();
  }

  @AfterAll
  void shutDown() {
    testKit.shutdownTestKit();
    storageExecutor.shutdownNow();
  }

  private void startReclaimer() {
    reclaimer =
        testKit.spawn(
            PartitionReclaimer.create(
                store,
                StorageCalls.unbounded(storageExecutor),
                locals,
                replicated::contains,
                PARTITIONS,
                WINDOW,
                INTERVAL,
                now::get,
                stats));
  }

  @Test
  void aPartitionNotReplicatedHereIsDeletedOnlyAfterTheWindow() {
    replicated.addAll(Set.of(0, 1, 2, 3, 4, 5, 6)); // not 7
    startReclaimer();
    awaitTicks();
    assertEquals(20, storage.countKeys(7), "inside the window the copy stays (a copy source)");

    now.addAndGet(WINDOW.toMillis());
    testKit
        .createTestProbe()
        .awaitAssert(
            AWAIT,
            () -> {
              assertEquals(0, storage.countKeys(7), "deleted once the window passed");
              assertEquals(1, stats.partitions(), "the reclaimed partition is counted");
              assertEquals(20, stats.keys(), "and its deleted keys");
              return null;
            });
    assertArrayEquals(
        new long[trees.branchHashes(7).length],
        trees.branchHashes(7),
        "its keys are out of the anti-entropy tree too");
    for (int p = 0; p < 7; p++) {
      assertEquals(20, storage.countKeys(p), "partition " + p + " is replicated here: kept");
    }
  }

  @Test
  void aPartitionHostedHereIsKeptEvenIfTheRingNoLongerGivesItToThisNode() {
    replicated.addAll(Set.of(0, 1, 2, 3, 4, 5, 6));
    LocalReplicasTesting.register(
        locals, new ReplicaId(7, 1)); // sharding still runs its entity here
    startReclaimer();
    now.addAndGet(2 * WINDOW.toMillis());
    awaitTicks();
    assertEquals(20, storage.countKeys(7), "an entity of it runs here: kept");

    LocalReplicasTesting.deregister(locals, new ReplicaId(7, 1));
    now.addAndGet(WINDOW.toMillis() / 2);
    awaitTicks();
    assertEquals(
        20,
        storage.countKeys(7),
        "its replica stopped here less than a window ago: still a copy source");
    now.addAndGet(WINDOW.toMillis());
    testKit
        .createTestProbe()
        .awaitAssert(
            AWAIT,
            () -> {
              assertEquals(0, storage.countKeys(7), "a window after both: deleted");
              return null;
            });
  }

  @Test
  void aPartitionThatCameBackBeforeTheWindowEndedIsKept() {
    replicated.addAll(Set.of(0, 1, 2, 3, 4, 5, 6));
    startReclaimer();
    awaitTicks();
    replicated.add(7); // the ring gives it back
    awaitTicks();
    replicated.remove(7); // and takes it away again
    now.addAndGet(WINDOW.toMillis() - 1);
    awaitTicks();
    assertEquals(20, storage.countKeys(7), "the window restarted when it went away again");
  }

  @Test
  void aStartingEntityIsRegisteredOnlyAfterADropInProgressAndADropNeverRunsUnderAnEntity()
      throws Exception {
    CountDownLatch dropping = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread dropper =
        new Thread(
            () ->
                locals.dropIfUnhosted(
                    7,
                    Long.MAX_VALUE,
                    () -> {
                      dropping.countDown();
                      await(release);
                      store.dropPartition(7);
                    }));
    dropper.start();
    assertTrue(dropping.await(10, TimeUnit.SECONDS), "the drop started");
    CompletableFuture<Boolean> registered =
        LocalReplicasTesting.register(locals, new ReplicaId(7, 0)).toCompletableFuture();
    assertFalse(registered.isDone(), "the registration (not its caller) waits for the drop");
    assertEquals(Set.of(), locals.hostedPartitions(), "not hosted while it is dropped");
    release.countDown();
    dropper.join(10_000);
    assertEquals(Boolean.TRUE, registered.get(10, TimeUnit.SECONDS), "then it registers");
    assertEquals(Set.of(7), locals.hostedPartitions());
    assertFalse(
        locals.dropIfUnhosted(7, Long.MAX_VALUE, () -> store.dropPartition(6)),
        "no drop while an entity of the partition runs here");
    assertEquals(20, storage.countKeys(6), "the drop did not run");
  }

  /** Lets the reclaimer tick a few times at the current time (ticks every 50 ms). */
  private void awaitTicks() {
    testKit.createTestProbe().expectNoMessage(INTERVAL.multipliedBy(6));
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Sibling value(String s) {
    return Sibling.value(s.getBytes(StandardCharsets.UTF_8), "text/plain");
  }
}
