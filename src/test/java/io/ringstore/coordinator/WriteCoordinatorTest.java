package io.ringstore.coordinator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.PutError;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.replica.ReplicaSharding;
import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.DvvSet;
import java.time.Duration;
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
 * A write coordinator against three hand-played replicas: who coordinates, what is replicated, W
 * acks over distinct nodes, fail-over, timeouts on manual time, and that the actor always stops.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WriteCoordinatorTest {

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(ManualTime.config()).build();

  private static final Ring RING =
      Ring.of(new RingConfig(64, 64, 3), List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"));
  private static final String KEY = "user/42";
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final Duration QUIET = Duration.ofMillis(100);
  private static final Sibling VALUE = Sibling.value("hello".getBytes(UTF_8), "text/plain");

  private ManualTime manualTime;
  private int partition;
  private List<TestProbe<ReplicaEntity.Command>> probes;
  private ReplicaDirectory directory;
  private List<ReplicaId> replicas;
  private TestProbe<WriteResult> client;
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

  private ActorRef<WriteCoordinator.Command> start(int w) {
    return start(new WriteCoordinator.WriteRequest(KEY, VALUE, null, false, w, TIMEOUT));
  }

  private ActorRef<WriteCoordinator.Command> start(WriteCoordinator.WriteRequest request) {
    return testKit.spawn(WriteCoordinator.create(request, directory, replicas, client.ref()));
  }

  /** The object a replica on actor {@code actor} stores for a blind write of {@code value}. */
  private static byte[] coordinated(String actor) {
    return StoredObjectCodec.encode(DvvSet.<Sibling>empty().update(DvvSet.of(VALUE), actor));
  }

  private static String contextOf(byte[] object) {
    return CausalContextCodec.encode(StoredObjectCodec.decode(object).join());
  }

  private ReplicaEntity.CoordinatePut expectCoordinatePut(int index) {
    return probes.get(index).expectMessageClass(ReplicaEntity.CoordinatePut.class);
  }

  private ReplicaEntity.Replicate expectReplicate(int index, byte[] object) {
    ReplicaEntity.Replicate replicate =
        probes.get(index).expectMessageClass(ReplicaEntity.Replicate.class);
    assertEquals(KEY, replicate.key());
    assertArrayEquals(
        object, replicate.object(), "replica " + index + " gets the coordinated object");
    return replicate;
  }

  private void expectNoReplicaMessages() {
    for (TestProbe<ReplicaEntity.Command> probe : probes) {
      probe.expectNoMessage(QUIET);
    }
  }

  @Test
  void replicasFromTheDirectoryAreTheThreeOfThePartition() {
    assertEquals(
        List.of(
            new ReplicaId(partition, 0), new ReplicaId(partition, 1), new ReplicaId(partition, 2)),
        replicas);
    assertEquals(3, RING.replicas(partition).size());
  }

  @Test
  void coordinatesOnTheFirstReplica_replicatesTheSameBytes_answersAfterW_andStops() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);

    ReplicaEntity.CoordinatePut put = expectCoordinatePut(0);
    assertEquals(KEY, put.key());
    assertArrayEquals(VALUE.data(), put.data());
    assertEquals("text/plain", put.contentType());
    assertFalse(put.tombstone());
    assertNull(put.context());
    assertFalse(put.contextFromReplica());
    probes.get(1).expectNoMessage(QUIET);
    probes.get(2).expectNoMessage(QUIET);

    byte[] object = coordinated("uidA");
    put.replyTo().tell(new ReplicaEntity.PutReply(replicaId(0), node(0), object, null));
    ReplicaEntity.Replicate r1 = expectReplicate(1, object);
    ReplicaEntity.Replicate r2 = expectReplicate(2, object);
    probes.get(0).expectNoMessage(QUIET);
    client.expectNoMessage(QUIET);

    r1.replyTo().tell(new ReplicaEntity.Replicated(replicaId(1), node(1), true));
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(contextOf(object), written.context());
    assertEquals(List.of(node(0), node(1)), written.replicas());

    r2.replyTo().tell(new ReplicaEntity.Replicated(replicaId(2), node(2), true));
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  @Test
  void replicaOnAnUnreachableNode_triedLast_stillGetsTheObject() {
    String unreachable = node(0);
    List<TestProbe<ReplicaEntity.Command>> replicaProbes = probes;
    ReplicaDirectory seeingNode0Unreachable =
        new ReplicaDirectory(
            id ->
                TestEntityRef.of(
                    ReplicaSharding.TYPE_KEY, id.id(), replicaProbes.get(id.index()).ref()),
            () -> RING,
            new LocalReplicas(),
            node -> !node.equals(unreachable));
    ActorRef<WriteCoordinator.Command> coordinator =
        testKit.spawn(
            WriteCoordinator.create(
                new WriteCoordinator.WriteRequest(KEY, VALUE, null, false, 2, TIMEOUT),
                seeingNode0Unreachable,
                replicas,
                client.ref()));

    ReplicaEntity.CoordinatePut put = expectCoordinatePut(1);
    probes.get(0).expectNoMessage(QUIET);
    byte[] object = coordinated("uidB");
    put.replyTo().tell(new ReplicaEntity.PutReply(replicaId(1), node(1), object, null));
    ReplicaEntity.Replicate r0 = expectReplicate(0, object);
    ReplicaEntity.Replicate r2 = expectReplicate(2, object);
    r2.replyTo().tell(new ReplicaEntity.Replicated(replicaId(2), node(2), true));
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(List.of(node(1), node(2)), written.replicas());
    r0.replyTo().tell(new ReplicaEntity.Replicated(replicaId(0), node(0), true));
    watcher.expectTerminated(coordinator);
  }

  @Test
  void passesContextAndTombstoneToTheCoordinatingReplica() {
    String context = contextOf(coordinated("uidZ"));
    start(
        new WriteCoordinator.WriteRequest(KEY, Sibling.newTombstone(), context, false, 2, TIMEOUT));
    ReplicaEntity.CoordinatePut put = expectCoordinatePut(0);
    assertEquals(context, put.context());
    assertEquals(true, put.tombstone());

    start(new WriteCoordinator.WriteRequest(KEY, Sibling.newTombstone(), null, true, 2, TIMEOUT));
    ReplicaEntity.CoordinatePut delete = expectCoordinatePut(0);
    assertNull(delete.context());
    assertEquals(true, delete.contextFromReplica());
  }

  @Test
  void twoAcksFromTheSameNodeCountOnce() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    ReplicaEntity.CoordinatePut put = expectCoordinatePut(0);
    byte[] object = coordinated("uidA");
    put.replyTo().tell(new ReplicaEntity.PutReply(replicaId(0), node(0), object, null));
    ReplicaEntity.Replicate r1 = expectReplicate(1, object);
    ReplicaEntity.Replicate r2 = expectReplicate(2, object);

    r1.replyTo().tell(new ReplicaEntity.Replicated(replicaId(1), node(0), true));
    client.expectNoMessage(QUIET);

    r2.replyTo().tell(new ReplicaEntity.Replicated(replicaId(2), node(2), true));
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(List.of(node(0), node(2)), written.replicas());
    watcher.expectTerminated(coordinator);
  }

  @Test
  void sameNodeOnlyAcks_timeOutUnavailable() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    ReplicaEntity.CoordinatePut put = expectCoordinatePut(0);
    byte[] object = coordinated("uidA");
    put.replyTo().tell(new ReplicaEntity.PutReply(replicaId(0), node(0), object, null));
    ReplicaEntity.Replicate r1 = expectReplicate(1, object);
    ReplicaEntity.Replicate r2 = expectReplicate(2, object);
    r1.replyTo().tell(new ReplicaEntity.Replicated(replicaId(1), node(0), true));
    r2.replyTo().tell(new ReplicaEntity.Replicated(replicaId(2), node(0), true));

    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(1, unavailable.acks(), "three acks from one node are one ack");
    assertEquals(2, unavailable.required());
    assertEquals(3, unavailable.replicas());
    assertEquals(List.of(node(0)), unavailable.nodes());
    watcher.expectTerminated(coordinator);
  }

  @Test
  void coordinatingReplicaError_nextReplicaCoordinates() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    ReplicaEntity.CoordinatePut first = expectCoordinatePut(0);
    first
        .replyTo()
        .tell(
            ReplicaEntity.PutReply.failed(
                replicaId(0), node(0), PutError.STORAGE_FAILED, "disk on fire"));

    ReplicaEntity.CoordinatePut second = expectCoordinatePut(1);
    assertEquals(KEY, second.key());
    assertArrayEquals(VALUE.data(), second.data());
    probes.get(2).expectNoMessage(QUIET);
    client.expectNoMessage(QUIET);

    byte[] object = coordinated("uidB");
    second.replyTo().tell(new ReplicaEntity.PutReply(replicaId(1), node(1), object, null));
    ReplicaEntity.Replicate r0 = expectReplicate(0, object);
    ReplicaEntity.Replicate r2 = expectReplicate(2, object);
    probes.get(1).expectNoMessage(QUIET);

    r2.replyTo().tell(new ReplicaEntity.Replicated(replicaId(2), node(2), true));
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(contextOf(object), written.context());
    assertEquals(List.of(node(1), node(2)), written.replicas());

    r0.replyTo().tell(new ReplicaEntity.Replicated(replicaId(0), node(0), true));
    watcher.expectTerminated(coordinator);
  }

  @Test
  void contextNotHeldByABehindReplica_theNextOneApplies() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    ReplicaEntity.CoordinatePut first = expectCoordinatePut(0);
    first
        .replyTo()
        .tell(
            ReplicaEntity.PutReply.failed(
                replicaId(0), node(0), PutError.CONTEXT_NOT_HELD, "not held here"));
    ReplicaEntity.CoordinatePut second = expectCoordinatePut(1);
    byte[] object = coordinated("uidB");
    second.replyTo().tell(new ReplicaEntity.PutReply(replicaId(1), node(1), object, null));
    ReplicaEntity.Replicate r0 = expectReplicate(0, object);
    expectReplicate(2, object)
        .replyTo()
        .tell(new ReplicaEntity.Replicated(replicaId(2), node(2), true));
    assertEquals(
        contextOf(object),
        client.expectMessageClass(WriteResult.Written.class).context(),
        "written by the replica that holds the context");
    r0.replyTo().tell(new ReplicaEntity.Replicated(replicaId(0), node(0), true));
    watcher.expectTerminated(coordinator);
  }

  @Test
  void contextHeldByNoReplica_rejectedAsBadRequest_andStops() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    for (int i = 0; i < 3; i++) {
      expectCoordinatePut(i)
          .replyTo()
          .tell(
              ReplicaEntity.PutReply.failed(
                  replicaId(i), node(i), PutError.CONTEXT_NOT_HELD, "read the key first"));
    }
    Outcome.Rejected rejected = client.expectMessageClass(Outcome.Rejected.class);
    assertEquals("read the key first", rejected.reason(), "the replica's message, without prefix");
    assertEquals(Outcome.Kind.BAD_REQUEST, rejected.kind());
    watcher.expectTerminated(coordinator);
    expectNoReplicaMessages();
  }

  @Test
  void tooManySiblings_rejectedAtOnceWithoutAskingAnotherReplica_andStops() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    expectCoordinatePut(0)
        .replyTo()
        .tell(
            ReplicaEntity.PutReply.failed(
                replicaId(0), node(0), PutError.TOO_MANY_SIBLINGS, "resolve them"));
    Outcome.Rejected rejected = client.expectMessageClass(Outcome.Rejected.class);
    assertEquals("resolve them", rejected.reason());
    assertEquals(Outcome.Kind.TOO_MANY_SIBLINGS, rejected.kind());
    watcher.expectTerminated(coordinator);
    expectNoReplicaMessages();
  }

  @Test
  void objectTooLarge_rejectedAtOnceWithoutAskingAnotherReplica_andStops() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    expectCoordinatePut(0)
        .replyTo()
        .tell(
            ReplicaEntity.PutReply.failed(
                replicaId(0), node(0), PutError.OBJECT_TOO_LARGE, "resolve the siblings"));
    Outcome.Rejected rejected = client.expectMessageClass(Outcome.Rejected.class);
    assertEquals("resolve the siblings", rejected.reason());
    assertEquals(Outcome.Kind.OBJECT_TOO_LARGE, rejected.kind());
    watcher.expectTerminated(coordinator);
    expectNoReplicaMessages();
  }

  @Test
  void everyCoordinatingReplicaFails_unavailableAndStops() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    for (int i = 0; i < 3; i++) {
      ReplicaEntity.CoordinatePut put = expectCoordinatePut(i);
      put.replyTo()
          .tell(
              ReplicaEntity.PutReply.failed(
                  replicaId(i), node(i), PutError.STORAGE_FAILED, "broken " + i));
      if (i == 1) {
        Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
        assertEquals(0, unavailable.acks());
        assertEquals(2, unavailable.required());
        assertEquals(List.of(), unavailable.nodes());
      }
    }
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  @Test
  void replicationFailures_unavailableWithTheAcksThereWere() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    ReplicaEntity.CoordinatePut put = expectCoordinatePut(0);
    byte[] object = coordinated("uidA");
    put.replyTo().tell(new ReplicaEntity.PutReply(replicaId(0), node(0), object, null));
    ReplicaEntity.Replicate r1 = expectReplicate(1, object);
    ReplicaEntity.Replicate r2 = expectReplicate(2, object);
    r1.replyTo().tell(new ReplicaEntity.Replicated(replicaId(1), node(1), false));
    client.expectNoMessage(QUIET);
    r2.replyTo().tell(new ReplicaEntity.Replicated(replicaId(2), node(2), false));

    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(
        new Outcome.Unavailable(1, 2, 3, List.of(node(0)), unavailable.reason()), unavailable);
    watcher.expectTerminated(coordinator);
  }

  @Test
  void timeoutAfterOneAck_unavailableWithAcksAndRequired_andStops() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    ReplicaEntity.CoordinatePut put = expectCoordinatePut(0);
    byte[] object = coordinated("uidA");
    put.replyTo().tell(new ReplicaEntity.PutReply(replicaId(0), node(0), object, null));
    expectReplicate(1, object);
    expectReplicate(2, object);

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
  }

  @Test
  void timeoutWithNoReplicaAnswering_unavailableWithZeroAcks_andStops() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    expectCoordinatePut(0);
    manualTime.timePasses(TIMEOUT);
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(new Outcome.Unavailable(0, 2, 3, List.of(), unavailable.reason()), unavailable);
    watcher.expectTerminated(coordinator);
    expectNoReplicaMessages();
  }

  @Test
  void afterWrittenTheTimeoutStopsTheCoordinatorWithoutASecondAnswer() {
    ActorRef<WriteCoordinator.Command> coordinator = start(1);
    ReplicaEntity.CoordinatePut put = expectCoordinatePut(0);
    byte[] object = coordinated("uidA");
    put.replyTo().tell(new ReplicaEntity.PutReply(replicaId(0), node(0), object, null));
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(List.of(node(0)), written.replicas());
    expectReplicate(1, object);
    expectReplicate(2, object);

    manualTime.timePasses(TIMEOUT);
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  @Test
  void lateReplyFromAFailedCoordinatorIsIgnored() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    ReplicaEntity.CoordinatePut first = expectCoordinatePut(0);
    first
        .replyTo()
        .tell(
            ReplicaEntity.PutReply.failed(replicaId(0), node(0), PutError.STORAGE_FAILED, "busy"));
    ReplicaEntity.CoordinatePut second = expectCoordinatePut(1);
    first
        .replyTo()
        .tell(new ReplicaEntity.PutReply(replicaId(0), node(0), coordinated("uidA"), null));
    probes.get(2).expectNoMessage(QUIET);
    client.expectNoMessage(QUIET);

    byte[] object = coordinated("uidB");
    second.replyTo().tell(new ReplicaEntity.PutReply(replicaId(1), node(1), object, null));
    expectReplicate(0, object)
        .replyTo()
        .tell(new ReplicaEntity.Replicated(replicaId(0), node(0), true));
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(contextOf(object), written.context());
    expectReplicate(2, object)
        .replyTo()
        .tell(new ReplicaEntity.Replicated(replicaId(2), node(2), true));
    watcher.expectTerminated(coordinator);
  }

  @Test
  void impossibleW_unavailableAtOnce_noReplicaContacted_andStops() {
    ActorRef<WriteCoordinator.Command> coordinator = start(4);
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(0, unavailable.acks());
    assertEquals(4, unavailable.required());
    assertEquals(3, unavailable.replicas());
    assertEquals(List.of(), unavailable.nodes());
    watcher.expectTerminated(coordinator);
    expectNoReplicaMessages();
    client.expectNoMessage(QUIET);
  }

  @Test
  void noReplicasAtAll_unavailableAtOnce_andStops() {
    ActorRef<WriteCoordinator.Command> coordinator =
        testKit.spawn(
            WriteCoordinator.create(
                new WriteCoordinator.WriteRequest(KEY, VALUE, null, false, 1, TIMEOUT),
                directory,
                List.of(),
                client.ref()));
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(new Outcome.Unavailable(0, 1, 0, List.of(), unavailable.reason()), unavailable);
    watcher.expectTerminated(coordinator);
  }

  @Test
  void theContextTheReplicaSendsIsAnsweredAsIs_theObjectIsNotDecodedAgain() {
    ActorRef<WriteCoordinator.Command> coordinator = start(1);
    ReplicaEntity.CoordinatePut put = expectCoordinatePut(0);
    assertEquals(
        CausalContextCodec.Limits.DEFAULT,
        put.contextLimits(),
        "the replica is told the limits of the context the client gets");
    byte[] opaque = {42}; // not an encoded object: decoding it would fail
    put.replyTo()
        .tell(new ReplicaEntity.PutReply(replicaId(0), node(0), opaque, "ctx-from-replica"));
    assertEquals(
        "ctx-from-replica",
        client.expectMessageClass(WriteResult.Written.class).context(),
        "the context came with the object");
    expectReplicate(1, opaque)
        .replyTo()
        .tell(new ReplicaEntity.Replicated(replicaId(1), node(1), true));
    expectReplicate(2, opaque)
        .replyTo()
        .tell(new ReplicaEntity.Replicated(replicaId(2), node(2), true));
    watcher.expectTerminated(coordinator);
  }

  @Test
  void writtenCarriesTheContextOfTheCoordinatedObjectNotOfTheRequest() {
    // the coordinating replica already held a sibling from uidB: the context covers both
    DvvSet<Sibling> stored =
        DvvSet.<Sibling>empty().update(DvvSet.of(Sibling.value(new byte[] {1}, "x/y")), "uidB");
    byte[] object = StoredObjectCodec.encode(stored.update(DvvSet.of(VALUE), "uidA"));
    start(1);
    expectCoordinatePut(0)
        .replyTo()
        .tell(new ReplicaEntity.PutReply(replicaId(0), node(0), object, null));
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(contextOf(object), written.context());
    var vv = CausalContextCodec.decode(written.context());
    assertEquals(1L, vv.get("uidA"));
    assertEquals(1L, vv.get("uidB"));
    assertInstanceOf(WriteResult.class, written);
  }

  private void refuseSyncing(ReplicaEntity.CoordinatePut put, int index) {
    put.replyTo()
        .tell(ReplicaEntity.PutReply.failed(replicaId(index), node(index), PutError.SYNCING));
  }

  @Test
  void syncingCoordinator_nextOneCoordinates_theSyncingOneStillGetsTheObjectAndItsAckCounts() {
    ActorRef<WriteCoordinator.Command> coordinator = start(3);
    refuseSyncing(expectCoordinatePut(0), 0);

    ReplicaEntity.CoordinatePut second = expectCoordinatePut(1);
    assertEquals(KEY, second.key());
    probes.get(2).expectNoMessage(QUIET);
    client.expectNoMessage(QUIET);

    byte[] object = coordinated("uidB");
    second.replyTo().tell(new ReplicaEntity.PutReply(replicaId(1), node(1), object, null));
    ReplicaEntity.Replicate r0 = expectReplicate(0, object);
    ReplicaEntity.Replicate r2 = expectReplicate(2, object);
    probes.get(1).expectNoMessage(QUIET);

    r2.replyTo().tell(new ReplicaEntity.Replicated(replicaId(2), node(2), true));
    client.expectNoMessage(QUIET);
    r0.replyTo().tell(new ReplicaEntity.Replicated(replicaId(0), node(0), true));
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(
        Set.of(node(0), node(1), node(2)),
        Set.copyOf(written.replicas()),
        "w=all met with the syncing replica's ack of the replicated object");
    assertEquals(contextOf(object), written.context());
    watcher.expectTerminated(coordinator);
  }

  @Test
  void syncingRefusalIsNotAFailure_wOfThreeStillPossible() {
    ActorRef<WriteCoordinator.Command> coordinator = start(3);
    refuseSyncing(expectCoordinatePut(0), 0);
    refuseSyncing(expectCoordinatePut(1), 1);
    ReplicaEntity.CoordinatePut third = expectCoordinatePut(2);
    client.expectNoMessage(QUIET);

    byte[] object = coordinated("uidC");
    third.replyTo().tell(new ReplicaEntity.PutReply(replicaId(2), node(2), object, null));
    ReplicaEntity.Replicate r0 = expectReplicate(0, object);
    ReplicaEntity.Replicate r1 = expectReplicate(1, object);
    r0.replyTo().tell(new ReplicaEntity.Replicated(replicaId(0), node(0), true));
    r1.replyTo().tell(new ReplicaEntity.Replicated(replicaId(1), node(1), true));
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(
        3, written.replicas().size(), "both syncing replicas acked: " + written.replicas());
    watcher.expectTerminated(coordinator);
  }

  @Test
  void everyReplicaSyncing_theyAreAskedAgainShortly_andTheFirstThatCaughtUpCoordinates() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    for (int i = 0; i < 3; i++) {
      refuseSyncing(expectCoordinatePut(i), i);
    }
    client.expectNoMessage(QUIET);
    manualTime.timePasses(Duration.ofMillis(200));
    ReplicaEntity.CoordinatePut again = expectCoordinatePut(0);
    byte[] object = coordinated("uidA");
    again.replyTo().tell(new ReplicaEntity.PutReply(replicaId(0), node(0), object, null));
    expectReplicate(1, object)
        .replyTo()
        .tell(new ReplicaEntity.Replicated(replicaId(1), node(1), true));
    expectReplicate(2, object);
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(2, written.replicas().size(), "acked by two: " + written.replicas());
    manualTime.timePasses(TIMEOUT);
    watcher.expectTerminated(coordinator);
  }

  @Test
  void replicasStillSyncingAtTheTimeout_unavailable_nothingReplicated_andStops() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    for (int i = 0; i < 3; i++) {
      refuseSyncing(expectCoordinatePut(i), i);
    }
    for (int round = 0; round < 3; round++) {
      manualTime.timePasses(Duration.ofMillis(200));
      for (int i = 0; i < 3; i++) {
        refuseSyncing(expectCoordinatePut(i), i);
      }
    }
    manualTime.timePasses(TIMEOUT);
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(0, unavailable.acks());
    assertEquals(2, unavailable.required());
    assertEquals(List.of(), unavailable.nodes());
    watcher.expectTerminated(coordinator);
  }

  @Test
  void aSyncingRefusalAfterAnErrorAndAnotherError_unavailableAtOnce() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    refuseSyncing(expectCoordinatePut(0), 0);
    expectCoordinatePut(1)
        .replyTo()
        .tell(
            ReplicaEntity.PutReply.failed(
                replicaId(1), node(1), PutError.STORAGE_FAILED, "disk on fire"));
    client.expectNoMessage(QUIET);
    expectCoordinatePut(2)
        .replyTo()
        .tell(
            ReplicaEntity.PutReply.failed(
                replicaId(2), node(2), PutError.STORAGE_FAILED, "disk on fire"));
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(0, unavailable.acks());
    manualTime.timePasses(TIMEOUT);
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  @Test
  void twoSyncingRefusalsThenAnError_theSyncingOnesAreAskedAgain() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    refuseSyncing(expectCoordinatePut(0), 0);
    refuseSyncing(expectCoordinatePut(1), 1);
    expectCoordinatePut(2)
        .replyTo()
        .tell(
            ReplicaEntity.PutReply.failed(
                replicaId(2), node(2), PutError.STORAGE_FAILED, "disk on fire"));
    client.expectNoMessage(QUIET);
    manualTime.timePasses(Duration.ofMillis(200));
    byte[] object = coordinated("uidB");
    expectCoordinatePut(0)
        .replyTo()
        .tell(new ReplicaEntity.PutReply(replicaId(0), node(0), object, null));
    expectReplicate(1, object)
        .replyTo()
        .tell(new ReplicaEntity.Replicated(replicaId(1), node(1), true));
    expectReplicate(2, object);
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(2, written.replicas().size(), "acked by two: " + written.replicas());
    manualTime.timePasses(TIMEOUT);
    watcher.expectTerminated(coordinator);
  }
}
