package io.ringstore.coordinator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.replica.ReplicaSharding;
import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import io.ringstore.storage.ObjectParts;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.DvvSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A read coordinator against three hand-played replicas: R replies over distinct nodes, the DVV
 * merge (siblings kept), not-found and tombstones, timeouts on manual time, read repair of the
 * replicas that were behind, and that the actor always stops.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadCoordinatorTest {

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(ManualTime.config()).build();

  private static final Ring RING =
      Ring.of(new RingConfig(64, 64, 3), List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"));
  private static final String KEY = "user/42";
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final Duration QUIET = Duration.ofMillis(100);

  private ManualTime manualTime;
  private int partition;
  private List<TestProbe<ReplicaEntity.Command>> probes;
  private ReplicaDirectory directory;
  private List<ReplicaId> replicas;
  private TestProbe<ReadResult> client;
  private TestProbe<Object> watcher;

  @BeforeEach
  void setUp() {
    manualTime = ManualTime.get(testKit.system());
    partition = RING.partitionOf(KEY);
    // a local copy: coordinators left over from earlier tests must not reach this test's probes
    List<TestProbe<ReplicaEntity.Command>> replicaProbes =
        List.of(testKit.createTestProbe(), testKit.createTestProbe(), testKit.createTestProbe());
    probes = replicaProbes;
    directory =
        new ReplicaDirectory(
            id ->
                TestEntityRef.of(
                    ReplicaSharding.TYPE_KEY, id.id(), replicaProbes.get(id.index()).ref()),
            () -> RING,
            new LocalReplicas());
    replicas = directory.replicasOf(RING, partition);
    client = testKit.createTestProbe();
    watcher = testKit.createTestProbe();
  }

  private String node(int index) {
    return RING.replicas(partition).get(index);
  }

  private String replicaId(int index) {
    return new ReplicaId(partition, index).id();
  }

  private static Sibling text(String s) {
    return Sibling.value(s.getBytes(UTF_8), "text/plain");
  }

  private static DvvSet<Sibling> blind(Sibling value, String actor) {
    return DvvSet.<Sibling>empty().update(DvvSet.of(value), actor);
  }

  private static String contextOf(DvvSet<Sibling> object) {
    return CausalContextCodec.encode(object.join());
  }

  /** Starts a read and returns the Read each replica received, in replica order. */
  private List<ReplicaEntity.Read> start(int r) {
    return start(r, TIMEOUT);
  }

  private ActorRef<ReadCoordinator.Command> coordinator;
  private RequestMetrics metrics;

  private List<ReplicaEntity.Read> start(int r, Duration timeout) {
    metrics = new RequestMetrics();
    coordinator =
        testKit.spawn(
            ReadCoordinator.create(
                new ReadCoordinator.ReadRequest(KEY, r, timeout),
                directory,
                replicas,
                client.ref(),
                metrics));
    return expectReads();
  }

  /** Starts a read whose repairs count against {@code peerBytes}; the Reads in replica order. */
  private List<ReplicaEntity.Read> start(ReadCoordinator.ReadRequest request, PeerBytes peerBytes) {
    metrics = new RequestMetrics();
    coordinator =
        testKit.spawn(
            ReadCoordinator.create(request, directory, replicas, client.ref(), metrics, peerBytes));
    return expectReads();
  }

  private List<ReplicaEntity.Read> expectReads() {
    List<ReplicaEntity.Read> reads = new ArrayList<>();
    for (TestProbe<ReplicaEntity.Command> probe : probes) {
      ReplicaEntity.Read read = probe.expectMessageClass(ReplicaEntity.Read.class);
      assertEquals(KEY, read.key());
      reads.add(read);
    }
    return reads;
  }

  private void reply(List<ReplicaEntity.Read> reads, int index, DvvSet<Sibling> object) {
    reads
        .get(index)
        .replyTo()
        .tell(
            new ReplicaEntity.ReadReply(
                replicaId(index),
                node(index),
                object == null ? null : StoredObjectCodec.encode(object),
                null));
  }

  private ReplicaEntity.Replicate expectRepair(int index, DvvSet<Sibling> merged) {
    ReplicaEntity.Replicate repair =
        probes.get(index).expectMessageClass(ReplicaEntity.Replicate.class);
    assertEquals(KEY, repair.key());
    assertEquals(
        merged,
        StoredObjectCodec.decode(repair.object()),
        "replica " + index + " is repaired with the merged object");
    return repair;
  }

  private void ack(ReplicaEntity.Replicate repair, int index) {
    repair.replyTo().tell(new ReplicaEntity.Replicated(replicaId(index), node(index), true));
  }

  private void expectNoReplicaMessages() {
    for (TestProbe<ReplicaEntity.Command> probe : probes) {
      probe.expectNoMessage(QUIET);
    }
  }

  @Test
  void foundAfterRReplies_withBothConcurrentSiblings() {
    DvvSet<Sibling> a = blind(text("a"), "uidA");
    DvvSet<Sibling> b = blind(text("b"), "uidB");
    DvvSet<Sibling> merged = a.sync(b);
    List<ReplicaEntity.Read> reads = start(2);

    reply(reads, 0, a);
    client.expectNoMessage(QUIET);
    reply(reads, 1, b);

    ReadResult.Found found = client.expectMessageClass(ReadResult.Found.class);
    assertEquals(Set.of(text("a"), text("b")), Set.copyOf(found.values()));
    assertTrue(found.hasSiblings());
    assertEquals(contextOf(merged), found.context());
    assertEquals(List.of(node(0), node(1)), found.replicas());

    // the third replica agrees with neither: after it replied, all three are behind the merge
    reply(reads, 2, a);
    ReplicaEntity.Replicate r0 = expectRepair(0, merged);
    ReplicaEntity.Replicate r1 = expectRepair(1, merged);
    ReplicaEntity.Replicate r2 = expectRepair(2, merged);
    ack(r0, 0);
    ack(r1, 1);
    client.expectNoMessage(QUIET);
    ack(r2, 2);
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  @Test
  void readRepairOnlyTouchesReplicasThatWereBehind() {
    DvvSet<Sibling> old = blind(text("old"), "uidA");
    DvvSet<Sibling> current = old.update(DvvSet.of(old.join(), text("new")), "uidA");
    List<ReplicaEntity.Read> reads = start(2);

    reply(reads, 0, current);
    reply(reads, 1, old);
    ReadResult.Found found = client.expectMessageClass(ReadResult.Found.class);
    assertEquals(
        List.of(text("new")), found.values(), "the older value is superseded, not a sibling");
    assertFalse(found.hasSiblings());
    assertEquals(contextOf(current), found.context());

    reply(reads, 2, null);
    ReplicaEntity.Replicate r1 = expectRepair(1, current);
    ReplicaEntity.Replicate r2 = expectRepair(2, current);
    probes.get(0).expectNoMessage(QUIET);
    ack(r2, 2);
    ack(r1, 1);
    watcher.expectTerminated(coordinator);
    assertEquals(2, metrics.snapshot().replicasReadRepaired(), "two replicas counted as repaired");
  }

  @Test
  void allReplicasAgree_noRepair_andStops() {
    DvvSet<Sibling> object = blind(text("v"), "uidA");
    List<ReplicaEntity.Read> reads = start(2);
    reply(reads, 0, object);
    reply(reads, 1, object);
    assertEquals(List.of(text("v")), client.expectMessageClass(ReadResult.Found.class).values());
    reply(reads, 2, object);
    watcher.expectTerminated(coordinator);
    expectNoReplicaMessages();
    assertEquals(0, metrics.snapshot().replicasReadRepaired(), "no repair counted");
  }

  @Test
  void notFoundWhenNoReplicaHasTheKey() {
    List<ReplicaEntity.Read> reads = start(2);
    reply(reads, 0, null);
    reply(reads, 1, null);
    assertEquals(
        new ReadResult.NotFound(null, List.of(node(0), node(1))),
        client.expectMessageClass(ReadResult.NotFound.class));
    reply(reads, 2, null);
    watcher.expectTerminated(coordinator);
    expectNoReplicaMessages();
  }

  @Test
  void notFoundWithContextWhenOnlyTombstones() {
    DvvSet<Sibling> live = blind(text("v"), "uidA");
    DvvSet<Sibling> deleted = live.update(DvvSet.of(live.join(), Sibling.newTombstone()), "uidA");
    List<ReplicaEntity.Read> reads = start(2);
    reply(reads, 0, deleted);
    reply(reads, 1, live);
    ReadResult.NotFound notFound = client.expectMessageClass(ReadResult.NotFound.class);
    assertNotNull(notFound.context(), "a known tombstone comes with its context");
    assertEquals(contextOf(deleted), notFound.context());
    assertEquals(List.of(node(0), node(1)), notFound.replicas());

    reply(reads, 2, deleted);
    ack(expectRepair(1, deleted), 1);
    watcher.expectTerminated(coordinator);
  }

  @Test
  void tombstoneSiblingOfALiveValue_isFoundWithTheLiveValueOnly() {
    DvvSet<Sibling> live = blind(text("v"), "uidA");
    DvvSet<Sibling> tomb = blind(Sibling.newTombstone(), "uidB");
    List<ReplicaEntity.Read> reads = start(2);
    reply(reads, 0, live);
    reply(reads, 1, tomb);
    ReadResult.Found found = client.expectMessageClass(ReadResult.Found.class);
    assertEquals(List.of(text("v")), found.values());
    assertEquals(
        contextOf(live.sync(tomb)), found.context(), "the context covers the tombstone too");
  }

  @Test
  void twoRepliesFromTheSameNodeCountOnce() {
    DvvSet<Sibling> object = blind(text("v"), "uidA");
    List<ReplicaEntity.Read> reads = start(2);
    reads
        .get(0)
        .replyTo()
        .tell(
            new ReplicaEntity.ReadReply(
                replicaId(0), node(0), StoredObjectCodec.encode(object), null));
    reads
        .get(1)
        .replyTo()
        .tell(
            new ReplicaEntity.ReadReply(
                replicaId(1), node(0), StoredObjectCodec.encode(object), null));
    client.expectNoMessage(QUIET);
    reply(reads, 2, object);
    ReadResult.Found found = client.expectMessageClass(ReadResult.Found.class);
    assertEquals(List.of(node(0), node(2)), found.replicas());
    watcher.expectTerminated(coordinator);
  }

  @Test
  void timeoutBeforeR_unavailableWithTheRepliesCount_andStops() {
    List<ReplicaEntity.Read> reads = start(2);
    reply(reads, 0, blind(text("v"), "uidA"));
    manualTime.timePasses(TIMEOUT.minusMillis(1));
    client.expectNoMessage(QUIET);
    manualTime.timePasses(Duration.ofMillis(1));

    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(1, unavailable.acks());
    assertEquals(2, unavailable.required());
    assertEquals(3, unavailable.replicas());
    assertEquals(List.of(node(0)), unavailable.nodes());
    assertEquals("timed out after 2000 ms", unavailable.reason());
    watcher.expectTerminated(coordinator);
    expectNoReplicaMessages();
  }

  @Test
  void timeoutWithNoReplies_unavailableWithZero_andStops() {
    start(3);
    manualTime.timePasses(TIMEOUT);
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(new Outcome.Unavailable(0, 3, 3, List.of(), unavailable.reason()), unavailable);
    watcher.expectTerminated(coordinator);
  }

  @Test
  void failedReplicasMakeRImpossible_unavailable_andStopsOnceAllAnswered() {
    List<ReplicaEntity.Read> reads = start(2);
    reads
        .get(0)
        .replyTo()
        .tell(new ReplicaEntity.ReadReply(replicaId(0), node(0), null, "IOException: disk"));
    client.expectNoMessage(QUIET);
    reads
        .get(1)
        .replyTo()
        .tell(new ReplicaEntity.ReadReply(replicaId(1), node(1), null, "IOException: disk"));
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(0, unavailable.acks());
    assertEquals(2, unavailable.required());
    reply(reads, 2, blind(text("v"), "uidA"));
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  @Test
  void aFailedReplicaIsNotRepaired() {
    DvvSet<Sibling> object = blind(text("v"), "uidA");
    List<ReplicaEntity.Read> reads = start(2);
    reply(reads, 0, object);
    reads.get(1).replyTo().tell(new ReplicaEntity.ReadReply(replicaId(1), node(1), null, "boom"));
    reply(reads, 2, null);
    assertEquals(List.of(text("v")), client.expectMessageClass(ReadResult.Found.class).values());
    ack(expectRepair(2, object), 2);
    watcher.expectTerminated(coordinator);
    probes.get(1).expectNoMessage(QUIET);
  }

  @Test
  void silentReplica_afterTheTimeoutTheRepliedStaleOnesAreRepaired_thenStopsOnAcks() {
    DvvSet<Sibling> old = blind(text("old"), "uidA");
    DvvSet<Sibling> current = old.update(DvvSet.of(old.join(), text("new")), "uidA");
    List<ReplicaEntity.Read> reads = start(2);
    reply(reads, 0, old);
    reply(reads, 1, current);
    client.expectMessageClass(ReadResult.Found.class);
    expectNoReplicaMessages();

    manualTime.timePasses(TIMEOUT);
    ReplicaEntity.Replicate r0 = expectRepair(0, current);
    probes.get(1).expectNoMessage(QUIET);
    probes.get(2).expectNoMessage(QUIET);
    ack(r0, 0);
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  @Test
  void repairAcksThatNeverCome_theSecondTimeoutStopsIt() {
    DvvSet<Sibling> object = blind(text("v"), "uidA");
    List<ReplicaEntity.Read> reads = start(2);
    reply(reads, 0, object);
    reply(reads, 1, null);
    client.expectMessageClass(ReadResult.Found.class);
    reply(reads, 2, null);
    expectRepair(1, object);
    expectRepair(2, object);

    manualTime.timePasses(TIMEOUT);
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  @Test
  void silentReplicaAndSilentRepairs_stopsAfterTwoTimeouts() {
    DvvSet<Sibling> object = blind(text("v"), "uidA");
    List<ReplicaEntity.Read> reads = start(2);
    reply(reads, 0, object);
    reply(reads, 1, null);
    client.expectMessageClass(ReadResult.Found.class);
    manualTime.timePasses(TIMEOUT);
    expectRepair(1, object);
    manualTime.timePasses(TIMEOUT);
    watcher.expectTerminated(coordinator);
  }

  @Test
  void lateReadReplyAfterRepairStarted_doesNotRepairTwice() {
    DvvSet<Sibling> object = blind(text("v"), "uidA");
    List<ReplicaEntity.Read> reads = start(2);
    reply(reads, 0, object);
    reply(reads, 1, null);
    client.expectMessageClass(ReadResult.Found.class);
    manualTime.timePasses(TIMEOUT);
    ReplicaEntity.Replicate r1 = expectRepair(1, object);

    reply(reads, 2, object); // in sync, arrives late
    probes.get(1).expectNoMessage(QUIET);
    ack(r1, 1);
    watcher.expectTerminated(coordinator);
  }

  @Test
  void impossibleR_unavailableAtOnce_noReplicaContacted_andStops() {
    ActorRef<ReadCoordinator.Command> ref =
        testKit.spawn(
            ReadCoordinator.create(
                new ReadCoordinator.ReadRequest(KEY, 4, TIMEOUT),
                directory,
                replicas,
                client.ref()));
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(new Outcome.Unavailable(0, 4, 3, List.of(), unavailable.reason()), unavailable);
    watcher.expectTerminated(ref);
    expectNoReplicaMessages();
  }

  @Test
  void rOfOne_answersOnTheFirstReply() {
    DvvSet<Sibling> object = blind(text("v"), "uidA");
    List<ReplicaEntity.Read> reads = start(1);
    reply(reads, 2, object);
    ReadResult.Found found = client.expectMessageClass(ReadResult.Found.class);
    assertEquals(List.of(node(2)), found.replicas());
    reply(reads, 0, object);
    reply(reads, 1, object);
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  private void replySyncing(List<ReplicaEntity.Read> reads, int index, DvvSet<Sibling> object) {
    reads
        .get(index)
        .replyTo()
        .tell(
            new ReplicaEntity.ReadReply(
                replicaId(index),
                node(index),
                object == null ? null : StoredObjectCodec.encode(object),
                null,
                KEY,
                true));
  }

  @Test
  void aSyncingReplyDoesNotCount_theReadWaitsForASecondCountedReply() {
    DvvSet<Sibling> v = blind(text("v"), "uidA");
    List<ReplicaEntity.Read> reads = start(2);

    replySyncing(reads, 0, v);
    reply(reads, 1, v);
    client.expectNoMessage(QUIET);

    reply(reads, 2, v);
    ReadResult.Found found = client.expectMessageClass(ReadResult.Found.class);
    assertEquals(List.of(text("v")), found.values());
    assertEquals(List.of(node(1), node(2)), found.replicas(), "only counted replicas are reported");
    watcher.expectTerminated(coordinator);
    expectNoReplicaMessages();
  }

  @Test
  void aSyncingReplicaThatLacksTheKey_isRepaired() {
    DvvSet<Sibling> v = blind(text("v"), "uidA");
    List<ReplicaEntity.Read> reads = start(2);
    replySyncing(reads, 0, null);
    reply(reads, 1, v);
    reply(reads, 2, v);
    ReadResult.Found found = client.expectMessageClass(ReadResult.Found.class);
    assertEquals(List.of(text("v")), found.values());
    ReplicaEntity.Replicate repair = expectRepair(0, v);
    probes.get(1).expectNoMessage(QUIET);
    probes.get(2).expectNoMessage(QUIET);
    ack(repair, 0);
    watcher.expectTerminated(coordinator);
  }

  @Test
  void aSyncingReplysNewerObjectIsMergedIntoTheAnswer() {
    DvvSet<Sibling> old = blind(text("old"), "uidA");
    DvvSet<Sibling> current = old.update(DvvSet.of(old.join(), text("new")), "uidA");
    List<ReplicaEntity.Read> reads = start(2);
    replySyncing(reads, 0, current);
    reply(reads, 1, old);
    reply(reads, 2, old);
    ReadResult.Found found = client.expectMessageClass(ReadResult.Found.class);
    assertEquals(
        List.of(text("new")),
        found.values(),
        "a replica that is behind in general may still hold a newer write: merged, not dropped");
    assertEquals(List.of(node(1), node(2)), found.replicas());
    ack(expectRepair(1, current), 1);
    ack(expectRepair(2, current), 2);
    watcher.expectTerminated(coordinator);
  }

  @Test
  void twoSyncingRepliesOfThree_theyAreAskedAgain_andCountOnceCaughtUp() {
    DvvSet<Sibling> v = blind(text("v"), "uidA");
    List<ReplicaEntity.Read> reads = start(2);
    replySyncing(reads, 0, v);
    reply(reads, 1, v);
    replySyncing(reads, 2, v);
    client.expectNoMessage(QUIET);
    manualTime.timePasses(Duration.ofMillis(200));
    ReplicaEntity.Read again = probes.get(0).expectMessageClass(ReplicaEntity.Read.class);
    probes.get(2).expectMessageClass(ReplicaEntity.Read.class);
    again
        .replyTo()
        .tell(
            new ReplicaEntity.ReadReply(replicaId(0), node(0), StoredObjectCodec.encode(v), null));
    ReadResult.Found found = client.expectMessageClass(ReadResult.Found.class);
    assertEquals(List.of(text("v")), found.values());
    assertEquals(2, found.replicas().size(), "two counted replies: " + found.replicas());
  }

  @Test
  void replicasStillSyncingAtTheTimeout_unavailable() {
    DvvSet<Sibling> v = blind(text("v"), "uidA");
    List<ReplicaEntity.Read> reads = start(2);
    replySyncing(reads, 0, v);
    reply(reads, 1, v);
    replySyncing(reads, 2, v);
    manualTime.timePasses(Duration.ofMillis(200));
    List<ReplicaEntity.Read> again =
        List.of(
            probes.get(0).expectMessageClass(ReplicaEntity.Read.class),
            reads.get(1),
            probes.get(2).expectMessageClass(ReplicaEntity.Read.class));
    replySyncing(again, 0, v);
    replySyncing(again, 2, v);
    manualTime.timePasses(TIMEOUT);
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(1, unavailable.acks(), "one counted reply");
    assertEquals(List.of(node(1)), unavailable.nodes());
    watcher.expectTerminated(coordinator);
  }

  @Test
  void rOfOne_aSyncingReplyAloneIsNotEnough() {
    DvvSet<Sibling> v = blind(text("v"), "uidA");
    List<ReplicaEntity.Read> reads = start(1);
    replySyncing(reads, 0, v);
    client.expectNoMessage(QUIET);
    reply(reads, 1, null);
    ReadResult.Found found = client.expectMessageClass(ReadResult.Found.class);
    assertEquals(List.of(text("v")), found.values(), "merged with the syncing replica's object");
    assertEquals(List.of(node(1)), found.replicas());
  }

  // the bound on bytes queued to each peer (PeerBytes) counts read repairs: every replica here is
  // on a remote node (RING's members, no LocalReplicas), node(i)

  /** A bound that refuses anything more to {@code node}: something is outstanding to it already. */
  private static PeerBytes fullFor(String node) {
    PeerBytes bound = PeerBytes.of(1000);
    assertTrue(bound.tryAcquire(node, 1000), "fills the bound for " + node);
    return bound;
  }

  @Test
  void aRepairTheStaleReplicasNodeRefuses_isNotSent_andTheCoordinatorStopsAtOnce() {
    DvvSet<Sibling> old = blind(text("old"), "uidA");
    DvvSet<Sibling> current = old.update(DvvSet.of(old.join(), text("new")), "uidA");
    PeerBytes bound = fullFor(node(2));
    List<ReplicaEntity.Read> reads = start(new ReadCoordinator.ReadRequest(KEY, 2, TIMEOUT), bound);
    reply(reads, 0, current);
    reply(reads, 1, current);
    assertEquals(List.of(text("new")), client.expectMessageClass(ReadResult.Found.class).values());

    reply(reads, 2, old);
    watcher.expectTerminated(coordinator, QUIET.multipliedBy(10));
    expectNoReplicaMessages();
    assertEquals(1, bound.refusals(), "the one repair was refused by the bound");
    assertEquals(1000, bound.outstanding(node(2)), "nothing acquired for the refused repair");
    assertEquals(0, metrics.snapshot().replicasReadRepaired(), "nothing sent, nothing counted");
  }

  @Test
  void onlyTheStaleReplicaWhoseNodeRefuses_getsNoRepair_theOtherIsRepairedAndCounted() {
    DvvSet<Sibling> old = blind(text("old"), "uidA");
    DvvSet<Sibling> current = old.update(DvvSet.of(old.join(), text("new")), "uidA");
    PeerBytes bound = fullFor(node(2));
    List<ReplicaEntity.Read> reads = start(new ReadCoordinator.ReadRequest(KEY, 2, TIMEOUT), bound);
    reply(reads, 0, current);
    reply(reads, 1, old);
    client.expectMessageClass(ReadResult.Found.class);
    reply(reads, 2, old);

    ReplicaEntity.Replicate r1 = expectRepair(1, current);
    probes.get(2).expectNoMessage(QUIET);
    probes.get(0).expectNoMessage(QUIET);
    assertEquals(
        r1.object().length,
        bound.outstanding(node(1)),
        "the repair's bytes are counted against its node");
    assertEquals(1000, bound.outstanding(node(2)));
    assertEquals(1, bound.refusals());
    ack(r1, 1);
    watcher.expectTerminated(coordinator, QUIET.multipliedBy(10));
    probes.get(2).expectNoMessage(QUIET);
  }

  @Test
  void aStaleReplicaWithAnUnlimitedBound_isRepaired() {
    DvvSet<Sibling> old = blind(text("old"), "uidA");
    DvvSet<Sibling> current = old.update(DvvSet.of(old.join(), text("new")), "uidA");
    List<ReplicaEntity.Read> reads =
        start(new ReadCoordinator.ReadRequest(KEY, 2, TIMEOUT), PeerBytes.unlimited());
    reply(reads, 0, current);
    reply(reads, 1, current);
    client.expectMessageClass(ReadResult.Found.class);
    reply(reads, 2, old);
    ReplicaEntity.Replicate r2 = expectRepair(2, current);
    probes.get(0).expectNoMessage(QUIET);
    probes.get(1).expectNoMessage(QUIET);
    ack(r2, 2);
    watcher.expectTerminated(coordinator);
    assertEquals(1, metrics.snapshot().replicasReadRepaired());
  }

  /** An object of three actors' entries of 4 KiB each: three parts under 5000 bytes. */
  private static DvvSet<Sibling> largeObject() {
    List<DvvSet.Entry<Sibling>> entries = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      byte[] data = new byte[4096];
      Arrays.fill(data, (byte) i);
      entries.add(new DvvSet.Entry<>("actor" + i, i, List.of(Sibling.value(data, "a/b"))));
    }
    return DvvSet.fromParts(entries, List.of());
  }

  @Test
  void aRepairInPartsThatTheBoundCutsShort_sendsTheFirstPartOnly_andStopsOnItsAck() {
    DvvSet<Sibling> large = largeObject();
    long maxPart = 5000;
    int partCount = ObjectParts.split(StoredObjectCodec.encode(large), maxPart).size();
    assertTrue(partCount > 1, "the repair goes in parts: " + partCount);
    // nothing outstanding: the first part goes whatever its size; the second is past the bound
    PeerBytes bound = PeerBytes.of(1);
    List<ReplicaEntity.Read> reads =
        start(
            new ReadCoordinator.ReadRequest(
                KEY, 2, TIMEOUT, CausalContextCodec.Limits.DEFAULT, maxPart),
            bound);
    reply(reads, 0, large);
    reply(reads, 1, large);
    client.expectMessageClass(ReadResult.Found.class);
    reply(reads, 2, null);

    ReplicaEntity.Replicate first = probes.get(2).expectMessageClass(ReplicaEntity.Replicate.class);
    assertEquals(KEY, first.key());
    probes.get(2).expectNoMessage(QUIET);
    assertEquals(first.object().length, bound.outstanding(node(2)), "only the first part counted");
    assertEquals(1, bound.refusals(), "the second part refused, the rest not asked for");
    ack(first, 2);
    watcher.expectTerminated(coordinator, QUIET.multipliedBy(10));
  }
}
