package io.ringstore.antientropy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.replica.LocalObjectStore;
import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.PeerQueue;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaHost;
import io.ringstore.replica.ReplicaId;
import io.ringstore.replica.ReplicaSharding;
import io.ringstore.storage.InMemoryStorage;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StorageCalls;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An exchange session end to end between two real replicas of one partition in one ActorTestKit: a
 * local object store with its trees, and a peer {@link ReplicaEntity} over its own store and trees.
 * Equal partitions, keys on one side only, concurrent values, stale values, tombstones that must
 * not be copied to a replica lacking the key, the key limit, and a silent peer on manual time;
 * every session records its outcome and stops.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExchangeSessionTest {

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(ManualTime.config()).build();

  private static final int PARTITIONS = 4;
  private static final int P = 2;
  private static final TreeShape SHAPE = new TreeShape(64);
  private static final String LOCAL_NODE = "127.0.0.1:1";
  private static final String PEER_NODE = "127.0.0.1:2";
  private static final ReplicaId PEER = new ReplicaId(P, 1);
  private static final ExchangeSession.Limits LIMITS =
      new ExchangeSession.Limits(64, 1000, 8, Duration.ofSeconds(10));
  private static final Duration SESSION_MAX = Duration.ofSeconds(5);
  private static final Duration QUIET = Duration.ofMillis(100);

  private final ExecutorService storageExecutor = Executors.newFixedThreadPool(2);
  private ManualTime manualTime;
  private TestProbe<Object> watcher;

  @BeforeEach
  void setUp() {
    manualTime = ManualTime.get(testKit.system());
    watcher = testKit.createTestProbe();
  }

  @AfterAll
  void shutDownStorageExecutor() {
    storageExecutor.shutdownNow();
  }

  /**
   * This node's store and trees, and the peer's store, trees and replica entity; fresh per test.
   */
  private final class Fixture {
    final InMemoryStorage localStorage = new InMemoryStorage();
    final LocalObjectStore local = new LocalObjectStore(localStorage, "A");
    final PartitionTrees localTrees = PartitionTrees.rebuild(localStorage, PARTITIONS, SHAPE);
    final InMemoryStorage peerStorage = new InMemoryStorage();
    final LocalObjectStore peer = new LocalObjectStore(peerStorage, "B");
    final PartitionTrees peerTrees = PartitionTrees.rebuild(peerStorage, PARTITIONS, SHAPE);
    final AntiEntropyStatus status = new AntiEntropyStatus();
    final ActorRef<ReplicaEntity.Command> peerEntity;

    Fixture() {
      local.setListener(localTrees);
      peer.setListener(peerTrees);
      peerEntity =
          testKit.spawn(
              ReplicaEntity.create(
                  PEER,
                  new ReplicaHost(
                      peer,
                      StorageCalls.unbounded(storageExecutor),
                      PEER_NODE,
                      new LocalReplicas(),
                      peerTrees)));
    }

    ExchangeSession.Host host(ActorRef<ReplicaEntity.Command> peerRef) {
      return host(peerRef, PeerQueue.UNBOUNDED);
    }

    /** A host whose pushes to the peer's node count against {@code peerQueue}. */
    ExchangeSession.Host host(ActorRef<ReplicaEntity.Command> peerRef, PeerQueue peerQueue) {
      ReplicaDirectory directory =
          new ReplicaDirectory(
              id -> {
                assertEquals(PEER, id, "a session talks to its peer replica only");
                return TestEntityRef.of(ReplicaSharding.TYPE_KEY, id.id(), peerRef);
              },
              () -> {
                throw new AssertionError("an exchange session needs no ring");
              },
              new LocalReplicas());
      return new ExchangeSession.Host(
          localTrees,
          local,
          StorageCalls.unbounded(storageExecutor),
          LOCAL_NODE,
          directory,
          status,
          peerQueue);
    }

    /**
     * The peer entity behind a spy: every message reaches it, and each Replicate (a push) is also
     * told to {@code pushes}.
     */
    ActorRef<ReplicaEntity.Command> spiedPeer(TestProbe<ReplicaEntity.Replicate> pushes) {
      return testKit.spawn(
          Behaviors.receive(ReplicaEntity.Command.class)
              .onAnyMessage(
                  message -> {
                    if (message instanceof ReplicaEntity.Replicate replicate) {
                      pushes.ref().tell(replicate);
                    }
                    peerEntity.tell(message);
                    return Behaviors.same();
                  })
              .build());
    }

    /** Runs one session with the peer behind {@code peerRef} and {@code peerQueue} to its end. */
    AntiEntropyStatus.Exchange exchange(
        ActorRef<ReplicaEntity.Command> peerRef, PeerQueue peerQueue) {
      long before = status.totalExchanges();
      ActorRef<ExchangeSession.Command> session =
          testKit.spawn(ExchangeSession.create(P, PEER, host(peerRef, peerQueue), LIMITS));
      watcher.expectTerminated(session, SESSION_MAX);
      assertEquals(before + 1, status.totalExchanges(), "one exchange recorded per session");
      return status.partitions().get(P).lastExchange();
    }

    /** Runs one session against the real peer to its end; returns the exchange it recorded. */
    AntiEntropyStatus.Exchange exchange(ExchangeSession.Limits limits) {
      long before = status.totalExchanges();
      ActorRef<ExchangeSession.Command> session =
          testKit.spawn(ExchangeSession.create(P, PEER, host(peerEntity), limits));
      watcher.expectTerminated(session, SESSION_MAX);
      assertEquals(before + 1, status.totalExchanges(), "one exchange recorded per session");
      return status.partitions().get(P).lastExchange();
    }
  }

  private static DvvSet<Sibling> put(LocalObjectStore store, String key, String value) {
    return store.coordinate(
        P, key, Sibling.value(value.getBytes(UTF_8), "text/plain"), Optional.empty(), false);
  }

  /** A write that supersedes everything the store holds for the key. */
  private static void overwrite(LocalObjectStore store, String key, String value) {
    store.coordinate(
        P,
        key,
        Sibling.value(value.getBytes(UTF_8), "text/plain"),
        Optional.of(store.read(P, key).orElseThrow().join()),
        false);
  }

  /** A delete with the store's own context: the key then holds only a tombstone. */
  private static void delete(LocalObjectStore store, String key) {
    store.coordinate(P, key, Sibling.newTombstone(), Optional.empty(), true);
  }

  private static void copy(LocalObjectStore from, LocalObjectStore to, String key) {
    to.merge(P, key, from.read(P, key).orElseThrow());
  }

  private static Set<String> values(LocalObjectStore store, String key) {
    return store.read(P, key).orElseThrow().values().stream()
        .filter(s -> !s.tombstone())
        .map(s -> new String(s.data(), UTF_8))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static void assertSameObject(Fixture f, String key) {
    Optional<byte[]> here = f.local.readEncoded(P, key);
    Optional<byte[]> there = f.peer.readEncoded(P, key);
    assertTrue(here.isPresent(), key + " is stored here");
    assertTrue(there.isPresent(), key + " is stored on the peer");
    assertEquals(
        StoredObjectCodec.decode(here.get()),
        StoredObjectCodec.decode(there.get()),
        key + ": same object on both replicas");
    assertArrayEquals(here.get(), there.get(), key + ": same stored bytes on both replicas");
  }

  private static void assertTreesEqual(Fixture f) {
    assertEquals(f.localTrees.tree(P).root(), f.peerTrees.tree(P).root(), "tree roots");
    assertArrayEquals(f.localTrees.branchHashes(P), f.peerTrees.branchHashes(P), "branch hashes");
  }

  @Test
  void equalPartitions_treesEqual_nothingRepaired_andStops() {
    Fixture f = new Fixture();
    for (int i = 0; i < 5; i++) {
      put(f.local, "same-" + i, "v" + i);
      copy(f.local, f.peer, "same-" + i);
    }
    assertTreesEqual(f);

    AntiEntropyStatus.Exchange exchange = f.exchange(LIMITS);
    assertEquals(P, exchange.partition());
    assertEquals(PEER_NODE, exchange.peer(), "the peer's node, from its tree reply");
    assertTrue(exchange.treesEqual(), "equal trees");
    assertEquals(0, exchange.segmentsDiffering());
    assertEquals(0, exchange.keysRepaired());
    assertNull(exchange.error());
    assertEquals(0, f.status.totalKeysRepaired());
    AntiEntropyStatus.Durations durations = f.status.durations();
    assertEquals(1, LongStream.of(durations.buckets()).sum(), "the exchange's duration is counted");
    assertTrue(durations.sumSeconds() > 0, "a session takes some time: " + durations.sumSeconds());
  }

  @Test
  void emptyPartitions_treesEqual() {
    Fixture f = new Fixture();
    AntiEntropyStatus.Exchange exchange = f.exchange(LIMITS);
    assertTrue(exchange.treesEqual());
    assertEquals(0, exchange.keysRepaired());
    assertNull(exchange.error());
  }

  @Test
  void differingKeys_repairedBothWays_siblingsMerged_treesConverge() {
    Fixture f = new Fixture();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      put(f.local, "local-only-" + i, "L" + i);
      put(f.peer, "peer-only-" + i, "P" + i);
      put(f.local, "both-" + i, "L" + i);
      put(f.peer, "both-" + i, "P" + i);
      keys.addAll(List.of("local-only-" + i, "peer-only-" + i, "both-" + i));
    }
    put(f.local, "stale-here", "old");
    copy(f.local, f.peer, "stale-here");
    overwrite(f.peer, "stale-here", "new");
    put(f.peer, "stale-there", "old");
    copy(f.peer, f.local, "stale-there");
    overwrite(f.local, "stale-there", "new");
    keys.addAll(List.of("stale-here", "stale-there"));
    for (int i = 0; i < 2; i++) {
      put(f.local, "same-" + i, "S" + i);
      copy(f.local, f.peer, "same-" + i);
    }
    f.local.coordinate(
        P + 1, "other-partition", Sibling.value(new byte[] {1}, "x/y"), Optional.empty(), false);
    assertNotEquals(f.localTrees.tree(P).root(), f.peerTrees.tree(P).root());

    AntiEntropyStatus.Exchange exchange = f.exchange(LIMITS);
    assertFalse(exchange.treesEqual());
    assertNull(exchange.error());
    assertTrue(exchange.segmentsDiffering() > 0, "some segments differed");
    assertEquals(keys.size(), exchange.keysRepaired(), "every differing key, and only those");
    assertEquals(keys.size(), f.status.partitions().get(P).keysRepaired());

    for (String key : keys) {
      assertSameObject(f, key);
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(Set.of("L" + i), values(f.peer, "local-only-" + i));
      assertEquals(Set.of("P" + i), values(f.local, "peer-only-" + i));
      assertEquals(
          Set.of("L" + i, "P" + i),
          values(f.local, "both-" + i),
          "concurrent values are kept as siblings");
      assertEquals(2, f.local.read(P, "both-" + i).orElseThrow().size());
    }
    assertEquals(Set.of("new"), values(f.local, "stale-here"), "the newer value wins here");
    assertEquals(Set.of("new"), values(f.peer, "stale-there"), "the newer value wins there");
    assertSameObject(f, "same-0");
    assertTreesEqual(f);
    assertTrue(
        f.peer.readEncoded(P + 1, "other-partition").isEmpty(), "other partitions are not touched");

    AntiEntropyStatus.Exchange again = f.exchange(LIMITS);
    assertTrue(again.treesEqual(), "a second exchange finds nothing to do");
    assertEquals(0, again.keysRepaired());
    assertEquals(2, f.status.partitions().get(P).exchanges());
  }

  @Test
  void tombstoneOnOneSideOnly_isNotCopied_butATombstoneBesideAValueMerges() {
    Fixture f = new Fixture();
    put(f.local, "deleted-here", "v");
    delete(f.local, "deleted-here");
    put(f.peer, "deleted-there", "v");
    delete(f.peer, "deleted-there");
    // deleted on both, then reaped on the peer (not yet here): must not come back to the peer
    put(f.local, "reaped-there", "v");
    copy(f.local, f.peer, "reaped-there");
    delete(f.local, "reaped-there");
    copy(f.local, f.peer, "reaped-there");
    byte[] reaped = f.peer.readEncoded(P, "reaped-there").orElseThrow();
    f.peerStorage.delete(P, "reaped-there".getBytes(UTF_8));
    f.peerTrees.changed(P, "reaped-there".getBytes(UTF_8), reaped, null);
    // a delete here of a value the peer still holds: both hold the key, so the delete travels
    put(f.local, "deleted-beside-value", "v");
    copy(f.local, f.peer, "deleted-beside-value");
    delete(f.local, "deleted-beside-value");
    put(f.local, "live", "v");
    assertTrue(LocalObjectStore.onlyTombstones(f.local.read(P, "deleted-here").orElseThrow()));

    AntiEntropyStatus.Exchange exchange = f.exchange(LIMITS);
    assertNull(exchange.error());
    assertEquals(2, exchange.keysRepaired(), "only 'live' and 'deleted-beside-value'");

    assertTrue(f.peer.readEncoded(P, "deleted-here").isEmpty(), "tombstone not copied to the peer");
    assertTrue(f.local.readEncoded(P, "deleted-there").isEmpty(), "tombstone not copied here");
    assertTrue(f.peer.readEncoded(P, "reaped-there").isEmpty(), "a reaped tombstone stays reaped");
    assertSameObject(f, "live");
    assertSameObject(f, "deleted-beside-value");
    assertTrue(
        LocalObjectStore.onlyTombstones(f.peer.read(P, "deleted-beside-value").orElseThrow()),
        "the peer's value is superseded by the delete");
    assertNotEquals(
        f.localTrees.tree(P).root(),
        f.peerTrees.tree(P).root(),
        "the lone tombstones still differ until reaped");

    AntiEntropyStatus.Exchange again = f.exchange(LIMITS);
    assertFalse(again.treesEqual());
    assertEquals(0, again.keysRepaired(), "lone tombstones are never repaired");
    assertTrue(f.peer.readEncoded(P, "deleted-here").isEmpty());
  }

  @Test
  void maxKeys_boundsOneSession_laterSessionsRepairTheRest() {
    Fixture f = new Fixture();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String key = String.format("k%02d", i);
      keys.add(key);
      put(f.local, key, "v" + i);
    }
    ExchangeSession.Limits tenKeys = new ExchangeSession.Limits(64, 10, 4, Duration.ofSeconds(10));

    AntiEntropyStatus.Exchange first = f.exchange(tenKeys);
    assertNull(first.error());
    assertEquals(10, first.keysRepaired(), "one session repairs at most maxKeys");
    assertEquals(keys.subList(0, 10), peerKeys(f, keys), "the first keys in byte order");

    AntiEntropyStatus.Exchange second = f.exchange(tenKeys);
    assertEquals(10, second.keysRepaired());
    assertEquals(keys.subList(0, 20), peerKeys(f, keys));
    assertEquals(20, f.status.partitions().get(P).keysRepaired());

    for (int i = 2; i < 5; i++) {
      assertEquals(10, f.exchange(tenKeys).keysRepaired(), "session " + (i + 1));
    }
    assertEquals(keys, peerKeys(f, keys));
    assertTreesEqual(f);
    assertTrue(f.exchange(tenKeys).treesEqual());
    assertEquals(50, f.status.totalKeysRepaired());
  }

  private static List<String> peerKeys(Fixture f, List<String> keys) {
    return keys.stream().filter(k -> f.peer.readEncoded(P, k).isPresent()).toList();
  }

  @Test
  void peerNeverAnswers_deadlineRecordsAnError_andStops() {
    Fixture f = new Fixture();
    put(f.local, "k", "v");
    TestProbe<ReplicaEntity.Command> silentPeer = testKit.createTestProbe();
    ActorRef<ExchangeSession.Command> session =
        testKit.spawn(
            ExchangeSession.create(
                P,
                PEER,
                f.host(silentPeer.ref()),
                new ExchangeSession.Limits(64, 1000, 8, Duration.ofSeconds(1))));
    silentPeer.expectMessageClass(ReplicaEntity.GetTree.class);

    manualTime.timePasses(Duration.ofMillis(999));
    silentPeer.expectNoMessage(QUIET);
    assertEquals(0, f.status.totalExchanges(), "still waiting before the deadline");

    manualTime.timePasses(Duration.ofMillis(1));
    watcher.expectTerminated(session);
    AntiEntropyStatus.Exchange exchange = f.status.partitions().get(P).lastExchange();
    assertEquals("timed out after 1000 ms", exchange.error());
    assertEquals(PEER.id(), exchange.peer(), "the replica id when its node never answered");
    assertFalse(exchange.treesEqual());
    assertEquals(0, exchange.keysRepaired());
    assertTrue(f.local.readEncoded(P, "k").isPresent());
  }

  @Test
  void peerSilentForItsTree_givesUpAfterThreeSeconds_beforeALongerDeadline() {
    Fixture f = new Fixture();
    TestProbe<ReplicaEntity.Command> silentPeer = testKit.createTestProbe();
    ActorRef<ExchangeSession.Command> session =
        testKit.spawn(ExchangeSession.create(P, PEER, f.host(silentPeer.ref()), LIMITS));
    silentPeer.expectMessageClass(ReplicaEntity.GetTree.class);

    manualTime.timePasses(Duration.ofMillis(2999));
    silentPeer.expectNoMessage(QUIET);
    assertEquals(0, f.status.totalExchanges());

    manualTime.timePasses(Duration.ofMillis(1));
    watcher.expectTerminated(session);
    assertEquals(
        "no answer from the peer replica", f.status.partitions().get(P).lastExchange().error());
  }

  @Test
  void peerSilentAfterItsTree_runsToTheDeadline() {
    Fixture f = new Fixture();
    put(f.local, "k", "v");
    TestProbe<ReplicaEntity.Command> peer = testKit.createTestProbe();
    ActorRef<ExchangeSession.Command> session =
        testKit.spawn(ExchangeSession.create(P, PEER, f.host(peer.ref()), LIMITS));
    peer.expectMessageClass(ReplicaEntity.GetTree.class)
        .replyTo()
        .tell(
            new ReplicaEntity.TreeReply(
                PEER.id(), PEER_NODE, new TicTacTree(SHAPE).branchHashes(), null));
    ReplicaEntity.GetSegments segments = peer.expectMessageClass(ReplicaEntity.GetSegments.class);
    assertEquals(
        SHAPE.segmentsPerBranch(),
        segments.segments().length,
        "only the one differing branch is asked for");

    manualTime.timePasses(Duration.ofSeconds(3));
    peer.expectNoMessage(QUIET);
    assertEquals(0, f.status.totalExchanges(), "the peer answered once: not silent");

    manualTime.timePasses(Duration.ofSeconds(7));
    watcher.expectTerminated(session);
    AntiEntropyStatus.Exchange exchange = f.status.partitions().get(P).lastExchange();
    assertEquals("timed out after 10000 ms", exchange.error());
    assertEquals(PEER_NODE, exchange.peer());
  }

  @Test
  void peerReportsAnError_recordedAndStops() {
    Fixture f = new Fixture();
    TestProbe<ReplicaEntity.Command> peer = testKit.createTestProbe();
    ActorRef<ExchangeSession.Command> session =
        testKit.spawn(ExchangeSession.create(P, PEER, f.host(peer.ref()), LIMITS));
    peer.expectMessageClass(ReplicaEntity.GetTree.class)
        .replyTo()
        .tell(new ReplicaEntity.TreeReply(PEER.id(), PEER_NODE, null, "no trees here"));
    watcher.expectTerminated(session);
    assertEquals("no trees here", f.status.partitions().get(P).lastExchange().error());
  }

  // the bound on bytes queued to each peer node (PeerQueue) counts pushes to the peer

  /** A peer queue that accepts or refuses every ask, recording each ask's node and bytes. */
  private static final class RecordingQueue implements PeerQueue {
    private final boolean accept;
    private final List<String> nodes = new ArrayList<>();
    private final List<Long> bytes = new ArrayList<>();

    RecordingQueue(boolean accept) {
      this.accept = accept;
    }

    @Override
    public synchronized boolean tryAcquire(String node, long bytes) {
      this.nodes.add(node);
      this.bytes.add(bytes);
      return accept;
    }

    synchronized List<String> nodes() {
      return List.copyOf(nodes);
    }

    synchronized long bytes() {
      return bytes.stream().mapToLong(Long::longValue).sum();
    }
  }

  @Test
  void aPushThePeersQueueRefuses_isNotSent_theLocalSideStillMerges_andTheSessionFinishes() {
    Fixture f = new Fixture();
    put(f.local, "local-only", "L");
    put(f.peer, "peer-only", "P");
    TestProbe<ReplicaEntity.Replicate> pushes = testKit.createTestProbe();
    ActorRef<ReplicaEntity.Command> peer = f.spiedPeer(pushes);
    RecordingQueue refusing = new RecordingQueue(false);

    AntiEntropyStatus.Exchange exchange = f.exchange(peer, refusing);
    assertNull(exchange.error(), "the session runs to its end");
    pushes.expectNoMessage(QUIET);
    assertEquals(List.of(PEER_NODE), refusing.nodes(), "the push of local-only was asked for");
    assertTrue(f.peer.readEncoded(P, "local-only").isEmpty(), "refused: not pushed to the peer");
    assertEquals(Set.of("P"), values(f.local, "peer-only"), "what the peer had is merged here");

    AntiEntropyStatus.Exchange later = f.exchange(peer, PeerQueue.UNBOUNDED);
    assertNull(later.error());
    assertEquals(1, later.keysRepaired(), "a later exchange pushes the key");
    assertEquals("local-only", pushes.expectMessageClass(ReplicaEntity.Replicate.class).key());
    assertSameObject(f, "local-only");
    assertTreesEqual(f);
  }

  @Test
  void pushesAreCountedAgainstThePeersNode_withTheirBytes() {
    Fixture f = new Fixture();
    List<String> pushed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      put(f.local, "local-only-" + i, "L" + i);
      pushed.add("local-only-" + i);
    }
    put(f.peer, "stale-there", "old");
    copy(f.peer, f.local, "stale-there");
    overwrite(f.local, "stale-there", "new");
    pushed.add("stale-there");
    put(f.peer, "peer-only", "P");
    TestProbe<ReplicaEntity.Replicate> pushes = testKit.createTestProbe();
    RecordingQueue counting = new RecordingQueue(true);

    AntiEntropyStatus.Exchange exchange = f.exchange(f.spiedPeer(pushes), counting);
    assertNull(exchange.error());
    assertEquals(pushed.size() + 1, exchange.keysRepaired());
    long pushedBytes = 0;
    List<String> pushedKeys = new ArrayList<>();
    for (int i = 0; i < pushed.size(); i++) {
      ReplicaEntity.Replicate push = pushes.expectMessageClass(ReplicaEntity.Replicate.class);
      assertArrayEquals(
          f.local.readEncoded(P, push.key()).orElseThrow(),
          push.object(),
          push.key() + ": the merged object is pushed whole");
      pushedBytes += push.object().length;
      pushedKeys.add(push.key());
    }
    pushes.expectNoMessage(QUIET);
    assertEquals(new TreeSet<>(pushed), new TreeSet<>(pushedKeys), "what the peer lacked");
    assertEquals(
        pushed.stream().map(k -> PEER_NODE).toList(),
        counting.nodes(),
        "one ask per push, for the peer's node");
    assertEquals(pushedBytes, counting.bytes(), "the pushed objects' bytes");
    for (String key : pushed) {
      assertSameObject(f, key);
    }
    assertTreesEqual(f);
  }

  @Test
  void whenTheOnlyRepairIsAPushTheQueueRefuses_theSessionStillFinishes() {
    Fixture f = new Fixture();
    put(f.local, "local-only", "L");
    TestProbe<ReplicaEntity.Replicate> pushes = testKit.createTestProbe();
    RecordingQueue refusing = new RecordingQueue(false);

    AntiEntropyStatus.Exchange exchange = f.exchange(f.spiedPeer(pushes), refusing);
    assertNull(exchange.error(), "finished, not timed out");
    assertEquals(List.of(PEER_NODE), refusing.nodes());
    pushes.expectNoMessage(QUIET);
    assertTrue(f.peer.readEncoded(P, "local-only").isEmpty());
  }
}
