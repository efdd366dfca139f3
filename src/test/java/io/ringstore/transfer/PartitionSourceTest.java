package io.ringstore.transfer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.replica.LocalObjectStore;
import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.LocalReplicasTesting;
import io.ringstore.replica.PartitionTreeAccess;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaHost;
import io.ringstore.replica.ReplicaId;
import io.ringstore.replica.ReplicaSync;
import io.ringstore.replica.WriteAdmission;
import io.ringstore.storage.ObjectParts;
import io.ringstore.storage.RocksDbSettings;
import io.ringstore.storage.RocksDbStorage;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StorageCalls;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A node's partition source over real RocksDB storage: paged copies that visit every key of the
 * partition exactly once whatever bounds the batches have, {@code done} only on the last batch, an
 * empty partition done at once, and what it says about its copy of a partition (hosting, released).
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionSourceTest {

  @JUnit5TestKit public final ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static final String NODE = "127.0.0.1:1";
  private static final int FULL = 3;
  private static final int EXACT = 5;
  private static final int HUGE = 6;
  private static final int EMPTY = 9;
  private static final int PARTS = 12;
  private static final int KEYS = 1000;

  @TempDir static Path dir;
  private RocksDbStorage rocks;
  private ExecutorService pool;
  private LocalObjectStore store;
  private LocalReplicas locals;

  /** This node's wall clock (epoch millis), as LocalReplicas reads it. */
  private final AtomicLong wallClock = new AtomicLong(1_764_000_000_000L);

  private TransferTracker tracker;
  private DrainingMembers draining;
  private ActorRef<PartitionSource.Command> source;

  /** What partition FULL holds, by key. */
  private final Map<String, byte[]> expected = new LinkedHashMap<>();

  @BeforeAll
  void open() {
    rocks = RocksDbStorage.open(RocksDbSettings.defaults(dir.resolve("db")));
    pool = Executors.newFixedThreadPool(2);
    store = new LocalObjectStore(rocks, "uidA");
    for (int i = 0; i < KEYS; i++) {
      // values of 1..~600 bytes, some keys beyond ASCII
      String key = (i % 7 == 0 ? "ключ/" : "key/") + String.format("%04d", i);
      Sibling value = Sibling.value("x".repeat(1 + (i * 37) % 600).getBytes(UTF_8), "text/plain");
      store.coordinate(FULL, key, value, Optional.empty(), false);
      expected.put(key, store.readEncoded(FULL, key).orElseThrow());
    }
    for (int i = 0; i < 256; i++) {
      store.coordinate(
          EXACT, "k" + i, Sibling.value(new byte[] {1}, "a/b"), Optional.empty(), false);
    }
    for (int i = 0; i < 5; i++) {
      store.coordinate(
          HUGE, "big" + i, Sibling.value(new byte[10_000], "a/b"), Optional.empty(), false);
    }
    // neighbours of the copied partitions: never part of their batches
    for (int p : new int[] {FULL - 1, FULL + 1, EMPTY - 1, EMPTY + 1}) {
      store.coordinate(
          p, "neighbour", Sibling.value(new byte[] {7}, "a/b"), Optional.empty(), false);
    }
    locals = new LocalReplicas(wallClock::get);
    tracker = new TransferTracker(NODE);
    draining = new DrainingMembers(10_000);
    source =
        testKit.spawn(
            PartitionSource.create(
                new ReplicaHost(
                    store,
                    StorageCalls.unbounded(pool),
                    NODE,
                    locals,
                    PartitionTreeAccess.NONE,
                    ReplicaSync.NONE,
                    tracker),
                tracker,
                draining),
            "partition-source");
  }

  @AfterAll
  void close() throws Exception {
    testKit.stop(source);
    pool.shutdown();
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    rocks.close();
  }

  /** Pulls batches until done (at most {@code limit}); checks each batch against the bounds. */
  private List<PartitionSource.Batch> copyAll(
      int partition, int maxEntries, int maxBytes, int limit) {
    TestProbe<PartitionSource.Batch> probe = testKit.createTestProbe();
    List<PartitionSource.Batch> batches = new ArrayList<>();
    String after = null;
    while (true) {
      assertTrue(batches.size() < limit, "more than " + limit + " batches: the copy does not end");
      source.tell(
          new PartitionSource.CopyBatch(partition, after, maxEntries, maxBytes, probe.ref()));
      PartitionSource.Batch batch = probe.receiveMessage();
      int n = batches.size();
      assertNull(batch.error(), "batch " + n);
      assertEquals(NODE, batch.node());
      assertEquals(partition, batch.partition());
      assertEquals(batch.keys().size(), batch.objects().size(), "batch " + n + ": aligned");
      assertTrue(batch.keys().size() <= maxEntries, "batch " + n + ": at most maxEntries");
      long bytes = batch.objects().stream().mapToLong(o -> o.length).sum();
      assertTrue(
          batch.keys().size() <= 1 || bytes <= maxBytes,
          "batch "
              + n
              + ": "
              + bytes
              + " bytes over maxBytes "
              + maxBytes
              + " with more than one key");
      batches.add(batch);
      if (batch.done()) {
        return batches;
      }
      assertFalse(batch.keys().isEmpty(), "batch " + n + ": an empty batch must be the last one");
      after = batch.keys().get(batch.keys().size() - 1);
    }
  }

  private static List<String> keysOf(List<PartitionSource.Batch> batches) {
    List<String> keys = new ArrayList<>();
    batches.forEach(b -> keys.addAll(b.keys()));
    return keys;
  }

  @ParameterizedTest(name = "maxEntries={0} maxBytes={1}")
  @CsvSource({
    "128,1048576",
    "128,8192",
    "128,1000",
    "1,1048576",
    "1000,100000000",
    "999,100000000",
    "10000,4096"
  })
  void pagesThroughEveryKeyExactlyOnce_doneOnlyOnTheLastBatch(int maxEntries, int maxBytes) {
    List<PartitionSource.Batch> batches = copyAll(FULL, maxEntries, maxBytes, 2 * KEYS + 2);
    List<String> keys = keysOf(batches);
    assertEquals(KEYS, keys.size(), "every key once: " + keys.size() + " keys copied");
    assertEquals(expected.keySet(), Set.copyOf(keys), "the partition's keys and no others");
    assertEquals(KEYS, Set.copyOf(keys).size(), "no key twice");
    for (PartitionSource.Batch batch : batches) {
      for (int i = 0; i < batch.keys().size(); i++) {
        assertArrayEquals(
            expected.get(batch.keys().get(i)),
            batch.objects().get(i),
            "the stored object of " + batch.keys().get(i));
      }
    }
    for (int i = 0; i < batches.size() - 1; i++) {
      assertFalse(
          batches.get(i).done(), "batch " + i + " of " + batches.size() + " is not the last");
    }
    if (maxBytes >= 1_000_000) {
      int full = Math.min(maxEntries, 10_000);
      assertEquals(
          (KEYS + full - 1) / full + (KEYS % full == 0 ? 1 : 0),
          batches.size(),
          "batches bounded by entries only");
    }
  }

  @Test
  void aPartitionOfExactlyTwoBatches_endsWithAnEmptyDoneBatch() {
    List<PartitionSource.Batch> batches = copyAll(EXACT, 128, 1 << 20, 10);
    assertEquals(List.of(128, 128), batches.stream().limit(2).map(b -> b.keys().size()).toList());
    assertEquals(256, Set.copyOf(keysOf(batches)).size());
    assertEquals(256, keysOf(batches).size());
  }

  @Test
  void objectsLargerThanMaxBytesComeOneAtATime() {
    List<PartitionSource.Batch> batches = copyAll(HUGE, 128, 1000, 20);
    assertEquals(5, keysOf(batches).size());
    assertTrue(
        batches.stream().allMatch(b -> b.keys().size() <= 1), "one oversized object per batch");
  }

  /**
   * An object grown by merges past what one message carries (issue 15): a store whose objects are
   * capped at 64 KiB sends parts of at most 128 KiB, so a key with five actors' entries of 60 KiB
   * each comes alone, in parts over several batches, each but the last naming the actor to resume
   * after; paged exactly as {@link PartitionTransfer} pages, the parts join into the stored object
   * and the keys after it follow.
   */
  @ParameterizedTest(name = "maxEntries={0} maxBytes={1}")
  @CsvSource({"128,65536", "128,4096", "1,65536", "2,200000"})
  void anObjectLargerThanAPartComesAloneInPartsThatJoinIntoIt(int maxEntries, int maxBytes) {
    LocalObjectStore limited =
        new LocalObjectStore(rocks, "uidA", new WriteAdmission.Limits(100, 50, 64 << 10));
    long maxPart = limited.maxPartBytes();
    assertEquals(128 << 10, maxPart, "parts of two objects at the limit");
    List<DvvSet.Entry<Sibling>> entries = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      byte[] data = new byte[60 << 10];
      Arrays.fill(data, (byte) i);
      entries.add(new DvvSet.Entry<>("actor" + i, i, List.of(Sibling.value(data, "a/b"))));
    }
    String big = "m/big";
    limited.merge(PARTS, big, DvvSet.fromParts(entries, List.of()));
    byte[] stored = limited.readEncoded(PARTS, big).orElseThrow();
    assertTrue(stored.length > 2 * maxPart, "an object of three parts: " + stored.length);
    List<String> small = List.of("a/0", "a/1", "z/0", "z/1");
    for (String key : small) {
      limited.coordinate(
          PARTS, key, Sibling.value(key.getBytes(UTF_8), "text/plain"), Optional.empty(), false);
    }
    ActorRef<PartitionSource.Command> partsSource =
        testKit.spawn(
            PartitionSource.create(
                new ReplicaHost(
                    limited,
                    StorageCalls.unbounded(pool),
                    NODE,
                    locals,
                    PartitionTreeAccess.NONE,
                    ReplicaSync.NONE,
                    tracker),
                tracker,
                draining));
    try {
      TestProbe<PartitionSource.Batch> probe = testKit.createTestProbe();
      List<PartitionSource.Batch> batches = new ArrayList<>();
      String afterKey = null;
      String afterActor = null;
      while (true) {
        assertTrue(batches.size() < 20, "the copy does not end: " + batches.size() + " batches");
        partsSource.tell(
            new PartitionSource.CopyBatch(
                PARTS, afterKey, maxEntries, maxBytes, probe.ref(), afterActor));
        PartitionSource.Batch batch = probe.receiveMessage();
        int n = batches.size();
        assertNull(batch.error(), "batch " + n);
        assertEquals(batch.keys().size(), batch.objects().size(), "batch " + n + ": aligned");
        for (byte[] object : batch.objects()) {
          assertTrue(
              object.length <= maxPart,
              "batch " + n + ": an object of " + object.length + " bytes over " + maxPart);
        }
        batches.add(batch);
        if (batch.done()) {
          break;
        }
        assertFalse(batch.keys().isEmpty(), "batch " + n + ": an empty batch must be the last");
        // as PartitionTransfer asks: inside the key after the actor, else after the last key
        afterKey = batch.keys().get(batch.keys().size() - 1);
        afterActor = batch.resumeActor();
      }

      List<Integer> ofBig = new ArrayList<>();
      for (int i = 0; i < batches.size(); i++) {
        if (batches.get(i).keys().contains(big)) {
          ofBig.add(i);
        }
      }
      assertTrue(ofBig.size() > 1, "the large object comes in parts: " + ofBig);
      List<byte[]> parts = new ArrayList<>();
      for (int j = 0; j < ofBig.size(); j++) {
        PartitionSource.Batch batch = batches.get(ofBig.get(j));
        assertEquals(List.of(big), batch.keys(), "a part comes alone in its batch");
        assertFalse(batch.done(), "a batch of a part is never the last");
        if (j > 0) {
          assertEquals(ofBig.get(j - 1) + 1, ofBig.get(j), "its parts come one after another");
        }
        byte[] part = batch.objects().get(0);
        if (j < ofBig.size() - 1) {
          List<DvvSet.Entry<Sibling>> partEntries = StoredObjectCodec.decode(part).entries();
          assertEquals(
              partEntries.get(partEntries.size() - 1).actor(),
              batch.resumeActor(),
              "part " + j + " names its last actor to resume after");
        } else {
          assertNull(batch.resumeActor(), "the last part names no actor: the key is done");
        }
        parts.add(part);
      }
      assertEquals(
          StoredObjectCodec.decode(stored),
          StoredObjectCodec.decode(ObjectParts.join(parts)),
          "the parts join into the stored object");
      for (PartitionSource.Batch batch : batches) {
        if (!batch.keys().contains(big)) {
          assertNull(batch.resumeActor(), "a batch of whole objects names no actor");
        }
      }

      List<String> keys = new ArrayList<>();
      for (String key : keysOf(batches)) {
        if (keys.isEmpty() || !keys.get(keys.size() - 1).equals(key)) {
          keys.add(key);
        }
      }
      assertEquals(
          List.of("a/0", "a/1", big, "z/0", "z/1"),
          keys,
          "every key in order, the large one once (in its parts), the keys after it follow");
      for (PartitionSource.Batch batch : batches) {
        for (int i = 0; i < batch.keys().size(); i++) {
          if (!batch.keys().get(i).equals(big)) {
            assertArrayEquals(
                limited.readEncoded(PARTS, batch.keys().get(i)).orElseThrow(),
                batch.objects().get(i),
                "the stored object of " + batch.keys().get(i));
          }
        }
      }
    } finally {
      testKit.stop(partsSource);
      limited.dropPartition(PARTS);
    }
  }

  @Test
  void anEmptyPartitionIsDoneAtOnce() {
    TestProbe<PartitionSource.Batch> probe = testKit.createTestProbe();
    source.tell(new PartitionSource.CopyBatch(EMPTY, null, 128, 4096, probe.ref()));
    PartitionSource.Batch batch = probe.receiveMessage();
    assertEquals(new PartitionSource.Batch(NODE, EMPTY, List.of(), List.of(), true, null), batch);
  }

  @Test
  void copyAfterTheLastKeyIsDone() {
    String last = new TreeSet<>(expected.keySet()).last();
    TestProbe<PartitionSource.Batch> probe = testKit.createTestProbe();
    source.tell(new PartitionSource.CopyBatch(FULL, last, 128, 4096, probe.ref()));
    PartitionSource.Batch batch = probe.receiveMessage();
    assertTrue(batch.done(), "nothing after " + last);
    assertEquals(List.of(), batch.keys());
  }

  @Test
  void describeTellsHostingAndReleased_andTheServerReadsThisNodesCopy() {
    TestProbe<PartitionSource.Description> probe = testKit.createTestProbe();

    source.tell(new PartitionSource.Describe(FULL, probe.ref()));
    PartitionSource.Description never = probe.receiveMessage();
    assertEquals(NODE, never.node());
    assertEquals(FULL, never.partition());
    assertFalse(never.hosting(), "no entity of it runs here");
    assertNull(never.releasedMillisAgo(), "never released since start");
    assertEquals(-1, never.keys(), "not counted unless released");
    assertNotNull(never.server());

    ReplicaId id = new ReplicaId(FULL, 2);
    LocalReplicasTesting.register(locals, id);
    source.tell(new PartitionSource.Describe(FULL, probe.ref()));
    PartitionSource.Description hosting = probe.receiveMessage();
    assertTrue(hosting.hosting());
    assertNull(hosting.releasedMillisAgo());
    assertEquals(never.server(), hosting.server(), "one server per partition");

    LocalReplicasTesting.deregister(locals, id);
    wallClock.addAndGet(90_000);
    source.tell(new PartitionSource.Describe(FULL, probe.ref()));
    PartitionSource.Description released = probe.receiveMessage();
    assertFalse(released.hosting());
    assertEquals(
        90_000L,
        released.releasedMillisAgo(),
        "released 90 s ago on this node's clock: an age, never this node's time");
    assertEquals(
        Map.of(id.id(), 90_000L),
        released.releasedReplicasMillisAgo(),
        "the replica that ran here, with its age");
    assertEquals(KEYS, released.keys(), "a released partition's keys are counted");

    String key = expected.keySet().iterator().next();
    TestProbe<ReplicaEntity.ReadReply> read = testKit.createTestProbe();
    released.server().tell(new ReplicaEntity.Read(key, read.ref()));
    ReplicaEntity.ReadReply reply = read.receiveMessage();
    assertTrue(reply.ok(), () -> "read through the server: " + reply.error());
    assertArrayEquals(expected.get(key), reply.object(), "the server reads this node's copy");
    assertFalse(reply.syncing(), "the server never syncs");
    assertEquals(Set.of(), locals.hostedPartitions(), "the server is not a local replica");

    LocalReplicasTesting.register(locals, id);
    source.tell(new PartitionSource.Describe(FULL, probe.ref()));
    assertNull(probe.receiveMessage().releasedMillisAgo(), "hosting again: no longer released");
    LocalReplicasTesting.deregister(locals, id);
  }

  @Test
  void getTransfersReportsTheTracker_andDrainingIsRecorded() {
    tracker.begin(new ReplicaId(11, 1), 1_000);
    tracker.copying(new ReplicaId(11, 1), "127.0.0.1:2", 50, 1_100);
    TestProbe<PartitionSource.Transfers> probe = testKit.createTestProbe();
    source.tell(new PartitionSource.GetTransfers(probe.ref()));
    PartitionSource.Transfers transfers = probe.receiveMessage();
    assertEquals(NODE, transfers.node());
    assertEquals(tracker.all(), transfers.transfers());

    source.tell(new PartitionSource.Draining("127.0.0.1:3"));
    probe.awaitAssert(
        () -> {
          assertEquals(Set.of("127.0.0.1:3"), draining.draining());
          return null;
        });
  }
}
