package io.ringstore.coordinator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.handoff.HintDirectory;
import io.ringstore.handoff.HintManager;
import io.ringstore.handoff.HintStore;
import io.ringstore.replica.LocalReplicas;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
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
 * A write coordinator choosing fallbacks, on a fixed ring of four members (three replicas and one
 * fallback per partition) with hand-played replicas and hint managers, on manual time: a replica
 * silent past the replica-ack timeout gets a hint on the fallback; strict quorums never count
 * hints, sloppy ones count accepted hints only, and one fallback holding two hints once; no hint
 * goes to an unavailable fallback, a member without a manager or a replica-set member, except this
 * node's own manager as the last resort (never counted toward W); a silent coordinating replica is
 * replaced and then hinted; a hint still owed at the request's timeout is sent then; the
 * coordinator always stops.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WriteCoordinatorHandoffTest {

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(ManualTime.config()).build();

  private static final Ring RING =
      Ring.of(
          new RingConfig(64, 32, 3),
          List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4"));
  private static final String KEY = "user/42";
  private static final int PARTITION = RING.partitionOf(KEY);
  private static final String FALLBACK = RING.fallbacks(PARTITION).get(0);
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final Duration ACK_TIMEOUT = Duration.ofMillis(500);
  private static final Duration QUIET = Duration.ofMillis(100);
  private static final Duration JUST_BEFORE = Duration.ofMillis(1);
  private static final Sibling VALUE = Sibling.value("hello".getBytes(UTF_8), "text/plain");

  private ManualTime manualTime;
  private List<TestProbe<ReplicaEntity.Command>> probes;
  private TestProbe<HintManager.Command> fallbackManager;

  /** Hint managers of the three replica-set members: they must never get a hint for this key. */
  private List<TestProbe<HintManager.Command>> replicaManagers;

  private List<ReplicaId> replicas;
  private TestProbe<WriteResult> client;
  private TestProbe<Object> watcher;

  @BeforeEach
  void setUp() {
    manualTime = ManualTime.get(testKit.system());
    // fresh probes per test: coordinators left over from earlier tests must not reach them
    probes =
        List.of(testKit.createTestProbe(), testKit.createTestProbe(), testKit.createTestProbe());
    fallbackManager = testKit.createTestProbe();
    replicaManagers =
        List.of(testKit.createTestProbe(), testKit.createTestProbe(), testKit.createTestProbe());
    client = testKit.createTestProbe();
    watcher = testKit.createTestProbe();
    replicas = directory(node -> true).replicasOf(RING, PARTITION);
  }

  @Test
  void theRingHasThreeReplicasAndOneFallback() {
    assertEquals(3, RING.replicas(PARTITION).size());
    assertEquals(List.of(FALLBACK), RING.fallbacks(PARTITION));
    assertFalse(RING.isReplica(PARTITION, FALLBACK));
    assertEquals(
        List.of(
            new ReplicaId(PARTITION, 0), new ReplicaId(PARTITION, 1), new ReplicaId(PARTITION, 2)),
        replicas);
  }

  private ReplicaDirectory directory(Predicate<String> available) {
    List<TestProbe<ReplicaEntity.Command>> replicaProbes = probes;
    return new ReplicaDirectory(
        id ->
            TestEntityRef.of(
                ReplicaSharding.TYPE_KEY, id.id(), replicaProbes.get(id.index()).ref()),
        () -> RING,
        new LocalReplicas(),
        available);
  }

  /** Every member's hint manager: the fallback's and the replica-set members'. */
  private Map<String, ActorRef<HintManager.Command>> allManagers() {
    Map<String, ActorRef<HintManager.Command>> managers = new HashMap<>();
    managers.put(FALLBACK, fallbackManager.ref());
    for (int i = 0; i < 3; i++) {
      managers.put(node(i), replicaManagers.get(i).ref());
    }
    return managers;
  }

  private ActorRef<WriteCoordinator.Command> start(int w, boolean sloppy) {
    return start(w, sloppy, allManagers(), node -> true);
  }

  private ActorRef<WriteCoordinator.Command> start(
      int w,
      boolean sloppy,
      Map<String, ActorRef<HintManager.Command>> managers,
      Predicate<String> available) {
    return start(w, sloppy, HintDirectory.of(managers), available);
  }

  private ActorRef<WriteCoordinator.Command> start(
      int w, boolean sloppy, HintDirectory hints, Predicate<String> available) {
    WriteCoordinator.Handoff handoff = new WriteCoordinator.Handoff(hints, ACK_TIMEOUT);
    return testKit.spawn(
        WriteCoordinator.create(
            new WriteCoordinator.WriteRequest(KEY, VALUE, null, false, w, TIMEOUT, sloppy),
            directory(available),
            handoff,
            replicas,
            client.ref()));
  }

  private static String node(int index) {
    return RING.replicas(PARTITION).get(index);
  }

  private static ReplicaId target(int index) {
    return new ReplicaId(PARTITION, index);
  }

  /** The object a replica with DVV actor {@code actor} stores for a blind write of the value. */
  private static byte[] coordinated(String actor) {
    return StoredObjectCodec.encode(DvvSet.<Sibling>empty().update(DvvSet.of(VALUE), actor));
  }

  private static String contextOf(byte[] object) {
    return CausalContextCodec.encode(StoredObjectCodec.decode(object).join());
  }

  private ReplicaEntity.CoordinatePut expectCoordinatePut(int index) {
    ReplicaEntity.CoordinatePut put =
        probes.get(index).expectMessageClass(ReplicaEntity.CoordinatePut.class);
    assertEquals(KEY, put.key());
    return put;
  }

  private ReplicaEntity.Replicate expectReplicate(int index, byte[] object) {
    ReplicaEntity.Replicate replicate =
        probes.get(index).expectMessageClass(ReplicaEntity.Replicate.class);
    assertArrayEquals(
        object, replicate.object(), "replica " + index + " gets the coordinated object");
    return replicate;
  }

  /**
   * p:0 coordinates, p:1 acks, p:2 stays silent (its Replicate is received and ignored); returns
   * the coordinated object.
   */
  private byte[] coordinateOnFirst_ackOnSecond_thirdSilent() {
    byte[] object = coordinated("uidA");
    expectCoordinatePut(0)
        .replyTo()
        .tell(new ReplicaEntity.PutReply(target(0).id(), node(0), object, null));
    ReplicaEntity.Replicate r1 = expectReplicate(1, object);
    expectReplicate(2, object);
    r1.replyTo().tell(new ReplicaEntity.Replicated(target(1).id(), node(1), true));
    return object;
  }

  /** Lets the replica-ack timeout pass (checking nothing is hinted a millisecond early). */
  private void replicaAckTimeoutPasses() {
    manualTime.timePasses(ACK_TIMEOUT.minus(JUST_BEFORE));
    fallbackManager.expectNoMessage(QUIET);
    manualTime.timePasses(JUST_BEFORE);
  }

  private HintManager.StoreHint expectHint(ReplicaId target, byte[] object) {
    HintManager.StoreHint hint = fallbackManager.expectMessageClass(HintManager.StoreHint.class);
    assertEquals(target, hint.target(), "the hint is for the replica that did not ack");
    assertEquals(KEY, hint.key());
    assertArrayEquals(object, hint.object(), "the hint carries the coordinated object");
    return hint;
  }

  private void expectNoHintsAnywhere() {
    fallbackManager.expectNoMessage(QUIET);
    for (TestProbe<HintManager.Command> manager : replicaManagers) {
      manager.expectNoMessage(QUIET);
    }
  }

  private void expectNoReplicaMessages() {
    for (TestProbe<ReplicaEntity.Command> probe : probes) {
      probe.expectNoMessage(QUIET);
    }
  }

  /** Lets the rest of the request timeout pass, counted from the replica-ack timeout. */
  private void restOfTimeoutPasses() {
    manualTime.timePasses(TIMEOUT.minus(ACK_TIMEOUT).minus(JUST_BEFORE));
    client.expectNoMessage(QUIET);
    manualTime.timePasses(JUST_BEFORE);
  }

  @Test
  void strictW3_silentReplicaHinted_hintDoesNotCount_unavailableAtTimeout_andStops() {
    ActorRef<WriteCoordinator.Command> coordinator = start(3, false);
    byte[] object = coordinateOnFirst_ackOnSecond_thirdSilent();
    client.expectNoMessage(QUIET);

    replicaAckTimeoutPasses();
    HintManager.StoreHint hint = expectHint(target(2), object);
    hint.replyTo().tell(new HintStore.HintStoreReply(target(2), KEY, true, null));
    client.expectNoMessage(QUIET);
    expectNoHintsAnywhere();

    restOfTimeoutPasses();
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(
        new Outcome.Unavailable(2, 3, 3, List.of(node(0), node(1)), "timed out after 2000 ms"),
        unavailable,
        "a strict quorum counts real acks only");
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  @Test
  void sloppyW3_acceptedHintCounts_writtenWithTheHint_andStops() {
    ActorRef<WriteCoordinator.Command> coordinator = start(3, true);
    byte[] object = coordinateOnFirst_ackOnSecond_thirdSilent();
    client.expectNoMessage(QUIET);

    replicaAckTimeoutPasses();
    HintManager.StoreHint hint = expectHint(target(2), object);
    client.expectNoMessage(QUIET);
    hint.replyTo().tell(new HintStore.HintStoreReply(target(2), KEY, true, null));

    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(contextOf(object), written.context());
    assertEquals(List.of(node(0), node(1)), written.replicas(), "only real replicas are replicas");
    assertEquals(List.of(FALLBACK + " for " + target(2).id()), written.hints());
    assertTrue(written.sloppy());
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
    expectNoHintsAnywhere();
  }

  @Test
  void strictW2_writtenAtOnce_silentReplicaStillHinted_thenStops() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2, false);
    byte[] object = coordinateOnFirst_ackOnSecond_thirdSilent();

    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(contextOf(object), written.context());
    assertEquals(List.of(node(0), node(1)), written.replicas());
    assertEquals(List.of(), written.hints());
    assertFalse(written.sloppy());

    replicaAckTimeoutPasses();
    HintManager.StoreHint hint = expectHint(target(2), object);
    hint.replyTo().tell(new HintStore.HintStoreReply(target(2), KEY, true, null));
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  @Test
  void unavailableFallback_getsNoHint_norDoesAnyReplicaSetMember() {
    ActorRef<WriteCoordinator.Command> coordinator =
        start(3, true, allManagers(), node -> !node.equals(FALLBACK));
    coordinateOnFirst_ackOnSecond_thirdSilent();

    replicaAckTimeoutPasses();
    expectNoHintsAnywhere();
    expectNoReplicaMessages();
    client.expectNoMessage(QUIET);

    restOfTimeoutPasses();
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(2, unavailable.acks());
    assertEquals(3, unavailable.required());
    watcher.expectTerminated(coordinator);
  }

  @Test
  void fallbackWithoutAHintManager_getsNoHint_norDoesAnyReplicaSetMember() {
    Map<String, ActorRef<HintManager.Command>> managers = allManagers();
    managers.remove(FALLBACK);
    ActorRef<WriteCoordinator.Command> coordinator = start(2, false, managers, node -> true);
    coordinateOnFirst_ackOnSecond_thirdSilent();
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(List.of(), written.hints());

    replicaAckTimeoutPasses();
    expectNoHintsAnywhere();
    expectNoReplicaMessages();

    restOfTimeoutPasses();
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  @Test
  void refusedHint_doesNotCountEvenWhenSloppy_unavailableAtTimeout() {
    ActorRef<WriteCoordinator.Command> coordinator = start(3, true);
    byte[] object = coordinateOnFirst_ackOnSecond_thirdSilent();

    replicaAckTimeoutPasses();
    HintManager.StoreHint hint = expectHint(target(2), object);
    hint.replyTo().tell(new HintStore.HintStoreReply(target(2), KEY, false, "queue full"));
    client.expectNoMessage(QUIET);
    expectNoHintsAnywhere();

    restOfTimeoutPasses();
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(
        new Outcome.Unavailable(2, 3, 3, List.of(node(0), node(1)), "timed out after 2000 ms"),
        unavailable);
    watcher.expectTerminated(coordinator);
  }

  /**
   * The duplicate-dot guard needs no clock of another node: the first coordinating replica gets a
   * budget of half the replica-ack timeout, counted from when it receives the request, and the
   * coordinator waits the whole timeout on its own clock before it hands the write to the next one.
   */
  @Test
  void firstCoordinatingReplicaGetsHalfTheAckTimeout_theNextOneOnlyAfterTheWholeTimeout() {
    start(2, false);
    ReplicaEntity.CoordinatePut first = expectCoordinatePut(0);
    assertEquals(
        ACK_TIMEOUT.toMillis() / 2,
        first.applyWithinMillis(),
        "a relative budget, not a time on the coordinator's clock");
    manualTime.timePasses(ACK_TIMEOUT.minus(JUST_BEFORE));
    probes.get(1).expectNoMessage(QUIET);
    manualTime.timePasses(JUST_BEFORE);
    ReplicaEntity.CoordinatePut failover = expectCoordinatePut(1);
    assertEquals(0, failover.applyWithinMillis(), "the last resort may apply whenever it gets it");
  }

  @Test
  void silentCoordinatingReplica_nextOneCoordinates_thenTheSilentOneIsHinted() {
    ActorRef<WriteCoordinator.Command> coordinator = start(2, false);
    expectCoordinatePut(0);
    probes.get(1).expectNoMessage(QUIET);
    probes.get(2).expectNoMessage(QUIET);

    replicaAckTimeoutPasses();
    ReplicaEntity.CoordinatePut failover = expectCoordinatePut(1);
    assertArrayEquals(VALUE.data(), failover.data());
    expectNoHintsAnywhere();

    byte[] object = coordinated("uidB");
    failover.replyTo().tell(new ReplicaEntity.PutReply(target(1).id(), node(1), object, null));
    expectReplicate(0, object);
    ReplicaEntity.Replicate r2 = expectReplicate(2, object);
    HintManager.StoreHint hint = expectHint(target(0), object);
    client.expectNoMessage(QUIET);

    r2.replyTo().tell(new ReplicaEntity.Replicated(target(2).id(), node(2), true));
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(contextOf(object), written.context());
    assertEquals(List.of(node(1), node(2)), written.replicas());

    hint.replyTo().tell(new HintStore.HintStoreReply(target(0), KEY, true, null));
    watcher.expectTerminated(coordinator);
    client.expectNoMessage(QUIET);
  }

  @Test
  void everyReplicaAnswered_noFallbackCanTakeTheHint_stopsAtTheReplicaAckTimeout() {
    ActorRef<WriteCoordinator.Command> coordinator =
        start(2, false, allManagers(), node -> !node.equals(FALLBACK));
    byte[] object = coordinated("uidA");
    expectCoordinatePut(0)
        .replyTo()
        .tell(new ReplicaEntity.PutReply(target(0).id(), node(0), object, null));
    expectReplicate(1, object)
        .replyTo()
        .tell(new ReplicaEntity.Replicated(target(1).id(), node(1), true));
    expectReplicate(2, object)
        .replyTo()
        .tell(new ReplicaEntity.Replicated(target(2).id(), node(2), false));
    client.expectMessageClass(WriteResult.Written.class);

    replicaAckTimeoutPasses();
    watcher.expectTerminated(coordinator);
    expectNoHintsAnywhere();
    client.expectNoMessage(QUIET);
  }

  /**
   * With four members and N = 3 a partition has one fallback: a live replica slow to ack and a
   * paused one both get their hints there (before, the first took the only fallback and the paused
   * replica got none, though the write was acknowledged: HintBudgetSmallHeapIT's lost hint).
   */
  @Test
  void twoReplicasDoNotAck_theOnlyFallbackHoldsBothHints() {
    ActorRef<WriteCoordinator.Command> coordinator = start(1, false);
    byte[] object = coordinated("uidA");
    expectCoordinatePut(0)
        .replyTo()
        .tell(new ReplicaEntity.PutReply(target(0).id(), node(0), object, null));
    expectReplicate(1, object);
    expectReplicate(2, object);
    client.expectMessageClass(WriteResult.Written.class);

    replicaAckTimeoutPasses();
    HintManager.StoreHint first = expectHint(target(1), object);
    HintManager.StoreHint second = expectHint(target(2), object);
    first.replyTo().tell(new HintStore.HintStoreReply(target(1), KEY, true, null));
    second.replyTo().tell(new HintStore.HintStoreReply(target(2), KEY, true, null));
    watcher.expectTerminated(coordinator);
    expectNoHintsAnywhere();
  }

  /** One fallback holding two of a write's hints is one member toward a sloppy W, not two. */
  @Test
  void sloppyW3_twoHintsOnOneFallbackCountOnce_unavailableAtTimeout() {
    ActorRef<WriteCoordinator.Command> coordinator = start(3, true);
    byte[] object = coordinated("uidA");
    expectCoordinatePut(0)
        .replyTo()
        .tell(new ReplicaEntity.PutReply(target(0).id(), node(0), object, null));
    expectReplicate(1, object);
    expectReplicate(2, object);

    replicaAckTimeoutPasses();
    expectHint(target(1), object)
        .replyTo()
        .tell(new HintStore.HintStoreReply(target(1), KEY, true, null));
    expectHint(target(2), object)
        .replyTo()
        .tell(new HintStore.HintStoreReply(target(2), KEY, true, null));
    client.expectNoMessage(QUIET);

    restOfTimeoutPasses();
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(1, unavailable.acks());
    watcher.expectTerminated(coordinator);
  }

  /**
   * No fallback is available: this node (a replica's node) keeps the hint itself, as a Cassandra
   * coordinator does, rather than leave an acknowledged write's replica to anti-entropy; such a
   * hint never counts toward a sloppy W.
   */
  @Test
  void noFallbackAvailable_thisNodeKeepsTheHint_whichDoesNotCountTowardW() {
    ActorRef<WriteCoordinator.Command> coordinator =
        start(3, true, HintDirectory.of(allManagers(), node(0)), node -> !node.equals(FALLBACK));
    byte[] object = coordinateOnFirst_ackOnSecond_thirdSilent();

    replicaAckTimeoutPasses();
    HintManager.StoreHint hint =
        replicaManagers.get(0).expectMessageClass(HintManager.StoreHint.class);
    assertEquals(target(2), hint.target());
    assertArrayEquals(object, hint.object());
    hint.replyTo().tell(new HintStore.HintStoreReply(target(2), KEY, true, null));
    fallbackManager.expectNoMessage(QUIET);
    replicaManagers.get(1).expectNoMessage(QUIET);
    replicaManagers.get(2).expectNoMessage(QUIET);
    client.expectNoMessage(QUIET);

    restOfTimeoutPasses();
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(
        new Outcome.Unavailable(2, 3, 3, List.of(node(0), node(1)), "timed out after 2000 ms"),
        unavailable,
        "a hint on a replica's node is no fallback");
    watcher.expectTerminated(coordinator);
  }

  /**
   * The first coordinating replica stays silent, the next one stores the object just before the
   * request's timeout: the replica-ack timeout restarted then would fire after the coordinator
   * stopped, and the third replica, which never acks, got no hint. Now the request's timeout sends
   * the hints still owed and waits for their holders.
   */
  @Test
  void objectJustBeforeTheTimeout_theReplicaThatNeverAcksStillGetsItsHint() {
    ActorRef<WriteCoordinator.Command> coordinator = start(1, false);
    expectCoordinatePut(0);
    replicaAckTimeoutPasses();
    ReplicaEntity.CoordinatePut failover = expectCoordinatePut(1);
    manualTime.timePasses(TIMEOUT.minus(ACK_TIMEOUT).minus(Duration.ofMillis(100)));

    byte[] object = coordinated("uidB");
    failover.replyTo().tell(new ReplicaEntity.PutReply(target(1).id(), node(1), object, null));
    expectReplicate(0, object);
    expectReplicate(2, object);
    HintManager.StoreHint silentCoordinator = expectHint(target(0), object);
    client.expectMessageClass(WriteResult.Written.class);
    silentCoordinator.replyTo().tell(new HintStore.HintStoreReply(target(0), KEY, true, null));

    manualTime.timePasses(Duration.ofMillis(100));
    HintManager.StoreHint neverAcked = expectHint(target(2), object);
    neverAcked.replyTo().tell(new HintStore.HintStoreReply(target(2), KEY, true, null));
    watcher.expectTerminated(coordinator);
    expectNoHintsAnywhere();
    client.expectNoMessage(QUIET);
  }
}
