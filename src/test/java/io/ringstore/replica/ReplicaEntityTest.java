package io.ringstore.replica;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.config.NodeClock;
import io.ringstore.config.StallWatch;
import io.ringstore.storage.InMemoryStorage;
import io.ringstore.storage.RocksDbSettings;
import io.ringstore.storage.RocksDbStorage;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StorageCalls;
import io.ringstore.storage.StorageEngine;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.transfer.TransferTracker;
import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.DvvSet;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica entity against real storage: reads, the coordinated DVV update (blind write, write with
 * a context, delete with the replica's context), the merge of replicated objects, bad input, and
 * its identity in replies and in {@link LocalReplicas}.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicaEntityTest {

  @JUnit5TestKit public final ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static final String NODE = "127.0.0.1:1";
  private static final String ACTOR = "uidA";
  private static final ReplicaId ID = new ReplicaId(5, 1);
  private static final String KEY = "user/42";

  private int keyCounter;

  /** A replica entity over fresh in-memory storage, storage calls run inline. */
  private final class Fixture {
    final LocalReplicas locals = new LocalReplicas();
    final StorageEngine engine;
    final LocalObjectStore store;
    final ActorRef<ReplicaEntity.Command> replica;

    Fixture() {
      this(new InMemoryStorage(), Runnable::run, ID);
    }

    Fixture(StorageEngine engine, Executor executor, ReplicaId id) {
      this(engine, executor, id, NodeClock.SYSTEM);
    }

    Fixture(StorageEngine engine, Executor executor, ReplicaId id, NodeClock clock) {
      this(engine, StorageCalls.unbounded(executor), id, clock);
    }

    Fixture(StorageEngine engine, StorageCalls calls, ReplicaId id, NodeClock clock) {
      this.engine = engine;
      this.store = new LocalObjectStore(engine, ACTOR);
      this.replica =
          testKit.spawn(
              ReplicaEntity.create(
                  id,
                  new ReplicaHost(
                      store,
                      calls,
                      NODE,
                      locals,
                      PartitionTreeAccess.NONE,
                      ReplicaSync.NONE,
                      new TransferTracker(NODE),
                      clock)),
              "replica-" + id.partition() + "-" + id.index() + "-" + (keyCounter++));
    }

    ReplicaEntity.ReadReply read(String key) {
      TestProbe<ReplicaEntity.ReadReply> probe = testKit.createTestProbe();
      replica.tell(new ReplicaEntity.Read(key, probe.ref()));
      return probe.receiveMessage();
    }

    ReplicaEntity.PutReply put(String key, Sibling value, String context, boolean fromReplica) {
      TestProbe<ReplicaEntity.PutReply> probe = testKit.createTestProbe();
      replica.tell(
          new ReplicaEntity.CoordinatePut(
              key,
              value.data(),
              value.contentType(),
              value.tombstone(),
              context,
              fromReplica,
              probe.ref()));
      return probe.receiveMessage();
    }

    ReplicaEntity.Replicated replicate(String key, byte[] object) {
      TestProbe<ReplicaEntity.Replicated> probe = testKit.createTestProbe();
      replica.tell(new ReplicaEntity.Replicate(key, object, probe.ref()));
      return probe.receiveMessage();
    }

    DvvSet<Sibling> stored(String key) {
      ReplicaEntity.ReadReply reply = read(key);
      assertTrue(reply.ok(), () -> "read failed: " + reply.error());
      assertNotNull(reply.object(), "expected a stored object for " + key);
      return StoredObjectCodec.decode(reply.object());
    }
  }

  private static Sibling text(String s) {
    return Sibling.value(s.getBytes(UTF_8), "text/plain");
  }

  private static DvvSet<Sibling> decodeOk(ReplicaEntity.PutReply reply) {
    assertTrue(reply.ok(), () -> "put failed: " + reply.error());
    assertNotNull(reply.object(), "a successful PutReply carries the object");
    return StoredObjectCodec.decode(reply.object());
  }

  /**
   * The duplicate-dot guard: a CoordinatePut with a budget is applied only if the replica gets to
   * it (its storage call starts) within the budget of receiving it, on its own monotonic clock; a
   * wall clock far off (a day ahead here) plays no part.
   */
  @Test
  void coordinatePutIsAppliedOnlyWithinItsBudgetCountedFromReceipt() {
    AtomicLong nanos = new AtomicLong(-7_000_000_000L);
    NodeClock clock =
        new NodeClock(Clock.offset(Clock.systemUTC(), Duration.ofDays(1)), nanos::get);
    Deque<Runnable> storageQueue = new ConcurrentLinkedDeque<>();
    Fixture f = new Fixture(new InMemoryStorage(), storageQueue::add, ID, clock);
    TestProbe<ReplicaEntity.PutReply> probe = testKit.createTestProbe();
    Sibling value = text("v");

    f.replica.tell(
        new ReplicaEntity.CoordinatePut(
            "late", value.data(), value.contentType(), false, null, false, probe.ref(), 250));
    awaitQueued(storageQueue);
    nanos.addAndGet(250_000_000L);
    storageQueue.poll().run();
    assertEquals(
        ReplicaEntity.PutReply.failed("5:1", NODE, PutError.EXPIRED),
        probe.receiveMessage(),
        "reached 250 ms after receipt: not applied");

    f.replica.tell(
        new ReplicaEntity.CoordinatePut(
            "in-time", value.data(), value.contentType(), false, null, false, probe.ref(), 250));
    awaitQueued(storageQueue);
    nanos.addAndGet(249_999_999L);
    storageQueue.poll().run();
    assertEquals(
        Set.of(ACTOR),
        decodeOk(probe.receiveMessage()).join().entries().keySet(),
        "reached just in time: applied");

    f.replica.tell(
        new ReplicaEntity.CoordinatePut(
            "no-budget", value.data(), value.contentType(), false, null, false, probe.ref()));
    awaitQueued(storageQueue);
    nanos.addAndGet(3_600_000_000_000L);
    storageQueue.poll().run();
    assertTrue(probe.receiveMessage().ok(), "without a budget: applied however late");

    Fixture check = new Fixture(f.engine, Runnable::run, ID);
    assertNull(check.read("late").object(), "the refused write stored nothing");
  }

  /**
   * A CoordinatePut handled right after this JVM stood still (SIGSTOP, a GC pause) may have waited
   * unread through the stall, its age unknown: refused at once, nothing stored (PausedNodeIT caught
   * a paused replica applying a write its coordinator had given to another replica: a duplicate
   * dot).
   */
  @Test
  void coordinatePutHandledRightAfterAStallOfThisJvmIsRefused() {
    Deque<Runnable> storageQueue = new ConcurrentLinkedDeque<>();
    Fixture f = new Fixture(new InMemoryStorage(), storageQueue::add, ID);
    TestProbe<ReplicaEntity.PutReply> probe = testKit.createTestProbe();
    Sibling value = text("v");
    // a 6 s stall that ended 1 s ago: within the 20 s window of a 10 s budget; the 250 ms budgets
    // of
    // the other tests look back 500 ms only and do not see it
    long now = System.nanoTime();
    StallWatch.jvm().record(now - 1_000_000_000L, 6_000_000_000L);
    f.replica.tell(
        new ReplicaEntity.CoordinatePut(
            "after-stall",
            value.data(),
            value.contentType(),
            false,
            null,
            false,
            probe.ref(),
            10_000));
    assertEquals(
        ReplicaEntity.PutReply.failed("5:1", NODE, PutError.EXPIRED),
        probe.receiveMessage(),
        "refused without a storage call");
    assertTrue(storageQueue.isEmpty(), "nothing queued for storage");
    Fixture check = new Fixture(f.engine, Runnable::run, ID);
    assertNull(check.read("after-stall").object(), "the refused write stored nothing");
  }

  /** Waits until the entity handed a storage call to the (manual) storage queue. */
  private void awaitQueued(Deque<Runnable> storageQueue) {
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        () -> {
          assertFalse(storageQueue.isEmpty(), "a storage call is queued");
          return null;
        });
  }

  @Test
  void readOfAnAbsentKeyHasNoObject() {
    Fixture f = new Fixture();
    ReplicaEntity.ReadReply reply = f.read(KEY);
    assertEquals(new ReplicaEntity.ReadReply("5:1", NODE, null, null, "user/42"), reply);
    assertTrue(reply.ok());
  }

  @Test
  void blindPutIsStoredAndReadBack() {
    Fixture f = new Fixture();
    ReplicaEntity.PutReply put = f.put(KEY, text("v1"), null, false);
    assertEquals("5:1", put.replica(), "PutReply names the replica");
    assertEquals(NODE, put.node(), "PutReply names the node");
    DvvSet<Sibling> object = decodeOk(put);
    assertEquals(List.of(text("v1")), object.values());
    assertEquals(1L, object.join().get(ACTOR), "the coordinating replica minted dot uidA:1");

    ReplicaEntity.ReadReply read = f.read(KEY);
    assertEquals("5:1", read.replica());
    assertEquals(NODE, read.node());
    assertArrayEquals(put.object(), read.object(), "the read returns exactly the stored object");
  }

  @Test
  void coordinatedPutCarriesTheStoredBytesAndTheClientsContextOnlyWhenAskedFor() {
    Fixture f = new Fixture();
    f.put(KEY, text("v1"), null, false);
    CausalContextCodec.Limits limits = new CausalContextCodec.Limits(64, 4096);
    TestProbe<ReplicaEntity.PutReply> probe = testKit.createTestProbe();
    Sibling value = text("v2");
    f.replica.tell(
        new ReplicaEntity.CoordinatePut(
            KEY, value.data(), value.contentType(), false, null, false, probe.ref(), 0L, limits));
    ReplicaEntity.PutReply put = probe.receiveMessage();
    assertArrayEquals(
        f.engine.get(ID.partition(), KEY.getBytes(UTF_8)).orElseThrow(),
        put.object(),
        "the reply carries the bytes that were stored");
    assertEquals(
        CausalContextCodec.contextOf(decodeOk(put), limits),
        put.context(),
        "the context is the one the coordinator would derive from the object");
    assertNull(
        f.put(KEY, text("v3"), null, false).context(),
        "a request without limits gets no context (the coordinator derives it)");
  }

  @Test
  void secondBlindPutBecomesASibling() {
    Fixture f = new Fixture();
    f.put(KEY, text("v1"), null, false);
    DvvSet<Sibling> object = decodeOk(f.put(KEY, text("v2"), null, false));
    assertEquals(
        Set.of(text("v1"), text("v2")),
        Set.copyOf(object.values()),
        "a write without a context must not drop the concurrent value");
    assertEquals(2, object.size());
    assertEquals(object, f.stored(KEY));
  }

  @Test
  void putWithTheContextOfARead_replacesWhatItCovers() {
    Fixture f = new Fixture();
    f.put(KEY, text("v1"), null, false);
    f.put(KEY, text("v2"), null, false);
    String context = CausalContextCodec.encode(f.stored(KEY).join());

    DvvSet<Sibling> object = decodeOk(f.put(KEY, text("v3"), context, false));
    assertEquals(List.of(text("v3")), object.values(), "both siblings are superseded");
    assertEquals(3L, object.join().get(ACTOR));
    assertEquals(object, f.stored(KEY));
  }

  @Test
  void deleteWithTheReplicasContext_removesLiveValues() {
    Fixture f = new Fixture();
    f.put(KEY, text("v1"), null, false);
    f.put(KEY, text("v2"), null, false);

    DvvSet<Sibling> object = decodeOk(f.put(KEY, Sibling.newTombstone(), null, true));
    assertEquals(List.of(Sibling.newTombstone()), object.values(), "only the tombstone remains");
    assertTrue(f.stored(KEY).values().stream().allMatch(Sibling::tombstone));
  }

  @Test
  void deleteWithoutContextFromReplica_isASiblingOfLiveValues() {
    Fixture f = new Fixture();
    f.put(KEY, text("v1"), null, false);
    DvvSet<Sibling> object = decodeOk(f.put(KEY, Sibling.newTombstone(), null, false));
    assertEquals(Set.of(text("v1"), Sibling.newTombstone()), Set.copyOf(object.values()));
  }

  @Test
  void replicateMergesARemoteObjectIntoSiblings() {
    Fixture f = new Fixture();
    DvvSet<Sibling> local = decodeOk(f.put(KEY, text("local"), null, false));
    DvvSet<Sibling> remote = DvvSet.<Sibling>empty().update(DvvSet.of(text("remote")), "uidB");

    ReplicaEntity.Replicated ack = f.replicate(KEY, StoredObjectCodec.encode(remote));
    assertEquals(new ReplicaEntity.Replicated("5:1", NODE, true), ack);

    DvvSet<Sibling> stored = f.stored(KEY);
    assertEquals(Set.of(text("local"), text("remote")), Set.copyOf(stored.values()));
    assertEquals(local.sync(remote), stored);
    assertEquals(1L, stored.join().get("uidA"));
    assertEquals(1L, stored.join().get("uidB"));
  }

  @Test
  void replicateOfAnAbsentKeyStoresTheObject() {
    Fixture f = new Fixture();
    DvvSet<Sibling> remote = DvvSet.<Sibling>empty().update(DvvSet.of(text("remote")), "uidB");
    assertTrue(f.replicate(KEY, StoredObjectCodec.encode(remote)).ok());
    assertEquals(remote, f.stored(KEY));
  }

  @Test
  void replicateOfAnOlderObjectChangesNothing() {
    Fixture f = new Fixture();
    DvvSet<Sibling> remote = DvvSet.<Sibling>empty().update(DvvSet.of(text("old")), "uidB");
    assertTrue(f.replicate(KEY, StoredObjectCodec.encode(remote)).ok());
    String context = CausalContextCodec.encode(f.stored(KEY).join());
    DvvSet<Sibling> newer = decodeOk(f.put(KEY, text("new"), context, false));
    byte[] before = f.read(KEY).object();

    ReplicaEntity.Replicated ack = f.replicate(KEY, StoredObjectCodec.encode(remote));
    assertEquals(new ReplicaEntity.Replicated("5:1", NODE, true), ack);
    assertArrayEquals(
        before, f.read(KEY).object(), "an older object must not change the stored one");
    assertEquals(List.of(text("new")), f.stored(KEY).values());
    assertEquals(newer, f.stored(KEY));
  }

  @Test
  void replicateOfGarbageIsNackedAndChangesNothing() {
    Fixture f = new Fixture();
    byte[] before = f.put(KEY, text("v1"), null, false).object();
    ReplicaEntity.Replicated ack = f.replicate(KEY, new byte[] {9, 9, 9});
    assertEquals(new ReplicaEntity.Replicated("5:1", NODE, false), ack);
    assertArrayEquals(before, f.read(KEY).object());
  }

  @Test
  void badContextIsAnErrorAndChangesNothing() {
    Fixture f = new Fixture();
    byte[] before = f.put(KEY, text("v1"), null, false).object();

    for (String bad : new String[] {"not a context!", "AQ", "", "////"}) {
      ReplicaEntity.PutReply reply = f.put(KEY, text("v2"), bad, false);
      assertFalse(reply.ok(), "context '" + bad + "' must be rejected");
      assertNotNull(reply.error(), "context '" + bad + "'");
      assertNull(reply.object(), "context '" + bad + "': no object on error");
      assertEquals("5:1", reply.replica());
      assertEquals(NODE, reply.node());
      assertArrayEquals(before, f.read(KEY).object(), "context '" + bad + "' changed the object");
    }
    assertTrue(f.put(KEY, text("v3"), null, false).ok(), "the entity still works afterwards");
  }

  @Test
  void partitionsOfOneNodeDoNotSeeEachOthersKeys() {
    InMemoryStorage shared = new InMemoryStorage();
    Fixture p5 = new Fixture(shared, Runnable::run, new ReplicaId(5, 0));
    Fixture p6 = new Fixture(shared, Runnable::run, new ReplicaId(6, 0));
    p5.put(KEY, text("in-5"), null, false);
    assertNull(p6.read(KEY).object(), "partition 6 must not see partition 5's key");
    assertEquals("6:0", p6.read(KEY).replica());
  }

  @Test
  void registersInLocalReplicasWhileAliveAndDeregistersAfterStop() {
    Fixture f = new Fixture();
    f.read(KEY); // the entity has started
    assertEquals(Optional.of(ID), f.locals.forPartition(ID.partition()));
    assertEquals(1, f.locals.size());

    TestProbe<Object> watcher = testKit.createTestProbe();
    testKit.stop(f.replica);
    watcher.expectTerminated(f.replica);
    watcher.awaitAssert(
        () -> {
          assertEquals(Optional.empty(), f.locals.forPartition(ID.partition()));
          assertEquals(0, f.locals.size());
          return null;
        });
  }

  @Test
  void worksOnRocksDbWithAStorageThreadPool(@TempDir Path dir) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    RocksDbStorage rocks = RocksDbStorage.open(RocksDbSettings.defaults(dir.resolve("db")));
    try {
      Fixture f = new Fixture(rocks, pool, ID);
      assertNull(f.read(KEY).object());
      f.put(KEY, text("v1"), null, false);
      f.put(KEY, text("v2"), null, false);
      DvvSet<Sibling> two = f.stored(KEY);
      assertEquals(Set.of(text("v1"), text("v2")), Set.copyOf(two.values()));

      DvvSet<Sibling> remote = DvvSet.<Sibling>empty().update(DvvSet.of(text("r")), "uidB");
      assertTrue(f.replicate(KEY, StoredObjectCodec.encode(remote)).ok());
      assertEquals(3, f.stored(KEY).size());

      String context = CausalContextCodec.encode(f.stored(KEY).join());
      DvvSet<Sibling> resolved = decodeOk(f.put(KEY, text("v3"), context, false));
      assertEquals(List.of(text("v3")), resolved.values());
      assertEquals(
          resolved,
          StoredObjectCodec.decode(rocks.get(ID.partition(), KEY.getBytes(UTF_8)).orElseThrow()),
          "RocksDB holds the object the entity replied with");

      decodeOk(f.put(KEY, Sibling.newTombstone(), null, true));
      assertTrue(f.stored(KEY).values().stream().allMatch(Sibling::tombstone));

      testKit.stop(f.replica);
    } finally {
      pool.shutdown();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
      rocks.close();
    }
  }

  /**
   * A storage call the node's bound refuses is an error reply at once (the coordinator counts a
   * failed replica), counted; the call in flight is answered normally.
   */
  @Test
  void aCallRefusedByTheNodesStorageBoundIsAnErrorReply() {
    Deque<Runnable> storageQueue = new ConcurrentLinkedDeque<>();
    StorageCalls calls = new StorageCalls(storageQueue::add, 1);
    Fixture f = new Fixture(new InMemoryStorage(), calls, ID, NodeClock.SYSTEM);
    TestProbe<ReplicaEntity.ReadReply> first = testKit.createTestProbe();
    f.replica.tell(new ReplicaEntity.Read("a", first.ref()));
    awaitQueued(storageQueue);

    ReplicaEntity.ReadReply refused = f.read("b");
    assertFalse(refused.ok(), "refused: " + refused);
    assertTrue(refused.error().startsWith("StorageOverloadedException: "), refused.error());
    assertEquals("5:1", refused.replica(), "the refusal names the replica");
    assertEquals(1, calls.overloaded(), "counted");
    TestProbe<ReplicaEntity.PutReply> put = testKit.createTestProbe();
    Sibling value = text("v");
    f.replica.tell(
        new ReplicaEntity.CoordinatePut(
            "c", value.data(), value.contentType(), false, null, false, put.ref()));
    ReplicaEntity.PutReply putRefused = put.receiveMessage();
    assertEquals(PutError.STORAGE_FAILED, putRefused.error(), "a write is refused: " + putRefused);
    assertTrue(
        putRefused.reason().startsWith("StorageOverloadedException: "),
        "the same way: " + putRefused.reason());

    storageQueue.poll().run();
    assertEquals(
        new ReplicaEntity.ReadReply("5:1", NODE, null, null, "a"),
        first.receiveMessage(),
        "the call in flight is answered");
  }

  /**
   * An Error in a storage call (out of memory) is not an error reply: it reaches the storage
   * thread's uncaught-exception handler (here the test, which runs the call), and the entity
   * answers nothing for it (its coordinator times out); the entity serves the next call.
   */
  @Test
  void anErrorInAStorageCallIsNotTurnedIntoAnErrorReply() {
    AtomicBoolean failing = new AtomicBoolean(true);
    InMemoryStorage memory = new InMemoryStorage();
    StorageEngine engine =
        (StorageEngine)
            Proxy.newProxyInstance(
                StorageEngine.class.getClassLoader(),
                new Class<?>[] {StorageEngine.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("get") && failing.get()) {
                    throw new OutOfMemoryError("test: out of memory");
                  }
                  try {
                    return method.invoke(memory, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    Deque<Runnable> storageQueue = new ConcurrentLinkedDeque<>();
    Fixture f = new Fixture(engine, storageQueue::add, ID, NodeClock.SYSTEM);
    TestProbe<ReplicaEntity.ReadReply> probe = testKit.createTestProbe();
    f.replica.tell(new ReplicaEntity.Read(KEY, probe.ref()));
    awaitQueued(storageQueue);
    Runnable call = storageQueue.poll();
    assertThrows(OutOfMemoryError.class, call::run, "the error propagates to the storage thread");
    probe.expectNoMessage(Duration.ofMillis(300));

    failing.set(false);
    f.replica.tell(new ReplicaEntity.Read(KEY, probe.ref()));
    awaitQueued(storageQueue);
    storageQueue.poll().run();
    assertEquals(
        new ReplicaEntity.ReadReply("5:1", NODE, null, null, KEY),
        probe.receiveMessage(),
        "the entity still serves");
  }

  /**
   * An entity that starts while the reclaimer drops its partition here does not wait on its actor
   * thread (one started then can be stopped at once, and is never registered): it registers once
   * the drop has ended and serves what it got meanwhile only then, so it never reads or writes data
   * being deleted under it.
   */
  @Test
  void anEntityStartingDuringADropOfItsPartitionServesOnlyOnceTheDropEnded() throws Exception {
    LocalReplicas locals = new LocalReplicas();
    InMemoryStorage engine = new InMemoryStorage();
    LocalObjectStore store = new LocalObjectStore(engine, ACTOR);
    ReplicaId id = new ReplicaId(9, 0);
    engine.put(
        id.partition(),
        "old".getBytes(UTF_8),
        StoredObjectCodec.encode(DvvSet.<Sibling>empty().update(DvvSet.of(text("stale")), "uidB")));
    CountDownLatch dropping = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Boolean> drop =
        CompletableFuture.supplyAsync(
            () ->
                locals.dropIfUnhosted(
                    id.partition(),
                    Long.MAX_VALUE,
                    () -> {
                      dropping.countDown();
                      try {
                        assertTrue(release.await(30, TimeUnit.SECONDS), "released");
                      } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                      }
                      engine.dropPartition(id.partition());
                    }));
    assertTrue(dropping.await(10, TimeUnit.SECONDS), "the drop runs");

    ActorRef<ReplicaEntity.Command> replica =
        testKit.spawn(
            ReplicaEntity.create(
                id, new ReplicaHost(store, StorageCalls.unbounded(Runnable::run), NODE, locals)));
    TestProbe<ReplicaEntity.ReadReply> probe = testKit.createTestProbe();
    replica.tell(new ReplicaEntity.Read("old", probe.ref()));
    TestProbe<ReplicaEntity.Status> status = testKit.createTestProbe();
    replica.tell(new ReplicaEntity.GetStatus(status.ref()));
    probe.expectNoMessage(Duration.ofMillis(300));
    assertFalse(locals.runsHere(id), "not registered while its partition is dropped");
    ReplicaId other = new ReplicaId(9, 1);
    ActorRef<ReplicaEntity.Command> stopped =
        testKit.spawn(
            ReplicaEntity.create(
                other,
                new ReplicaHost(store, StorageCalls.unbounded(Runnable::run), NODE, locals)));
    testKit.stop(stopped, Duration.ofSeconds(5));

    release.countDown();
    assertTrue(drop.get(10, TimeUnit.SECONDS), "the drop ran");
    assertEquals(
        new ReplicaEntity.ReadReply("9:0", NODE, null, null, "old"),
        probe.receiveMessage(),
        "served after the drop, in order: the dropped key is gone");
    assertEquals("9:0", status.receiveMessage().replica());
    assertTrue(locals.runsHere(id), "registered once the drop ended");
    assertFalse(locals.runsHere(other), "one stopped during the drop (its thread was free) is not");
    testKit.stop(replica);
  }
}
