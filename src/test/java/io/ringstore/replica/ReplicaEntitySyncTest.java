package io.ringstore.replica;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.storage.InMemoryStorage;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StorageCalls;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.transfer.TransferTracker;
import io.ringstore.version.DvvSet;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A replica entity that starts with a transfer to run (DESIGN invariant 2): until its transfer
 * child reports {@link ReplicaEntity.SyncCompleted} its reads are marked syncing, it refuses to
 * coordinate a write (and stores nothing), yet stores replicated objects; afterwards it serves
 * normally. The transfer here is a stand-in the test controls.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicaEntitySyncTest {

  @JUnit5TestKit public final ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static final String NODE = "127.0.0.1:4";
  private static final String KEY = "user/42";
  private int counter;

  /**
   * A stand-in transfer: tells the probe which entity it serves, then waits (or stops, if asked).
   */
  private static Behavior<Void> transfer(
      ActorRef<ReplicaEntity.Command> entity,
      TestProbe<ActorRef<ReplicaEntity.Command>> started,
      boolean stopAtOnce) {
    return Behaviors.setup(
        ctx -> {
          started.ref().tell(entity);
          return stopAtOnce ? Behaviors.stopped() : Behaviors.empty();
        });
  }

  private final class Fixture {
    final ReplicaId id = new ReplicaId(5, 1);
    final InMemoryStorage engine = new InMemoryStorage();
    final LocalObjectStore store = new LocalObjectStore(engine, "uidD");
    final LocalReplicas locals = new LocalReplicas();
    final TransferTracker tracker = new TransferTracker(NODE);
    final TestProbe<ActorRef<ReplicaEntity.Command>> started = testKit.createTestProbe();
    final AtomicInteger transfersStarted = new AtomicInteger();
    final ActorRef<ReplicaEntity.Command> replica;

    /** With the stand-in transfer; {@code firstTransferStops}: the first one stops unfinished. */
    Fixture(boolean firstTransferStops) {
      this((ReplicaSync) null, firstTransferStops);
    }

    /** With {@code sync}, or the stand-in transfer when null. */
    Fixture(ReplicaSync sync, boolean firstTransferStops) {
      ReplicaSync chosen =
          sync != null
              ? sync
              : (rid, entity) -> {
                int n = transfersStarted.incrementAndGet();
                return transfer(entity, started, firstTransferStops && n == 1);
              };
      replica =
          testKit.spawn(
              ReplicaEntity.create(
                  id,
                  new ReplicaHost(
                      store,
                      StorageCalls.unbounded(Runnable::run),
                      NODE,
                      locals,
                      PartitionTreeAccess.NONE,
                      chosen,
                      tracker)),
              "replica-" + (counter++));
    }

    ReplicaEntity.ReadReply read(String key) {
      TestProbe<ReplicaEntity.ReadReply> probe = testKit.createTestProbe();
      replica.tell(new ReplicaEntity.Read(key, probe.ref()));
      return probe.receiveMessage();
    }

    ReplicaEntity.PutReply put(String key, String value) {
      TestProbe<ReplicaEntity.PutReply> probe = testKit.createTestProbe();
      replica.tell(
          new ReplicaEntity.CoordinatePut(
              key, value.getBytes(UTF_8), "text/plain", false, null, false, probe.ref()));
      return probe.receiveMessage();
    }

    ReplicaEntity.Replicated replicate(String key, DvvSet<Sibling> object) {
      TestProbe<ReplicaEntity.Replicated> probe = testKit.createTestProbe();
      replica.tell(new ReplicaEntity.Replicate(key, StoredObjectCodec.encode(object), probe.ref()));
      return probe.receiveMessage();
    }

    ReplicaEntity.Status status() {
      TestProbe<ReplicaEntity.Status> probe = testKit.createTestProbe();
      replica.tell(new ReplicaEntity.GetStatus(probe.ref()));
      return probe.receiveMessage();
    }

    TransferTracker.State trackerState() {
      List<TransferTracker.Transfer> all = tracker.all();
      assertEquals(1, all.size(), "one transfer: " + all);
      return all.get(0).state();
    }
  }

  private static DvvSet<Sibling> remote(String value) {
    return DvvSet.<Sibling>empty()
        .update(DvvSet.of(Sibling.value(value.getBytes(UTF_8), "text/plain")), "uidB");
  }

  @Test
  void whileSyncing_readsAreMarked_putsRefused_replicatesStored() {
    Fixture f = new Fixture(false);
    assertEquals(f.replica, f.started.receiveMessage(), "the transfer is told its entity");

    ReplicaEntity.ReadReply absent = f.read(KEY);
    assertTrue(absent.ok());
    assertTrue(absent.syncing(), "a read while syncing is marked syncing");
    assertNull(absent.object());

    ReplicaEntity.PutReply refused = f.put(KEY, "v1");
    assertEquals(PutError.SYNCING, refused.error(), "coordinating is refused");
    assertFalse(refused.ok());
    assertNull(refused.object());
    assertEquals("5:1", refused.replica());
    assertEquals(NODE, refused.node());
    assertTrue(f.store.readEncoded(5, KEY).isEmpty(), "a refused put stores nothing");

    assertEquals(
        new ReplicaEntity.Replicated("5:1", NODE, true),
        f.replicate(KEY, remote("r")),
        "a replicated object is stored while syncing");
    ReplicaEntity.ReadReply stored = f.read(KEY);
    assertTrue(stored.syncing());
    assertNotNull(stored.object());
    assertEquals(remote("r"), StoredObjectCodec.decode(stored.object()));

    assertEquals(new ReplicaEntity.Status("5:1", NODE, true), f.status());
    assertEquals(TransferTracker.State.pending, f.trackerState(), "the tracker has the transfer");
  }

  @Test
  void afterSyncCompleted_servesNormally_andTheTrackerShowsDone() {
    Fixture f = new Fixture(false);
    ActorRef<ReplicaEntity.Command> entity = f.started.receiveMessage();
    f.replicate(KEY, remote("r"));

    entity.tell(new ReplicaEntity.SyncCompleted());

    assertEquals(new ReplicaEntity.Status("5:1", NODE, false), f.status());
    ReplicaEntity.ReadReply read = f.read(KEY);
    assertFalse(read.syncing(), "caught up: the read counts");
    assertEquals(remote("r"), StoredObjectCodec.decode(read.object()));

    ReplicaEntity.PutReply put = f.put(KEY, "v1");
    assertTrue(put.ok(), () -> "put after the sync: " + put.error());
    DvvSet<Sibling> object = StoredObjectCodec.decode(put.object());
    assertEquals(2, object.size(), "the new value beside the replicated one (blind write)");
    assertEquals(1L, object.join().get("uidD"), "this replica minted its dot");
    assertEquals(TransferTracker.State.done, f.trackerState());
    assertTrue(f.tracker.all().get(0).finishedMillis() > 0);

    entity.tell(new ReplicaEntity.SyncCompleted());
    assertEquals(
        new ReplicaEntity.Status("5:1", NODE, false), f.status(), "a second one is harmless");
    assertEquals(1, f.transfersStarted.get(), "one transfer");
  }

  @Test
  void withoutASyncTheEntityServesAtOnce_andTracksNothing() {
    Fixture f = new Fixture(ReplicaSync.NONE, false);
    assertEquals(new ReplicaEntity.Status("5:1", NODE, false), f.status());
    assertFalse(f.read(KEY).syncing());
    assertTrue(f.put(KEY, "v1").ok());
    assertEquals(List.of(), f.tracker.all());
  }

  @Test
  void aTransferThatStopsBeforeCompleting_isStartedAgain_andTheEntityKeepsSyncing() {
    Fixture f = new Fixture(true);
    ActorRef<ReplicaEntity.Command> first = f.started.receiveMessage();
    ActorRef<ReplicaEntity.Command> second = f.started.receiveMessage();
    assertEquals(f.replica, first);
    assertEquals(f.replica, second);
    assertEquals(2, f.transfersStarted.get(), "a second transfer after the first stopped");
    assertEquals(new ReplicaEntity.Status("5:1", NODE, true), f.status(), "still syncing");
    assertEquals(PutError.SYNCING, f.put(KEY, "v").error());

    second.tell(new ReplicaEntity.SyncCompleted());
    assertEquals(new ReplicaEntity.Status("5:1", NODE, false), f.status());
    f.started.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void stoppedWhileSyncing_theTransferFails_andTheEntityDeregisters() {
    Fixture f = new Fixture(false);
    f.started.receiveMessage();
    assertEquals(new ReplicaEntity.Status("5:1", NODE, true), f.status());
    assertEquals(Set.of(5), f.locals.hostedPartitions());

    TestProbe<Object> watcher = testKit.createTestProbe();
    testKit.stop(f.replica);
    watcher.expectTerminated(f.replica);
    watcher.awaitAssert(
        () -> {
          assertEquals(TransferTracker.State.failed, f.trackerState());
          assertEquals(Set.of(), f.locals.hostedPartitions());
          assertTrue(f.locals.releasedAt(5).isPresent(), "this node released partition 5");
          return null;
        });
  }

  @Test
  void stoppedAfterTheSync_theTransferStaysDone() {
    Fixture f = new Fixture(false);
    f.started.receiveMessage().tell(new ReplicaEntity.SyncCompleted());
    assertFalse(f.status().syncing());
    TestProbe<Object> watcher = testKit.createTestProbe();
    testKit.stop(f.replica);
    watcher.expectTerminated(f.replica);
    assertEquals(TransferTracker.State.done, f.trackerState());
  }
}
