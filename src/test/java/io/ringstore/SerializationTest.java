package io.ringstore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.ringstore.client.ReadOptions;
import io.ringstore.client.Ringstore;
import io.ringstore.client.WriteOptions;
import io.ringstore.cluster.ClusterJoiner;
import io.ringstore.cluster.JoinDecision;
import io.ringstore.cluster.SettingsService;
import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.PeerFlow;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.handoff.HintManager;
import io.ringstore.handoff.HintStore;
import io.ringstore.http.NodeStats;
import io.ringstore.replica.PutError;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.transfer.NodeLeave;
import io.ringstore.transfer.PartitionSource;
import io.ringstore.transfer.TransferTracker;
import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.DvvSet;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JavaSerializer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every message that crosses nodes survives a round trip through Pekko serialization on a node's
 * configuration (cluster provider), with the jackson-cbor serializer and never Java serialization.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SerializationTest {

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName(NodeConfig.SYSTEM_NAME)
          .withCustomConfig(
              NodeConfig.load(
                  ConfigFactory.parseString(
                      "pekko.remote.artery.canonical.port=0\n"
                          // the node default exits the JVM when the system terminates; not in a
                          // test JVM
                          + "pekko.coordinated-shutdown.exit-jvm=off"),
                  ConfigFactory.empty()))
          .build();

  private Serialization serialization;

  @BeforeAll
  void setUp() {
    serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    assertEquals("cluster", testKit.system().settings().config().getString("pekko.actor.provider"));
  }

  private static Sibling text(String s) {
    return Sibling.value(s.getBytes(UTF_8), "text/plain");
  }

  Stream<Object> messages() {
    ActorRef<ReplicaEntity.ReadReply> readReplyTo =
        testKit.<ReplicaEntity.ReadReply>createTestProbe().ref();
    ActorRef<ReplicaEntity.PutReply> putReplyTo =
        testKit.<ReplicaEntity.PutReply>createTestProbe().ref();
    ActorRef<ReplicaEntity.Replicated> replicatedTo =
        testKit.<ReplicaEntity.Replicated>createTestProbe().ref();
    ActorRef<ReadResult> readResultTo = testKit.<ReadResult>createTestProbe().ref();
    ActorRef<WriteResult> writeResultTo = testKit.<WriteResult>createTestProbe().ref();
    ActorRef<ReplicaEntity.Status> statusTo = testKit.<ReplicaEntity.Status>createTestProbe().ref();
    ActorRef<PartitionSource.Description> descriptionTo =
        testKit.<PartitionSource.Description>createTestProbe().ref();
    ActorRef<PartitionSource.Batch> batchTo =
        testKit.<PartitionSource.Batch>createTestProbe().ref();
    ActorRef<PartitionSource.Transfers> transfersTo =
        testKit.<PartitionSource.Transfers>createTestProbe().ref();
    ActorRef<NodeStats.Stats> statsTo = testKit.<NodeStats.Stats>createTestProbe().ref();
    ActorRef<JoinDecision.PeerState> peerStateTo =
        testKit.<JoinDecision.PeerState>createTestProbe().ref();
    ActorRef<ReplicaEntity.Command> serverRef =
        testKit.<ReplicaEntity.Command>createTestProbe().ref();
    ActorRef<HintStore.HintStoreReply> hintReplyTo =
        testKit.<HintStore.HintStoreReply>createTestProbe().ref();
    ActorRef<PeerFlow.Command> flowTo = testKit.<PeerFlow.Command>createTestProbe().ref();
    ActorRef<NodeLeave.Started> startedTo = testKit.<NodeLeave.Started>createTestProbe().ref();
    ActorRef<NodeLeave.Progress> progressTo = testKit.<NodeLeave.Progress>createTestProbe().ref();
    ActorRef<SettingsService.ClusterSettings> clusterSettingsTo =
        testKit.<SettingsService.ClusterSettings>createTestProbe().ref();

    DvvSet<Sibling> object =
        DvvSet.<Sibling>empty()
            .update(DvvSet.of(text("a")), "uidA")
            .sync(DvvSet.<Sibling>empty().update(DvvSet.of(Sibling.newTombstone()), "uidB"));
    byte[] encoded = StoredObjectCodec.encode(object);
    String context = CausalContextCodec.encode(object.join());
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }

    return Stream.of(
        new ReplicaEntity.Read("user/42", readReplyTo),
        new ReplicaEntity.Read("ключ/😀", readReplyTo),
        new ReplicaEntity.ReadReply("5:1", "127.0.0.1:2", encoded, null),
        new ReplicaEntity.ReadReply("5:1", "127.0.0.1:2", null, null),
        new ReplicaEntity.ReadReply("5:1", "127.0.0.1:2", null, "StorageException: boom"),
        new ReplicaEntity.CoordinatePut(
            "user/42", binary, "application/octet-stream", false, null, false, putReplyTo),
        new ReplicaEntity.CoordinatePut(
            "user/42", new byte[0], "", true, context, true, putReplyTo),
        new ReplicaEntity.CoordinatePut(
            "user/42", binary, "text/plain", false, context, false, putReplyTo, 250L),
        new ReplicaEntity.CoordinatePut(
            "user/42",
            binary,
            "text/plain",
            false,
            context,
            false,
            putReplyTo,
            250L,
            new CausalContextCodec.Limits(64, 4096)),
        new ReplicaEntity.PutReply("5:0", "127.0.0.1:1", encoded, null),
        new ReplicaEntity.PutReply("5:0", "127.0.0.1:1", encoded, context),
        ReplicaEntity.PutReply.failed("5:0", "127.0.0.1:1", PutError.EXPIRED),
        ReplicaEntity.PutReply.failed(
            "5:0", "127.0.0.1:1", PutError.CONTEXT_NOT_HELD, "read first"),
        ReplicaEntity.PutReply.failed("5:0", "127.0.0.1:1", PutError.OBJECT_TOO_LARGE, "too big"),
        ReplicaEntity.PutReply.failed(
            "5:0", "127.0.0.1:1", PutError.STORAGE_FAILED, "InvalidContextException: bad"),
        new ReplicaEntity.Replicate("user/42", encoded, replicatedTo),
        new ReplicaEntity.Replicated("5:2", "127.0.0.1:3", true),
        new ReplicaEntity.Replicated("5:2", "127.0.0.1:3", false),
        new Ringstore.Get("user/42", null, readResultTo),
        new Ringstore.Get(
            "user/42",
            ReadOptions.r(Quorum.ALL).withTimeout(Duration.ofMillis(1500)),
            readResultTo),
        new Ringstore.Get("user/42", ReadOptions.r(Quorum.of(2)), readResultTo),
        new Ringstore.Put("user/42", binary, "image/png", null, null, writeResultTo),
        new Ringstore.Put(
            "user/42",
            binary,
            "image/png",
            context,
            WriteOptions.w(Quorum.MAJORITY).withTimeout(Duration.ofSeconds(3)),
            writeResultTo),
        new Ringstore.Delete("user/42", null, null, writeResultTo),
        new Ringstore.Delete("user/42", context, WriteOptions.w(Quorum.ONE), writeResultTo),
        new ReadResult.Found(
            List.of(text("a"), Sibling.value(binary, "image/png")),
            context,
            List.of("127.0.0.1:1", "127.0.0.1:2")),
        new ReadResult.NotFound(null, List.of("127.0.0.1:1")),
        new ReadResult.NotFound(context, List.of("127.0.0.1:1", "127.0.0.1:3")),
        new WriteResult.Written(context, List.of("127.0.0.1:1", "127.0.0.1:3")),
        new Outcome.Unavailable(1, 2, 3, List.of("127.0.0.1:1"), "timed out after 2000 ms"),
        new Outcome.Unavailable(0, 1, 0, List.of(), "no replicas"),
        new Outcome.Rejected("the key must not be empty"),
        new Outcome.Rejected("resolve the siblings", Outcome.Kind.TOO_MANY_SIBLINGS),
        ReplicaEntity.PutReply.failed(
            "5:1", "127.0.0.1:4", PutError.TOO_MANY_SIBLINGS, "resolve the siblings"),
        new ReplicaEntity.ReadReply("5:1", "127.0.0.1:4", encoded, null, "user/42", true),
        new ReplicaEntity.ReadReply("5:1", "127.0.0.1:4", null, null, "user/42", true),
        // an object larger than one message carries, answered in parts (issue 15)
        new ReplicaEntity.ReadReply("5:1", "127.0.0.1:4", encoded, null, "user/42", false, 1, 3),
        new ReplicaEntity.ReadReply("5:1", "127.0.0.1:4", encoded, null, "user/42", true, 2, 3),
        ReplicaEntity.PutReply.failed("5:1", "127.0.0.1:4", PutError.SYNCING),
        new ReplicaEntity.GetStatus(statusTo),
        new ReplicaEntity.Status("5:1", "127.0.0.1:4", true),
        new ReplicaEntity.Status("5:1", "127.0.0.1:4", false),
        new ReplicaEntity.SyncCompleted(),
        new PartitionSource.Describe(5, descriptionTo),
        new PartitionSource.Description("127.0.0.1:1", 5, false, 90_000L, 1234, serverRef),
        new PartitionSource.Description("127.0.0.1:1", 5, false, 0L, 1234, serverRef),
        new PartitionSource.Description("127.0.0.1:1", 5, true, null, -1, serverRef),
        new PartitionSource.Description(
            "127.0.0.1:1", 5, true, null, 17, serverRef, Map.of("5:2", 1_500L, "5:0", 0L)),
        new HintManager.StoreHint(new ReplicaId(5, 2), "user/42", encoded, hintReplyTo),
        new HintStore.StoreHint("user/42", encoded, hintReplyTo),
        new HintStore.HintStoreReply(new ReplicaId(5, 2), "user/42", true, null),
        new PartitionSource.CopyBatch(5, null, 128, 1 << 20, batchTo),
        new PartitionSource.CopyBatch(5, "ключ/😀", 128, 1 << 20, batchTo),
        // resuming inside a key copied in parts: after the entries of actor uidA
        new PartitionSource.CopyBatch(5, "ключ/😀", 128, 1 << 20, batchTo, "uidA"),
        new PartitionSource.Batch(
            "127.0.0.1:1", 5, List.of("ключ/😀"), List.of(encoded), false, null, "uidB"),
        new PartitionSource.Batch(
            "127.0.0.1:1", 5, List.of("a", "ключ/😀"), List.of(encoded, binary), false, null),
        new PartitionSource.Batch("127.0.0.1:1", 5, List.of(), List.of(), true, null),
        new PartitionSource.Batch(
            "127.0.0.1:1", 5, List.of(), List.of(), false, "StorageException: boom"),
        new PartitionSource.Draining("127.0.0.1:3"),
        new PartitionSource.GetTransfers(transfersTo),
        new PartitionSource.Transfers(
            "127.0.0.1:4",
            List.of(
                new TransferTracker.Transfer(
                    "5:1",
                    5,
                    "127.0.0.1:4",
                    "127.0.0.1:1",
                    TransferTracker.State.copying,
                    300,
                    12_345,
                    1_000,
                    2_000,
                    0,
                    1_000,
                    null),
                new TransferTracker.Transfer(
                    "6:0",
                    6,
                    "127.0.0.1:4",
                    null,
                    TransferTracker.State.syncing,
                    0,
                    0,
                    1_000,
                    2_000,
                    0,
                    0,
                    "no other replica of the partition answered; retrying"),
                new TransferTracker.Transfer(
                    "7:2",
                    7,
                    "127.0.0.1:4",
                    "127.0.0.1:2",
                    TransferTracker.State.done,
                    10,
                    100,
                    1_000,
                    3_000,
                    3_000,
                    10,
                    null))),
        new PartitionSource.Transfers("127.0.0.1:4", List.of()),
        // the cluster joiner's probe, sent before either node is a member
        new ClusterJoiner.Probe(
            new JoinDecision.PeerState(
                "127.0.0.1:1",
                JoinDecision.Status.UNJOINED,
                "c0ffee00-0000-4000-8000-000000000001",
                true,
                "127.0.0.1:1"),
            peerStateTo),
        new JoinDecision.PeerState("127.0.0.1:2", JoinDecision.Status.MEMBER, null, false, null),
        new PeerFlow.Flush(42L, flowTo),
        new PeerFlow.FlushAck(42L),
        new NodeStats.GetStats(statsTo),
        new NodeStats.Stats(
            "127.0.0.1:2",
            "http://127.0.0.1:8082/ui",
            12_345L,
            Map.of("get", Map.of("ok", 7L, "not_found", 1L), "put", Map.of("ok", 3L)),
            List.of(0.001, 0.01),
            Map.of("get", List.of(2L, 8L, 8L), "put", List.of(0L, 3L, 3L)),
            Map.of("sst_bytes", 4096L, "memtable_bytes", 1L << 33),
            null),
        new NodeStats.Stats(
            "127.0.0.1:2",
            "https://[::1]:8082/ui",
            0L,
            Map.of(),
            List.of(),
            Map.of(),
            Map.of(),
            "the storage statistics could not be read"),
        // the leave's ask from POST /admin/leave, and its progress
        new NodeLeave.Start(startedTo),
        new NodeLeave.Started(true, "127.0.0.1:2 is handing off its replicas of 21 partitions"),
        new NodeLeave.Started(false, "127.0.0.1:2 is the only data member: add a node first"),
        new NodeLeave.GetProgress(progressTo),
        new NodeLeave.Progress(true, 3, -1, 1_765_000_000_000L),
        new NodeLeave.Progress(false, 0, 0, 0L),
        // a client member asks a data node for the cluster's settings when it connects
        new SettingsService.GetSettings(clusterSettingsTo),
        new SettingsService.ClusterSettings(32, 16, 2, 1, 2, 3_000L, 60_000L, true));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("messages")
  void roundTripsThroughJacksonCbor(Object message) {
    Serializer serializer = serialization.findSerializerFor(message);
    assertInstanceOf(
        JacksonCborSerializer.class,
        serializer,
        message.getClass().getName() + " must be bound to jackson-cbor");
    assertTrue(!(serializer instanceof JavaSerializer), "never Java serialization");
    assertEquals(
        testKit.system().settings().config().getString("pekko.actor.serializers.jackson-cbor"),
        serializer.getClass().getName(),
        "the serializer named jackson-cbor");

    byte[] bytes = serialization.serialize(message).get();
    String manifest = Serializers.manifestFor(serializer, message);
    Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();

    assertNotSame(message, back);
    assertSameContent(message, back, message.getClass().getSimpleName());
  }

  /** Records compared component by component, byte arrays by content, lists element by element. */
  private static void assertSameContent(Object expected, Object actual, String path) {
    if (expected == null || actual == null) {
      assertEquals(expected, actual, path);
      return;
    }
    if (expected instanceof List<?>) {
      // a list's implementation is not part of the message (Jackson gives an ArrayList back)
      assertInstanceOf(List.class, actual, path + ": a list");
    } else if (expected instanceof Map<?, ?>) {
      // nor a map's (Jackson gives a LinkedHashMap back); maps compare by content below
      assertInstanceOf(Map.class, actual, path + ": a map");
    } else {
      assertEquals(expected.getClass(), actual.getClass(), path + ": class");
    }
    if (expected instanceof byte[] e) {
      assertArrayEquals(e, (byte[]) actual, path);
    } else if (expected instanceof List<?> e) {
      List<?> a = (List<?>) actual;
      assertEquals(e.size(), a.size(), path + ": size");
      for (int i = 0; i < e.size(); i++) {
        assertSameContent(e.get(i), a.get(i), path + "[" + i + "]");
      }
    } else if (expected.getClass().isRecord()) {
      for (RecordComponent c : expected.getClass().getRecordComponents()) {
        try {
          assertSameContent(
              c.getAccessor().invoke(expected),
              c.getAccessor().invoke(actual),
              path + "." + c.getName());
        } catch (ReflectiveOperationException e) {
          fail(path + "." + c.getName() + ": " + e);
        }
      }
      if (!containsBytes(expected)) {
        assertEquals(expected, actual, path + ": equals");
      }
    } else {
      assertEquals(expected, actual, path);
    }
  }

  private static boolean containsBytes(Object record) {
    for (RecordComponent c : record.getClass().getRecordComponents()) {
      // byte[] and List<byte[]> components make a record's equals compare identities
      if (c.getType() == byte[].class || c.getGenericType().getTypeName().contains("byte[]")) {
        return true;
      }
    }
    return false;
  }
}
