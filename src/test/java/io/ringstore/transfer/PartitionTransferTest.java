package io.ringstore.transfer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.antientropy.AntiEntropyStatus;
import io.ringstore.antientropy.ExchangeSession;
import io.ringstore.antientropy.PartitionTrees;
import io.ringstore.antientropy.TreeShape;
import io.ringstore.replica.LocalObjectStore;
import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaHost;
import io.ringstore.replica.ReplicaId;
import io.ringstore.replica.ReplicaSharding;
import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import io.ringstore.storage.InMemoryStorage;
import io.ringstore.storage.ObjectParts;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StorageCalls;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The receiving side of a partition move, its protocol driven directly: a probe stands in for the
 * previous host's {@link PartitionSource} (registered with the receptionist, taken for another
 * node) and the other replica is a real {@link ReplicaEntity} over its own store, or a probe where
 * the test only needs to see that the tree sync began. A copy that completes and then syncs, a
 * source silent at the description or between batches (manual time), a failing or unreadable batch,
 * and no other replica reachable (retried): each reported in the node's {@link TransferTracker}.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionTransferTest {

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(ManualTime.config()).build();

  private static final String SELF = "127.0.0.1:1";
  private static final String OTHER = "127.0.0.1:2";
  private static final int PARTITIONS = 8;
  private static final int P = 3;
  private static final Ring RING = Ring.of(new RingConfig(PARTITIONS, 8, 2), List.of(SELF, OTHER));

  /** This node's replica of P and the one on the other node. */
  private static final ReplicaId ID = new ReplicaId(P, RING.replicas(P).indexOf(SELF));

  private static final ReplicaId PEER_ID = new ReplicaId(P, RING.replicas(P).indexOf(OTHER));
  private static final int KEYS = 5;
  private static final PartitionTransfer.Settings SETTINGS =
      new PartitionTransfer.Settings(
          Duration.ofSeconds(3),
          Duration.ofSeconds(2),
          Duration.ofSeconds(30),
          3,
          1 << 20,
          Duration.ofHours(1),
          5,
          new ExchangeSession.Limits(Integer.MAX_VALUE, 1000, 8, Duration.ofSeconds(10)));

  private final ExecutorService storageExecutor = Executors.newFixedThreadPool(2);
  private ManualTime manualTime;
  private TestProbe<Object> watcher;
  private Fixture fixture;

  @BeforeEach
  void setUp() {
    manualTime = ManualTime.get(testKit.system());
    watcher = testKit.createTestProbe();
  }

  @AfterEach
  void stopTransfer() {
    if (fixture != null) {
      fixture.stop();
      fixture = null;
    }
  }

  @AfterAll
  void shutDownStorageExecutor() {
    storageExecutor.shutdownNow();
  }

  /**
   * This node (its store, trees and tracker), the previous host's source (a probe taken for node
   * OTHER), the other replica of P (a real entity over the peer store, or {@code peerProbe}), the
   * entity the transfer reports to, and the transfer itself.
   */
  private final class Fixture {
    final InMemoryStorage localStorage = new InMemoryStorage();
    final LocalObjectStore local = new LocalObjectStore(localStorage, "A");
    final PartitionTrees localTrees =
        PartitionTrees.rebuild(localStorage, PARTITIONS, new TreeShape(64));
    final InMemoryStorage peerStorage = new InMemoryStorage();
    final LocalObjectStore peer = new LocalObjectStore(peerStorage, "B");
    final PartitionTrees peerTrees =
        PartitionTrees.rebuild(peerStorage, PARTITIONS, new TreeShape(64));
    final TransferTracker tracker = new TransferTracker(SELF);
    final TestProbe<PartitionSource.Command> source = testKit.createTestProbe();
    final TestProbe<ReplicaEntity.Command> entity = testKit.createTestProbe();
    final TestProbe<ReplicaEntity.Command> peerProbe = testKit.createTestProbe();

    /** The data nodes this node can reach. */
    final Set<String> reachable = ConcurrentHashMap.newKeySet();

    /** The nodes this node's failure detector sees Up and reachable. */
    final Set<String> available = ConcurrentHashMap.newKeySet();

    final List<String> keys = new ArrayList<>();
    final ActorRef<ReplicaEntity.Command> peerRef;
    final boolean realPeer;
    ActorRef<PartitionTransfer.Command> transfer;

    /** {@code realPeer}: the other replica is a real entity (else {@link #peerProbe}). */
    Fixture(boolean realPeer) {
      this.realPeer = realPeer;
      local.setListener(localTrees);
      peer.setListener(peerTrees);
      for (int i = 0; i < KEYS; i++) {
        String key = "k" + i;
        keys.add(key);
        peer.coordinate(
            P,
            key,
            Sibling.value(("v" + i).getBytes(UTF_8), "text/plain"),
            Optional.empty(),
            false);
      }
      peerRef =
          realPeer
              ? testKit.spawn(
                  ReplicaEntity.create(
                      PEER_ID,
                      new ReplicaHost(
                          peer,
                          StorageCalls.unbounded(storageExecutor),
                          OTHER,
                          new LocalReplicas(),
                          peerTrees)))
              : peerProbe.ref();
      reachable.addAll(Set.of(SELF, OTHER));
      available.addAll(Set.of(SELF, OTHER));
      TestProbe<Receptionist.Registered> registered = testKit.createTestProbe();
      testKit
          .system()
          .receptionist()
          .tell(Receptionist.register(PartitionSource.KEY, source.ref(), registered.ref()));
      registered.receiveMessage();
      fixture = this;
    }

    /** Starts the transfer of {@link #ID}, as its entity would (the tracker first). */
    void start() {
      ReplicaDirectory directory =
          new ReplicaDirectory(
              id -> {
                assertEquals(PEER_ID, id, "the transfer syncs with the other replica of P only");
                return TestEntityRef.of(ReplicaSharding.TYPE_KEY, id.id(), peerRef);
              },
              () -> RING,
              new LocalReplicas(),
              available::contains);
      ExchangeSession.Host exchange =
          new ExchangeSession.Host(
              localTrees,
              local,
              StorageCalls.unbounded(storageExecutor),
              SELF,
              directory,
              new AntiEntropyStatus());
      tracker.begin(ID, System.currentTimeMillis());
      transfer =
          testKit.spawn(
              PartitionTransfer.create(
                  ID,
                  entity.ref(),
                  new PartitionTransfer.Host(exchange, tracker, () -> Set.copyOf(reachable)),
                  SETTINGS,
                  ref -> ref.equals(source.ref()) ? OTHER : SELF));
    }

    /** The source answers the Describe: it released this very replica a second ago. */
    PartitionSource.Describe describeAsPreviousHost() {
      PartitionSource.Describe describe = source.expectMessageClass(PartitionSource.Describe.class);
      assertEquals(P, describe.partition(), "the transfer asks about its partition");
      describe
          .replyTo()
          .tell(
              new PartitionSource.Description(
                  OTHER, P, false, 1_000L, KEYS, peerRef, Map.of(ID.id(), 1_000L)));
      return describe;
    }

    PartitionSource.CopyBatch expectCopyBatch(String afterKey) {
      PartitionSource.CopyBatch copy = source.expectMessageClass(PartitionSource.CopyBatch.class);
      assertEquals(P, copy.partition(), "a batch of its partition");
      assertEquals(afterKey, copy.afterKey(), "the batch resumes after the last key stored");
      assertEquals(SETTINGS.batchEntries(), copy.maxEntries(), "bounded in keys");
      assertEquals(SETTINGS.batchBytes(), copy.maxBytes(), "bounded in bytes");
      return copy;
    }

    /** The peer's objects of {@code keys.subList(from, to)} as a batch of the source. */
    PartitionSource.Batch batch(int from, int to, boolean done) {
      List<String> batchKeys = keys.subList(from, to);
      List<byte[]> objects =
          batchKeys.stream().map(key -> peer.readEncoded(P, key).orElseThrow()).toList();
      return new PartitionSource.Batch(OTHER, P, batchKeys, objects, done, null);
    }

    TransferTracker.Transfer tracked() {
      List<TransferTracker.Transfer> all = tracker.all();
      assertEquals(1, all.size(), "one transfer tracked: " + all);
      return all.get(0);
    }

    void stop() {
      if (transfer != null) {
        testKit.stop(transfer);
      }
      if (realPeer) {
        testKit.stop(peerRef);
      }
      source.stop();
    }
  }

  @Test
  void aCopyFromThePreviousHostThenASyncCompletesTheTransfer() {
    Fixture f = new Fixture(true);
    f.start();
    f.describeAsPreviousHost();
    f.expectCopyBatch(null).replyTo().tell(f.batch(0, 3, false));
    f.expectCopyBatch("k2").replyTo().tell(f.batch(3, KEYS, true));

    f.entity.expectMessage(Duration.ofSeconds(10), new ReplicaEntity.SyncCompleted());
    watcher.expectTerminated(f.transfer, Duration.ofSeconds(3));
    f.transfer = null;
    f.source.expectNoMessage(Duration.ofMillis(100));
    for (String key : f.keys) {
      assertEquals(f.peer.read(P, key), f.local.read(P, key), key + " was copied");
    }
    TransferTracker.Transfer t = f.tracked();
    assertEquals(OTHER, t.source(), "the previous host is reported as the source");
    assertEquals(KEYS, t.keys(), "every key copied is counted");
    assertEquals(KEYS, t.expectedKeys(), "the source's key count is the expected one");
    assertEquals(
        TransferTracker.State.syncing,
        t.state(),
        "the transfer ends in its sync; the entity marks it done on SyncCompleted");
    assertNull(t.error(), "nothing went wrong");
  }

  /**
   * An object larger than one message carries comes in parts (issue 15): the source answers its key
   * with a part and the actor to resume after, the transfer asks inside that key after that actor
   * until the last part, stores the object only then and whole (the parts joined), and goes on
   * after the key. The other replica is a probe, so nothing but the copy brings the object here.
   */
  @Test
  void anObjectCopiedInPartsIsAskedForAgainAfterEachPartsActorAndStoredWhole() {
    Fixture f = new Fixture(false);
    String big = "k1+big"; // between k1 and k2
    List<DvvSet.Entry<Sibling>> entries = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      byte[] data = new byte[4096];
      Arrays.fill(data, (byte) i);
      entries.add(new DvvSet.Entry<>("actor" + i, i, List.of(Sibling.value(data, "a/b"))));
    }
    f.peer.merge(P, big, DvvSet.fromParts(entries, List.of()));
    byte[] whole = f.peer.readEncoded(P, big).orElseThrow();
    List<byte[]> parts = ObjectParts.split(whole, 9000);
    assertEquals(3, parts.size(), "the source's parts of the object");
    f.start();
    f.describeAsPreviousHost();
    f.expectCopyBatch(null).replyTo().tell(f.batch(0, 2, false));

    PartitionSource.CopyBatch copy = f.expectCopyBatch("k1");
    assertNull(copy.afterActor(), "a copy after a whole key asks for the keys after it");
    for (int j = 0; j < parts.size(); j++) {
      boolean last = j == parts.size() - 1;
      List<DvvSet.Entry<Sibling>> partEntries = StoredObjectCodec.decode(parts.get(j)).entries();
      String resume = last ? null : partEntries.get(partEntries.size() - 1).actor();
      copy.replyTo()
          .tell(
              new PartitionSource.Batch(
                  OTHER, P, List.of(big), List.of(parts.get(j)), false, null, resume));
      copy = f.expectCopyBatch(big);
      assertEquals(
          resume,
          copy.afterActor(),
          last
              ? "after the last part the copy goes on after the key"
              : "part " + j + ": the transfer asks inside the key after its last actor");
      if (!last) {
        assertTrue(
            f.local.readEncoded(P, big).isEmpty(),
            "part " + j + ": nothing is stored before the last part came");
      }
    }
    copy.replyTo().tell(f.batch(2, KEYS, true));

    f.peerProbe.expectMessageClass(ReplicaEntity.GetTree.class);
    f.source.expectNoMessage(Duration.ofMillis(100));
    assertEquals(
        f.peer.read(P, big),
        f.local.read(P, big),
        "the object is stored whole: its parts joined, equal to the source's");
    for (String key : f.keys) {
      assertEquals(f.peer.read(P, key), f.local.read(P, key), key + " was copied");
    }
  }

  @Test
  void aSourceSilentBetweenBatchesBreaksTheCopyOffAfterTheBatchTimeoutAndTheSyncFollows() {
    Fixture f = new Fixture(false);
    f.start();
    f.describeAsPreviousHost();
    f.expectCopyBatch(null).replyTo().tell(f.batch(0, 3, false));
    f.expectCopyBatch("k2");
    assertEquals(TransferTracker.State.copying, f.tracked().state(), "copying while batches come");

    manualTime.timePasses(SETTINGS.batchTimeout().minusMillis(1));
    f.peerProbe.expectNoMessage(Duration.ofMillis(200));
    manualTime.timePasses(Duration.ofMillis(1));

    f.peerProbe.expectMessageClass(ReplicaEntity.GetTree.class);
    TransferTracker.Transfer t = f.tracked();
    assertEquals(TransferTracker.State.syncing, t.state(), "the copy broke off: syncing instead");
    assertEquals(3, t.keys(), "the keys of the batch that arrived stay copied and counted");
    for (String key : f.keys.subList(0, 3)) {
      assertTrue(f.local.readEncoded(P, key).isPresent(), key + " of the first batch is stored");
    }
    f.source.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aSourceSilentAtTheDescriptionIsNotCopiedFromAndTheSyncStartsAfterTheDescribeTimeout() {
    Fixture f = new Fixture(false);
    f.start();
    f.source.expectMessageClass(PartitionSource.Describe.class);
    f.peerProbe.expectNoMessage(Duration.ofMillis(200));

    manualTime.timePasses(SETTINGS.describeTimeout());

    f.peerProbe.expectMessageClass(ReplicaEntity.GetTree.class);
    f.source.expectNoMessage(Duration.ofMillis(100));
    TransferTracker.Transfer t = f.tracked();
    assertEquals(TransferTracker.State.syncing, t.state(), "no copy source: straight to the sync");
    assertNull(t.source(), "no source reported");
    assertEquals(0, t.keys(), "nothing copied");
  }

  /** A batch the source reports failed, and one whose objects cannot be decoded here. */
  @Test
  void aBatchThatFailsBreaksTheCopyOffAndTheSyncFollows() {
    for (boolean sourceError : new boolean[] {true, false}) {
      String name = sourceError ? "a batch the source failed" : "a batch that cannot be stored";
      Fixture f = new Fixture(false);
      f.start();
      f.describeAsPreviousHost();
      PartitionSource.CopyBatch copy = f.expectCopyBatch(null);
      copy.replyTo()
          .tell(
              sourceError
                  ? new PartitionSource.Batch(
                      OTHER, P, List.of(), List.of(), false, "IOException: disk")
                  : new PartitionSource.Batch(
                      OTHER, P, List.of("k0"), List.of(new byte[] {1, 2, 3}), false, null));

      f.peerProbe.expectMessageClass(ReplicaEntity.GetTree.class);
      TransferTracker.Transfer t = f.tracked();
      assertEquals(TransferTracker.State.syncing, t.state(), name + ": syncing instead");
      assertEquals(0, t.keys(), name + ": nothing counted as copied");
      assertTrue(f.local.readEncoded(P, "k0").isEmpty(), name + ": nothing stored");
      f.source.expectNoMessage(Duration.ofMillis(100));
      f.stop();
      fixture = null;
    }
  }

  @Test
  void withNoOtherReplicaReachableTheTransferReportsItAndStartsOverAfterTheRetryInterval() {
    Fixture f = new Fixture(false);
    f.reachable.remove(OTHER);
    f.available.remove(OTHER);
    f.start();

    watcher.awaitAssert(
        Duration.ofSeconds(3),
        () -> {
          TransferTracker.Transfer t = f.tracked();
          assertEquals(TransferTracker.State.syncing, t.state(), "waiting to sync");
          assertNotNull(t.error(), "what it waits for is reported");
          assertTrue(
              t.error().contains("no other replica of the partition answered; retrying"),
              t.error());
          return null;
        });
    f.entity.expectNoMessage(Duration.ofMillis(200));
    f.source.expectNoMessage(Duration.ofMillis(100));
    f.peerProbe.expectNoMessage(Duration.ofMillis(100));

    f.reachable.add(OTHER);
    f.available.add(OTHER);
    manualTime.timePasses(SETTINGS.retryInterval());

    f.source.expectMessageClass(PartitionSource.Describe.class);
  }
}
