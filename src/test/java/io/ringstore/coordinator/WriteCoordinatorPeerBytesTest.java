package io.ringstore.coordinator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import io.ringstore.version.DvvSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * A write coordinator under the bound on bytes queued to each peer node ({@link PeerBytes}), on a
 * fixed ring of four members with hand-played replicas, on manual time: a Replicate to a peer at
 * its bound is not sent and counts as a failed replica (hinted at the replica-ack timeout; 503 at
 * once when W can no longer be met); a CoordinatePut to a peer at its bound goes to the next
 * replica; when no replica's peer can take it the write is unavailable at once and the coordinator
 * stops; bytes are counted per message.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WriteCoordinatorPeerBytesTest {

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
  private static final Sibling VALUE = Sibling.value("hello".getBytes(UTF_8), "text/plain");
  private static final long BOUND = 1_000;

  private ManualTime manualTime;
  private List<TestProbe<ReplicaEntity.Command>> probes;
  private TestProbe<HintManager.Command> fallbackManager;
  private TestProbe<WriteResult> client;
  private TestProbe<Object> watcher;
  private PeerBytes peerBytes;
  private List<ReplicaId> replicas;

  @BeforeEach
  void setUp() {
    manualTime = ManualTime.get(testKit.system());
    probes =
        List.of(testKit.createTestProbe(), testKit.createTestProbe(), testKit.createTestProbe());
    fallbackManager = testKit.createTestProbe();
    client = testKit.createTestProbe();
    watcher = testKit.createTestProbe();
    peerBytes = PeerBytes.of(BOUND);
    replicas = directory().replicasOf(RING, PARTITION);
  }

  private ReplicaDirectory directory() {
    List<TestProbe<ReplicaEntity.Command>> replicaProbes = probes;
    return new ReplicaDirectory(
        id ->
            TestEntityRef.of(
                ReplicaSharding.TYPE_KEY, id.id(), replicaProbes.get(id.index()).ref()),
        () -> RING,
        new LocalReplicas(),
        node -> true);
  }

  private ActorRef<WriteCoordinator.Command> start(int w) {
    WriteCoordinator.Handoff handoff =
        new WriteCoordinator.Handoff(
            HintDirectory.of(Map.of(FALLBACK, fallbackManager.ref())), ACK_TIMEOUT, peerBytes);
    return testKit.spawn(
        WriteCoordinator.create(
            new WriteCoordinator.WriteRequest(KEY, VALUE, null, false, w, TIMEOUT, false),
            directory(),
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

  /** Fills the bound of the node of replica {@code index}: nothing more may be queued to it. */
  private void fill(int index) {
    peerBytes.tryAcquire(node(index), BOUND);
  }

  private static byte[] coordinated(String actor) {
    return StoredObjectCodec.encode(DvvSet.<Sibling>empty().update(DvvSet.of(VALUE), actor));
  }

  private byte[] coordinateOn(int index) {
    byte[] object = coordinated("uidA");
    ReplicaEntity.CoordinatePut put =
        probes.get(index).expectMessageClass(ReplicaEntity.CoordinatePut.class);
    put.replyTo().tell(new ReplicaEntity.PutReply(target(index).id(), node(index), object, null));
    return object;
  }

  @Test
  void aReplicateToAFullPeerIsNotSent_theWriteMeetsW2WithTheOthers_andTheReplicaIsHinted() {
    fill(2);
    ActorRef<WriteCoordinator.Command> coordinator = start(2);
    byte[] object = coordinateOn(0);
    ReplicaEntity.Replicate r1 = probes.get(1).expectMessageClass(ReplicaEntity.Replicate.class);
    probes.get(2).expectNoMessage(QUIET);
    assertEquals(1, peerBytes.refusals(), "the refused Replicate is counted");
    assertEquals(
        VALUE.data().length + KEY.length(),
        peerBytes.outstanding(node(0)),
        "the CoordinatePut's bytes are queued to replica 0's node");
    assertEquals(
        object.length + KEY.length(),
        peerBytes.outstanding(node(1)),
        "the Replicate's bytes are queued to replica 1's node");
    r1.replyTo().tell(new ReplicaEntity.Replicated(target(1).id(), node(1), true));
    WriteResult.Written written = client.expectMessageClass(WriteResult.Written.class);
    assertEquals(List.of(node(0), node(1)), written.replicas());

    manualTime.timePasses(ACK_TIMEOUT);
    HintManager.StoreHint hint = fallbackManager.expectMessageClass(HintManager.StoreHint.class);
    assertEquals(target(2), hint.target(), "the replica whose Replicate was not sent is hinted");
    assertArrayEquals(object, hint.object());
    hint.replyTo().tell(new HintStore.HintStoreReply(target(2), KEY, true, null));
    watcher.expectTerminated(coordinator);
  }

  @Test
  void aReplicateToAFullPeerMakesW3UnavailableAtOnce() {
    fill(2);
    ActorRef<WriteCoordinator.Command> coordinator = start(3);
    coordinateOn(0);
    probes.get(1).expectMessageClass(ReplicaEntity.Replicate.class);
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(1, unavailable.acks());
    assertEquals(3, unavailable.required());
    probes.get(2).expectNoMessage(QUIET);
    manualTime.timePasses(TIMEOUT);
    watcher.expectTerminated(coordinator);
  }

  @Test
  void aCoordinatePutToAFullPeerGoesToTheNextReplica() {
    fill(0);
    ActorRef<WriteCoordinator.Command> coordinator = start(1);
    probes.get(0).expectNoMessage(QUIET);
    byte[] object = coordinateOn(1);
    client.expectMessageClass(WriteResult.Written.class);
    ReplicaEntity.Replicate r2 = probes.get(2).expectMessageClass(ReplicaEntity.Replicate.class);
    assertArrayEquals(object, r2.object());
    probes.get(0).expectNoMessage(QUIET);
    assertEquals(2, peerBytes.refusals(), "the CoordinatePut and the Replicate to replica 0");
    r2.replyTo().tell(new ReplicaEntity.Replicated(target(2).id(), node(2), true));
    manualTime.timePasses(ACK_TIMEOUT);
    HintManager.StoreHint hint = fallbackManager.expectMessageClass(HintManager.StoreHint.class);
    assertEquals(target(0), hint.target());
    hint.replyTo().tell(new HintStore.HintStoreReply(target(0), KEY, true, null));
    watcher.expectTerminated(coordinator);
  }

  @Test
  void whenNoReplicasPeerCanTakeTheWriteItIsUnavailableAtOnceAndStops() {
    fill(0);
    fill(1);
    fill(2);
    ActorRef<WriteCoordinator.Command> coordinator = start(1);
    Outcome.Unavailable unavailable = client.expectMessageClass(Outcome.Unavailable.class);
    assertEquals(0, unavailable.acks());
    watcher.expectTerminated(coordinator);
    for (TestProbe<ReplicaEntity.Command> probe : probes) {
      probe.expectNoMessage(QUIET);
    }
    assertEquals(3, peerBytes.refusals());
  }
}
