package io.ringstore.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ringstore.NodeConfig;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.RequestLimits;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaSharding;
import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import io.ringstore.storage.Sibling;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway rejects invalid requests with {@link Outcome.Rejected} before any replica hears of
 * them (DESIGN invariant 5), and hands valid ones to a coordinator that does reach the replicas.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestGatewayTest {

  @JUnit5TestKit public final ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static final Ring RING =
      Ring.of(new RingConfig(64, 64, 3), List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"));
  private static final RingstoreSettings SETTINGS =
      RingstoreSettings.fromConfig(
          NodeConfig.load(
              ConfigFactory.parseString("ringstore.replication{n=3,r=2,w=2}"),
              ConfigFactory.empty()));
  private static final Duration QUIET = Duration.ofMillis(200);
  private static final byte[] VALUE = "v".getBytes(UTF_8);

  /** A context that decodes (the empty version vector). */
  private static final String GOOD_CONTEXT = "AQA";

  private List<TestProbe<ReplicaEntity.Command>> probes;
  private ActorRef<Ringstore.Command> gateway;

  @BeforeEach
  void setUp() {
    List<TestProbe<ReplicaEntity.Command>> replicaProbes =
        List.of(testKit.createTestProbe(), testKit.createTestProbe(), testKit.createTestProbe());
    probes = replicaProbes;
    ReplicaDirectory directory =
        new ReplicaDirectory(
            id ->
                TestEntityRef.of(
                    ReplicaSharding.TYPE_KEY, id.id(), replicaProbes.get(id.index()).ref()),
            () -> RING,
            new LocalReplicas());
    gateway = testKit.spawn(RequestGateway.create(directory, new RequestLimits(SETTINGS)));
  }

  private void expectNoReplicaMessages() {
    for (TestProbe<ReplicaEntity.Command> probe : probes) {
      probe.expectNoMessage(QUIET);
    }
  }

  private Outcome.Rejected expectRejectedRead(
      Function<ActorRef<ReadResult>, Ringstore.Command> request, String expectedInReason) {
    TestProbe<ReadResult> client = testKit.createTestProbe();
    gateway.tell(request.apply(client.ref()));
    return expectRejected(client.expectMessageClass(Outcome.Rejected.class), expectedInReason);
  }

  private Outcome.Rejected expectRejectedWrite(
      Function<ActorRef<WriteResult>, Ringstore.Command> request, String expectedInReason) {
    TestProbe<WriteResult> client = testKit.createTestProbe();
    gateway.tell(request.apply(client.ref()));
    return expectRejected(client.expectMessageClass(Outcome.Rejected.class), expectedInReason);
  }

  private static Outcome.Rejected expectRejected(
      Outcome.Rejected rejected, String expectedInReason) {
    assertTrue(
        rejected.reason() != null && rejected.reason().contains(expectedInReason),
        "reason '" + rejected.reason() + "' should mention '" + expectedInReason + "'");
    return rejected;
  }

  @Test
  void validRequestsReachTheReplicas() {
    TestProbe<ReadResult> reader = testKit.createTestProbe();
    gateway.tell(new Ringstore.Get("k", null, reader.ref()));
    for (TestProbe<ReplicaEntity.Command> probe : probes) {
      assertEquals("k", probe.expectMessageClass(ReplicaEntity.Read.class).key());
    }

    TestProbe<WriteResult> writer = testKit.createTestProbe();
    gateway.tell(new Ringstore.Put("k", VALUE, null, GOOD_CONTEXT, null, writer.ref()));
    ReplicaEntity.CoordinatePut put =
        probes.get(0).expectMessageClass(ReplicaEntity.CoordinatePut.class);
    assertEquals(
        Sibling.DEFAULT_CONTENT_TYPE, put.contentType(), "a null content type gets the default");
    assertEquals(GOOD_CONTEXT, put.context());
    assertFalse(put.contextFromReplica());

    gateway.tell(new Ringstore.Delete("k", null, null, writer.ref()));
    ReplicaEntity.CoordinatePut delete =
        probes.get(0).expectMessageClass(ReplicaEntity.CoordinatePut.class);
    assertTrue(delete.tombstone());
    assertTrue(delete.contextFromReplica(), "a delete without a context uses the replica's");
  }

  @Test
  void emptyKeyIsRejected() {
    expectRejectedRead(r -> new Ringstore.Get("", null, r), "key");
    expectRejectedWrite(r -> new Ringstore.Put("", VALUE, "text/plain", null, null, r), "key");
    expectRejectedWrite(r -> new Ringstore.Delete("", null, null, r), "key");
    expectRejectedRead(r -> new Ringstore.Get(null, null, r), "key");
    expectNoReplicaMessages();
  }

  @Test
  void keyLongerThan1024BytesIsRejected() {
    String ascii = "k".repeat(1025);
    String multiByte = "é".repeat(513); // 513 chars, 1026 bytes of UTF-8
    for (String key : List.of(ascii, multiByte)) {
      expectRejectedRead(r -> new Ringstore.Get(key, null, r), "1024");
      expectRejectedWrite(r -> new Ringstore.Put(key, VALUE, "text/plain", null, null, r), "1024");
      expectRejectedWrite(r -> new Ringstore.Delete(key, null, null, r), "1024");
    }
    expectNoReplicaMessages();
  }

  @Test
  void keyOfExactly1024BytesIsAccepted() {
    TestProbe<ReadResult> reader = testKit.createTestProbe();
    gateway.tell(new Ringstore.Get("k".repeat(1024), null, reader.ref()));
    probes.get(0).expectMessageClass(ReplicaEntity.Read.class);
  }

  @Test
  void quorumAboveNIsRejected() {
    expectRejectedWrite(
        r -> new Ringstore.Put("k", VALUE, "text/plain", null, WriteOptions.w(Quorum.of(4)), r),
        "w ");
    expectRejectedWrite(
        r -> new Ringstore.Delete("k", null, WriteOptions.w(Quorum.of(4)), r), "w ");
    expectRejectedRead(r -> new Ringstore.Get("k", ReadOptions.r(Quorum.of(4)), r), "r ");
    expectNoReplicaMessages();
  }

  @Test
  void badContextIsRejected() {
    for (String bad : List.of("not a context", "////", "", "AQ")) {
      expectRejectedWrite(
          r -> new Ringstore.Put("k", VALUE, "text/plain", bad, null, r), "context");
      expectRejectedWrite(r -> new Ringstore.Delete("k", bad, null, r), "context");
    }
    expectNoReplicaMessages();
  }

  @Test
  void valueTooLargeIsRejected() {
    byte[] big = new byte[SETTINGS.requests().maxValueBytes() + 1];
    assertEquals(1024 * 1024 + 1, big.length);
    expectRejectedWrite(r -> new Ringstore.Put("k", big, "text/plain", null, null, r), "limit");
    expectRejectedWrite(r -> new Ringstore.Put("k", null, "text/plain", null, null, r), "value");
    expectNoReplicaMessages();
  }

  @Test
  void timeoutTooLongOrNotPositiveIsRejected() {
    Duration tooLong = SETTINGS.requests().maxTimeout().plusMillis(1);
    expectRejectedRead(
        r -> new Ringstore.Get("k", ReadOptions.DEFAULT.withTimeout(tooLong), r), "timeout");
    expectRejectedWrite(
        r ->
            new Ringstore.Put(
                "k", VALUE, "text/plain", null, WriteOptions.DEFAULT.withTimeout(tooLong), r),
        "timeout");
    expectRejectedWrite(
        r -> new Ringstore.Delete("k", null, WriteOptions.DEFAULT.withTimeout(tooLong), r),
        "timeout");
    expectRejectedRead(
        r -> new Ringstore.Get("k", ReadOptions.DEFAULT.withTimeout(Duration.ZERO), r), "timeout");
    expectRejectedWrite(
        r ->
            new Ringstore.Put(
                "k",
                VALUE,
                "text/plain",
                null,
                WriteOptions.DEFAULT.withTimeout(Duration.ofMillis(-1)),
                r),
        "timeout");
    expectNoReplicaMessages();
  }

  @Test
  void badContentTypeIsRejected() {
    expectRejectedWrite(r -> new Ringstore.Put("k", VALUE, " ", null, null, r), "content type");
    expectRejectedWrite(
        r -> new Ringstore.Put("k", VALUE, "a/" + "b".repeat(300), null, null, r), "content type");
    expectNoReplicaMessages();
  }

  @Test
  void theGatewaySurvivesRejectionsAndServesTheNextRequest() {
    expectRejectedRead(r -> new Ringstore.Get("", null, r), "key");
    expectRejectedWrite(r -> new Ringstore.Put("k", VALUE, "text/plain", "%%", null, r), "context");
    TestProbe<ReadResult> reader = testKit.createTestProbe();
    gateway.tell(new Ringstore.Get("k", null, reader.ref()));
    for (TestProbe<ReplicaEntity.Command> probe : probes) {
      probe.expectMessageClass(ReplicaEntity.Read.class);
    }
  }
}
