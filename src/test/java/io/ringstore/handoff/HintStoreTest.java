package io.ringstore.handoff;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.handoff.HintStore.HintAdded;
import io.ringstore.handoff.HintStore.HintDelivered;
import io.ringstore.handoff.HintStore.HintExpired;
import io.ringstore.handoff.HintStore.HintStats;
import io.ringstore.handoff.HintStore.HintStoreReply;
import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.PeerQueue;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.replica.ReplicaSharding;
import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import io.ringstore.storage.ObjectParts;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A hint store on the persistence testkit (events, snapshots and state serialized with the node's
 * bindings), its values in a real H2 database, manual time and a probe as target replica:
 * persisting before the ack, merging per key, the per-target cap, recovery, delivery with acks,
 * refusals, timeouts and newer hints, throttling and the hint window; an index in memory, not the
 * values; values no event names deleted, and a queued hint whose value is gone dropped and counted.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HintStoreTest {

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withCustomConfig(EventSourcedBehaviorTestKit.config().withFallback(ManualTime.config()))
          .build();

  private static final HintSettings SETTINGS =
      HintSettings.DEFAULTS
          .withHintWindow(Duration.ofMinutes(10))
          .withRetryInterval(Duration.ofSeconds(5))
          .withDeliveryTimeout(Duration.ofSeconds(2))
          .withMaxInFlight(16);
  private static final long T0 = 1_700_000_000_000L;

  private static final AtomicLong DATABASES = new AtomicLong();

  /** A ring before any member joined: it places no replica on any node. */
  private static final Ring NO_MEMBERS = Ring.of(new RingConfig(256, 8, 3), List.of());

  private HintValues hintValues;
  private ManualTime manualTime;
  private final AtomicLong clock = new AtomicLong(T0);
  private int targetCounter;
  private ReplicaId target;
  private TestProbe<ReplicaEntity.Command> replica;
  private ReplicaDirectory directory;

  @BeforeAll
  void openValues() throws Exception {
    hintValues =
        HintValues.create(
            "jdbc:h2:mem:hint-store-test-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1",
            "sa",
            "",
            testKit
                .system()
                .dispatchers()
                .lookup(DispatcherSelector.fromConfig(HintManager.STORAGE_DISPATCHER)),
            2);
    hintValues.createTable().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  void closeValues() {
    hintValues.close();
  }

  @BeforeEach
  void setUp() {
    manualTime = ManualTime.get(testKit.system());
    clock.set(T0);
    target = new ReplicaId(7, targetCounter++);
    // a local copy: stores left over from earlier tests must not reach this test's probe
    TestProbe<ReplicaEntity.Command> probe = testKit.createTestProbe();
    replica = probe;
    directory =
        new ReplicaDirectory(
            id -> TestEntityRef.of(ReplicaSharding.TYPE_KEY, id.id(), probe.ref()),
            // no members: the target's node is not known (deliveries not counted by a PeerQueue)
            () -> NO_MEMBERS,
            new LocalReplicas());
  }

  private EventSourcedBehaviorTestKit<HintStore.Command, HintStore.Event, HintStore.State> store(
      HintSettings settings) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(), HintStore.create(target, directory, settings, hintValues, clock::get));
  }

  private EventSourcedBehaviorTestKit<HintStore.Command, HintStore.Event, HintStore.State> store(
      HintSettings settings, HintBudget budget) {
    return store(settings, budget, HintBudget.of(settings.maxDeliveryBytes()));
  }

  private EventSourcedBehaviorTestKit<HintStore.Command, HintStore.Event, HintStore.State> store(
      HintSettings settings, HintBudget budget, HintBudget pending) {
    return store(
        settings, budget, HintBudget.of(settings.maxDeliveryBytes()), pending, PeerQueue.UNBOUNDED);
  }

  private EventSourcedBehaviorTestKit<HintStore.Command, HintStore.Event, HintStore.State> store(
      HintSettings settings,
      HintBudget budget,
      HintBudget deliveryBudget,
      HintBudget pending,
      PeerQueue queue) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        HintStore.create(
            target,
            directory,
            settings,
            hintValues,
            clock::get,
            budget,
            deliveryBudget,
            pending,
            queue));
  }

  private HintValues.ValueId valueId(HintQueue.Hint hint) {
    return new HintValues.ValueId(
        HintStore.persistenceId(target).id(), hint.key(), hint.digest(), hint.ref());
  }

  /** The queued object of {@code key}, read from disk. */
  private byte[] value(HintStore.State state, String key) throws Exception {
    return hintValues
        .get(valueId(state.queue().get(key).orElseThrow()))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .orElseThrow();
  }

  private List<HintValues.ValueId> storedValues() throws Exception {
    return hintValues
        .list(HintStore.persistenceId(target).id())
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private static byte[] object(String value, String actor) {
    return StoredObjectCodec.encode(
        DvvSet.<Sibling>empty()
            .update(DvvSet.of(Sibling.value(value.getBytes(UTF_8), "text/plain")), actor));
  }

  private static List<String> values(byte[] object) {
    return StoredObjectCodec.decode(object).values().stream()
        .map(s -> new String(s.data(), UTF_8))
        .sorted()
        .toList();
  }

  /** Stores a hint while this node's clock reads {@code now}: the hint is as old as that. */
  private CommandResultWithReply<
          HintStore.Command, HintStore.Event, HintStore.State, HintStoreReply>
      storeHint(
          EventSourcedBehaviorTestKit<HintStore.Command, HintStore.Event, HintStore.State> kit,
          String key,
          byte[] object,
          long now) {
    clock.set(now);
    return kit.runCommand(replyTo -> new HintStore.StoreHint(key, object, replyTo));
  }

  private static HintStats stats(
      EventSourcedBehaviorTestKit<HintStore.Command, HintStore.Event, HintStore.State> kit) {
    return kit.<HintStats>runCommand(HintStore.GetStats::new).reply();
  }

  private ReplicaEntity.Replicate expectReplicate(String key) {
    ReplicaEntity.Replicate replicate = replica.expectMessageClass(ReplicaEntity.Replicate.class);
    assertEquals(key, replicate.key(), "the hinted key is replicated");
    return replicate;
  }

  private void ack(ReplicaEntity.Replicate replicate, boolean ok) {
    replicate.replyTo().tell(new ReplicaEntity.Replicated(target.id(), "127.0.0.1:2", ok));
  }

  @Test
  void storeHintIsPersistedBeforeItIsAccepted() throws Exception {
    var kit = store(SETTINGS);
    byte[] object = object("v1", "a");
    var result = storeHint(kit, "k1", object, T0);
    assertEquals(new HintStoreReply(target, "k1", true, null), result.reply());
    HintAdded added = assertInstanceOf(HintAdded.class, result.event(), "the hint is one event");
    assertEquals(
        new HintAdded(HintQueue.Hint.of("k1", object, T0, added.ref())),
        added,
        "its index entry: digest, size, age and which stored copy holds the object");
    assertEquals(1, result.state().queue().size());
    assertArrayEquals(object, value(result.state(), "k1"), "the value was stored before the ack");
    assertEquals(new HintStats(target, 1, T0, 0, 0, 0, object.length, 0, 0, 0), stats(kit));
  }

  @Test
  void aSecondHintForAKeyIsMergedIntoOneObjectWithBothSiblings() throws Exception {
    var kit = store(SETTINGS);
    storeHint(kit, "k1", object("from-a", "a"), T0);
    var second = storeHint(kit, "k1", object("from-b", "b"), T0 + 5);
    assertTrue(second.reply().accepted());
    assertEquals(1, second.state().queue().size(), "one hint per key");
    HintQueue.Hint merged = second.state().queue().get("k1").orElseThrow();
    assertEquals(
        List.of("from-a", "from-b"),
        values(value(second.state(), "k1")),
        "concurrent writes are siblings");
    assertEquals(T0 + 5, merged.createdAtMillis(), "the merged hint is as new as its newest part");
    assertEquals(List.of(valueId(merged)), storedValues(), "the replaced value is deleted");
  }

  @Test
  void aFullQueueRefusesNewKeysAndPersistsNothing() {
    var kit = store(SETTINGS.withMaxHintsPerTarget(2));
    storeHint(kit, "k1", object("1", "a"), T0);
    storeHint(kit, "k2", object("2", "a"), T0);
    var refused = storeHint(kit, "k3", object("3", "a"), T0);
    assertFalse(refused.reply().accepted(), "the cap is reached");
    assertNotNull(refused.reply().reason());
    assertTrue(refused.hasNoEvents(), "a refused hint is not persisted");
    var merged = storeHint(kit, "k1", object("1b", "b"), T0);
    assertTrue(merged.reply().accepted(), "a key already queued is merged, not counted again");
    assertEquals(
        new HintStats(target, 2, T0, 0, 1, 0, merged.state().queue().bytes(), 0, 0, 0), stats(kit));
  }

  @Test
  void anInvalidObjectIsRefused() {
    var kit = store(SETTINGS);
    var refused = storeHint(kit, "k1", new byte[] {1, 2, 3}, T0);
    assertFalse(refused.reply().accepted());
    assertTrue(
        refused.hasNoEvents(), "garbage never reaches the journal (it would break recovery)");
  }

  @Test
  void aRestartRecoversTheQueueFromSnapshotAndEvents() throws Exception {
    var kit = store(SETTINGS);
    for (int i = 0; i < 150; i++) {
      storeHint(kit, String.format("k%03d", i), object("v" + i, "a"), T0 + i);
    }
    storeHint(kit, "k000", object("w", "b"), T0 + 200);
    HintStore.State before = kit.getState();
    var restarted = kit.restart();
    assertEquals(before, restarted.state(), "recovered from the snapshot at 100 plus 51 events");
    assertEquals(150, restarted.state().queue().size());
    assertEquals(List.of("v0", "w"), values(value(restarted.state(), "k000")));
  }

  @Test
  void anAckedHintIsDeliveredAndRemoved() {
    var kit = store(SETTINGS);
    byte[] object = object("v1", "a");
    storeHint(kit, "k1", object, T0);
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    ReplicaEntity.Replicate replicate = expectReplicate("k1");
    assertArrayEquals(object, replicate.object(), "the target gets the hinted object");
    ack(replicate, true);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(
                  new HintStats(target, 0, -1, 1, 0, 0, 0, 0, 0, object.length), stats(kit));
              return null;
            });
    manualTime.timePasses(SETTINGS.retryInterval().multipliedBy(2));
    replica.expectNoMessage(Duration.ofMillis(100));
    var restarted = kit.restart();
    assertTrue(restarted.state().queue().isEmpty(), "HintDelivered was persisted");
  }

  @Test
  void aRefusedDeliveryKeepsTheHintForTheNextRound() {
    var kit = store(SETTINGS);
    storeHint(kit, "k1", object("v1", "a"), T0);
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    ack(expectReplicate("k1"), false);
    replica.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, stats(kit).queued(), "not acked: kept");
    manualTime.timePasses(SETTINGS.retryInterval());
    ack(expectReplicate("k1"), true);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(1, stats(kit).delivered());
              return null;
            });
  }

  @Test
  void anUnansweredDeliveryTimesOutAndIsRetried() {
    var kit = store(SETTINGS);
    storeHint(kit, "k1", object("v1", "a"), T0);
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    expectReplicate("k1");
    manualTime.timePasses(SETTINGS.deliveryTimeout());
    manualTime.timePasses(SETTINGS.retryInterval().minus(SETTINGS.deliveryTimeout()));
    ack(expectReplicate("k1"), true);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(0, stats(kit).queued());
              return null;
            });
  }

  /** Part bytes under which {@link #largeObject()} goes in three parts. */
  private static final long MAX_PART = 9000;

  /** An object of five actors' entries of 4 KiB each: larger than {@link #MAX_PART}. */
  private static byte[] largeObject() {
    List<DvvSet.Entry<Sibling>> entries = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      byte[] data = new byte[4096];
      Arrays.fill(data, (byte) i);
      entries.add(new DvvSet.Entry<>("actor" + i, i, List.of(Sibling.value(data, "a/b"))));
    }
    return StoredObjectCodec.encode(DvvSet.fromParts(entries, List.of()));
  }

  /** The Replicate asks of one delivery of {@code key}: {@code n} parts, each within MAX_PART. */
  private List<ReplicaEntity.Replicate> expectParts(String key, byte[] whole, int n) {
    List<ReplicaEntity.Replicate> parts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ReplicaEntity.Replicate part = expectReplicate(key);
      assertTrue(
          part.object().length <= MAX_PART,
          "part " + i + " of " + part.object().length + " bytes over " + MAX_PART);
      parts.add(part);
    }
    replica.expectNoMessage(Duration.ofMillis(100));
    assertEquals(
        StoredObjectCodec.decode(whole),
        StoredObjectCodec.decode(
            ObjectParts.join(parts.stream().map(ReplicaEntity.Replicate::object).toList())),
        "the parts join into the hinted object");
    return parts;
  }

  @Test
  void aHintLargerThanAPartIsDeliveredInPartsAndDeliveredOnlyWhenEveryPartIsAcked() {
    var kit = store(SETTINGS.withMaxPartBytes(MAX_PART));
    byte[] object = largeObject();
    assertTrue(object.length > 2 * MAX_PART, "three parts: " + object.length);
    storeHint(kit, "k1", object, T0);
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    List<ReplicaEntity.Replicate> parts = expectParts("k1", object, 3);

    ack(parts.get(0), true);
    ack(parts.get(1), true);
    replica.expectNoMessage(Duration.ofMillis(200));
    HintStats partly = stats(kit);
    assertEquals(1, partly.queued(), "two parts of three acked: still queued");
    assertEquals(0, partly.delivered(), "two parts of three acked: not delivered");

    ack(parts.get(2), true);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(
                  new HintStats(target, 0, -1, 1, 0, 0, 0, 0, 0, object.length),
                  stats(kit),
                  "delivered once, with the whole object's bytes, when the last part is acked");
              return null;
            });
    manualTime.timePasses(SETTINGS.retryInterval().multipliedBy(2));
    replica.expectNoMessage(Duration.ofMillis(100));
    assertTrue(kit.restart().state().queue().isEmpty(), "HintDelivered was persisted");
  }

  @Test
  void aPartAckedNotOkKeepsTheHintQueuedAndTheNextRoundSendsEveryPartAgain() {
    var kit = store(SETTINGS.withMaxPartBytes(MAX_PART));
    byte[] object = largeObject();
    storeHint(kit, "k1", object, T0);
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    List<ReplicaEntity.Replicate> first = expectParts("k1", object, 3);

    ack(first.get(1), false);
    replica.expectNoMessage(Duration.ofMillis(100));
    ack(first.get(0), true);
    ack(first.get(2), true);
    replica.expectNoMessage(Duration.ofMillis(200));
    HintStats refused = stats(kit);
    assertEquals(1, refused.queued(), "a part refused: the hint stays");
    assertEquals(0, refused.delivered(), "the other parts' acks do not make it delivered");

    manualTime.timePasses(SETTINGS.retryInterval());
    List<ReplicaEntity.Replicate> again = expectParts("k1", object, 3);
    ack(again.get(0), true);
    ack(again.get(1), true);
    ack(again.get(2), true);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(
                  new HintStats(target, 0, -1, 1, 0, 0, 0, 0, 0, object.length),
                  stats(kit),
                  "delivered by the retry, once");
              return null;
            });
  }

  @Test
  void aHintMergedDuringDeliveryStaysUntilTheMergedObjectIsAcked() {
    var kit = store(SETTINGS);
    storeHint(kit, "k1", object("from-a", "a"), T0);
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    ReplicaEntity.Replicate first = expectReplicate("k1");
    storeHint(kit, "k1", object("from-b", "b"), T0 + 1);
    ack(first, true);
    ReplicaEntity.Replicate second = expectReplicate("k1");
    assertEquals(List.of("from-a", "from-b"), values(second.object()), "the merged object follows");
    assertEquals(1, stats(kit).queued(), "the older ack did not remove the newer hint");
    assertEquals(0, stats(kit).delivered());
    ack(second, true);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(
                  new HintStats(target, 0, -1, 1, 0, 0, 0, 0, 0, second.object().length),
                  stats(kit),
                  "the merged object's bytes count as delivered, the first's do not");
              return null;
            });
  }

  @Test
  void deliveryKeepsAtMostMaxInFlightHintsAwaitingAnAck() {
    var kit = store(SETTINGS.withMaxInFlight(2));
    for (int i = 0; i < 5; i++) {
      storeHint(kit, "k" + i, object("v" + i, "a"), T0);
    }
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    ReplicaEntity.Replicate a = replica.expectMessageClass(ReplicaEntity.Replicate.class);
    ReplicaEntity.Replicate b = replica.expectMessageClass(ReplicaEntity.Replicate.class);
    replica.expectNoMessage(Duration.ofMillis(100));
    Set<String> sent = new HashSet<>(Set.of(a.key(), b.key()));
    ack(a, true);
    ReplicaEntity.Replicate c = replica.expectMessageClass(ReplicaEntity.Replicate.class);
    replica.expectNoMessage(Duration.ofMillis(100));
    assertTrue(sent.add(c.key()), "an ack frees a slot for another key");
    ack(b, true);
    ack(c, true);
    long bytes = a.object().length + b.object().length + c.object().length;
    for (int i = 0; i < 2; i++) {
      ReplicaEntity.Replicate next = replica.expectMessageClass(ReplicaEntity.Replicate.class);
      assertTrue(sent.add(next.key()), "every key once");
      bytes += next.object().length;
      ack(next, true);
    }
    long delivered = bytes;
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(new HintStats(target, 0, -1, 5, 0, 0, 0, 0, 0, delivered), stats(kit));
              return null;
            });
  }

  @Test
  void hintsOlderThanTheWindowAreDroppedAtTheNextRound() {
    var kit = store(SETTINGS.withHintWindow(Duration.ofMinutes(1)));
    storeHint(kit, "old", object("v1", "a"), T0);
    storeHint(kit, "new", object("v2", "a"), T0 + 50_000);
    clock.set(T0 + 61_000);
    var round = kit.runCommand(HintStore.TargetReachable.INSTANCE);
    assertEquals(List.of(new HintExpired("old")), round.events());
    assertEquals("new", expectReplicate("new").key(), "only the hint inside the window is sent");
    replica.expectNoMessage(Duration.ofMillis(100));
    HintStats stats = stats(kit);
    assertEquals(1, stats.queued());
    assertEquals(1, stats.expired());
  }

  @Test
  void deliveredEventsOnlyRemoveTheObjectTheyName() {
    HintStore.State state =
        HintStore.State.EMPTY.hintAdded(
            new HintAdded(HintQueue.Hint.of("k", object("x", "a"), T0, 1)));
    assertInstanceOf(HintStore.State.class, state);
    assertEquals(
        state,
        state.hintDelivered(new HintDelivered("k", "not-the-digest")),
        "a stale digest leaves the hint");
    String digest = state.queue().get("k").orElseThrow().digest();
    HintStore.State after = state.hintDelivered(new HintDelivered("k", digest));
    assertTrue(after.queue().isEmpty());
    assertEquals(1, after.delivered());
  }

  private static String fill(int bytes) {
    return "x".repeat(bytes);
  }

  @Test
  void hintsPastTheTargetsByteBudgetAreRefusedCountedAndNotPersisted() {
    byte[] first = object(fill(600), "a");
    var kit = store(SETTINGS.withMaxHintBytes(1 << 20, first.length + 700L));
    assertTrue(storeHint(kit, "k1", first, T0).reply().accepted(), "fits the target's budget");
    var refused = storeHint(kit, "k2", object(fill(800), "a"), T0);
    assertFalse(refused.reply().accepted(), "would pass the target's budget");
    assertTrue(refused.reply().reason().contains("byte budget"), refused.reply().reason());
    assertTrue(refused.hasNoEvents(), "a refused hint is not persisted");
    assertTrue(
        storeHint(kit, "k3", object(fill(100), "a"), T0).reply().accepted(),
        "a smaller hint still fits");
    HintStats stats = stats(kit);
    assertEquals(2, stats.queued());
    assertEquals(1, stats.refusedBudget(), "the refusal is counted");
    assertEquals(kit.getState().queue().bytes(), stats.bytes());
  }

  @Test
  void theNodesBudgetIsSharedByItsStoresAndFreedByDelivery() {
    byte[] big = object(fill(1000), "a");
    HintBudget budget = HintBudget.of(big.length * 2L + 10);
    var kit = store(SETTINGS, budget);
    assertTrue(storeHint(kit, "k1", big, T0).reply().accepted());
    assertEquals(big.length, budget.usedBytes(), "a persisted hint holds its bytes");
    // another target's store on the same node takes the rest of the budget
    target = new ReplicaId(7, targetCounter++);
    var other = store(SETTINGS, budget);
    assertTrue(storeHint(other, "o1", big, T0).reply().accepted());
    var refused = storeHint(other, "o2", big, T0);
    assertFalse(refused.reply().accepted(), "the node's budget is spent");
    assertTrue(refused.hasNoEvents());
    assertEquals(1, budget.refusals());
    assertEquals(big.length * 2L, budget.usedBytes(), "a refusal reserves nothing");

    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    ack(expectReplicate("k1"), true);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(big.length, budget.usedBytes(), "a delivered hint gives its bytes back");
              return null;
            });
    assertTrue(storeHint(other, "o2", big, T0).reply().accepted(), "and a new hint fits again");
  }

  @Test
  void bytesReservedByTheManagerAreKeptWhenPersistedAndGivenBackWhenRefused() {
    byte[] object = object(fill(100), "a");
    HintBudget budget = HintBudget.of(1 << 20);
    HintBudget pending = HintBudget.of(1 << 20);
    var kit = store(SETTINGS.withMaxHintsPerTarget(1), budget, pending);
    assertTrue(budget.tryAcquire(object.length));
    assertTrue(pending.tryAcquire(object.length));
    assertTrue(
        kit.<HintStoreReply>runCommand(
                replyTo -> new HintStore.StoreHint("k1", object, object.length, replyTo))
            .reply()
            .accepted());
    assertEquals(object.length, budget.usedBytes(), "the reservation became the queued hint");
    assertEquals(0, pending.usedBytes(), "a hint on disk no longer holds memory");
    assertTrue(budget.tryAcquire(object.length));
    assertTrue(pending.tryAcquire(object.length));
    assertFalse(
        kit.<HintStoreReply>runCommand(
                replyTo -> new HintStore.StoreHint("k2", object, object.length, replyTo))
            .reply()
            .accepted(),
        "the queue is full");
    assertEquals(object.length, budget.usedBytes(), "the refused hint's reservation is given back");
    assertEquals(0, pending.usedBytes(), "and so is its memory");
  }

  @Test
  void aRestartAccountsTheRecoveredHintsInTheBudget() {
    byte[] object = object(fill(100), "a");
    HintBudget budget = HintBudget.of(1 << 20);
    var kit = store(SETTINGS, budget);
    storeHint(kit, "k1", object, T0);
    storeHint(kit, "k2", object, T0);
    long queued = kit.getState().queue().bytes();
    assertEquals(queued, budget.usedBytes());
    kit.restart();
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(
                  queued,
                  budget.usedBytes(),
                  "after a restart the budget holds the recovered hints once");
              return null;
            });
  }

  private HintStore.State stateWithOneValueOf(int valueBytes) {
    target = new ReplicaId(7, targetCounter++);
    var kit = store(SETTINGS);
    assertTrue(storeHint(kit, "k", object(fill(valueBytes), "a"), T0).reply().accepted());
    return kit.getState();
  }

  @Test
  void theStateAndItsSnapshotsHoldAnIndexNotTheValues() {
    Serialization serialization = SerializationExtension.get(testKit.system());
    int small = serialization.serialize(stateWithOneValueOf(10)).get().length;
    HintStore.State bigState = stateWithOneValueOf(512 * 1024);
    int big = serialization.serialize(bigState).get().length;
    assertTrue(bigState.queue().bytes() > 512 * 1024, "the queued object is large");
    assertTrue(
        big - small < 16,
        "a value 50,000 times larger adds nothing but its size's digits to"
            + " the serialized state (small "
            + small
            + " bytes, big "
            + big
            + " bytes)");
    assertTrue(big < 300, "an index entry, not the value: " + big + " bytes");
  }

  @Test
  void aRestartedStoreDeliversTheExactBytesItAcceptedMergedAndLarge() throws Exception {
    var kit = store(SETTINGS);
    byte[] a = object("from-a", "a");
    byte[] b = object("from-b", "b");
    byte[] large = object(fill(300_000), "c");
    storeHint(kit, "k1", a, T0);
    storeHint(kit, "k1", b, T0 + 1);
    storeHint(kit, "k2", large, T0 + 2);
    kit.restart();
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    // the values are read back concurrently, so the two deliveries may come in either order
    Map<String, ReplicaEntity.Replicate> sent = new HashMap<>();
    for (int i = 0; i < 2; i++) {
      ReplicaEntity.Replicate replicate = replica.expectMessageClass(ReplicaEntity.Replicate.class);
      sent.put(replicate.key(), replicate);
    }
    assertEquals(Set.of("k1", "k2"), sent.keySet(), "both hinted keys are replicated");
    ReplicaEntity.Replicate first = sent.get("k1");
    ReplicaEntity.Replicate second = sent.get("k2");
    assertArrayEquals(HintQueue.merge(a, b), first.object(), "the merged object, byte for byte");
    assertArrayEquals(large, second.object(), "the large object, byte for byte");
    ack(first, true);
    ack(second, true);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(2, stats(kit).delivered());
              assertEquals(List.of(), storedValues(), "delivered values are deleted from disk");
              return null;
            });
  }

  @Test
  void valuesNoEventNamesAreDeletedWhenTheStoreRecovers() throws Exception {
    var kit = store(SETTINGS);
    storeHint(kit, "k1", object("v1", "a"), T0);
    byte[] orphan = object("never-journaled", "a");
    HintValues.ValueId orphanId = valueId(HintQueue.Hint.of("k2", orphan, T0, 1));
    // a crash after the value was stored and before its event: nothing names it
    hintValues.put(orphanId, orphan).toCompletableFuture().get(10, TimeUnit.SECONDS);
    kit.restart();
    assertEquals(1, stats(kit).queued(), "commands wait for the check");
    assertEquals(
        List.of(valueId(kit.getState().queue().get("k1").orElseThrow())),
        storedValues(),
        "the orphan is gone, the queued value kept");
  }

  @Test
  void aQueuedHintWhoseValueIsGoneAtRecoveryIsDroppedAndCounted() throws Exception {
    var kit = store(SETTINGS);
    storeHint(kit, "k1", object("v1", "a"), T0);
    storeHint(kit, "k2", object("v2", "a"), T0);
    HintQueue.Hint k1 = kit.getState().queue().get("k1").orElseThrow();
    hintValues.delete(List.of(valueId(k1))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    kit.restart();
    HintStats stats = stats(kit);
    assertEquals(1, stats.queued(), "the hint without a value is dropped");
    assertEquals(1, stats.lost(), "and counted");
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    expectReplicate("k2");
    replica.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, kit.restart().state().lost(), "the loss is persisted (HintLost)");
  }

  @Test
  void aValueMissingOrDamagedAtDeliveryIsNotSentButDroppedAndCounted() throws Exception {
    var kit = store(SETTINGS);
    storeHint(kit, "gone", object("v1", "a"), T0);
    storeHint(kit, "damaged", object("v2", "a"), T0);
    HintQueue.Hint gone = kit.getState().queue().get("gone").orElseThrow();
    HintQueue.Hint damaged = kit.getState().queue().get("damaged").orElseThrow();
    hintValues
        .delete(List.of(valueId(gone), valueId(damaged)))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    hintValues
        .put(valueId(damaged), object("not-what-was-hinted", "z"))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              HintStats stats = stats(kit);
              assertEquals(0, stats.queued());
              assertEquals(2, stats.lost(), "both dropped and counted");
              return null;
            });
    replica.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void deliveryReadsNoMoreValuesThanTheDeliveryBudgetHolds() {
    byte[] value = object(fill(1000), "a");
    var kit = store(SETTINGS.withMaxDeliveryBytes(value.length + 10L));
    for (int i = 0; i < 3; i++) {
      storeHint(kit, "k" + i, object(fill(1000 - i), "a"), T0);
    }
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    ReplicaEntity.Replicate first = replica.expectMessageClass(ReplicaEntity.Replicate.class);
    replica.expectNoMessage(Duration.ofMillis(200));
    ack(first, true);
    ReplicaEntity.Replicate second = replica.expectMessageClass(ReplicaEntity.Replicate.class);
    replica.expectNoMessage(Duration.ofMillis(200));
    ack(second, true);
    ack(replica.expectMessageClass(ReplicaEntity.Replicate.class), true);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(3, stats(kit).delivered());
              return null;
            });
  }

  @Test
  void aValueLargerThanTheWholeDeliveryBudgetIsStillDeliveredAlone() {
    var kit = store(SETTINGS.withMaxDeliveryBytes(10));
    storeHint(kit, "k1", object(fill(1000), "a"), T0);
    storeHint(kit, "k2", object(fill(1000), "a"), T0);
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    ReplicaEntity.Replicate first = replica.expectMessageClass(ReplicaEntity.Replicate.class);
    replica.expectNoMessage(Duration.ofMillis(200));
    ack(first, true);
    ack(replica.expectMessageClass(ReplicaEntity.Replicate.class), true);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(2, stats(kit).delivered());
              return null;
            });
  }

  @Test
  void hintsJournaledWithTheirObjectsBeforeAreRecoveredAsIndexAndDroppedLoudly() throws Exception {
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.empty());
    Serialization serialization = SerializationExtension.get(testKit.system());
    int serializer = serialization.findSerializerFor(HintStore.State.EMPTY).identifier();
    byte[] object = object("v1", "a");
    // the event and the snapshot as the earlier format wrote them: the object inside
    HintAdded event =
        (HintAdded)
            serialization
                .deserialize(
                    cbor.writeValueAsBytes(
                        Map.of("key", "k1", "object", object, "createdAtMillis", T0)),
                    serializer,
                    HintAdded.class.getName())
                .get();
    assertEquals(new HintAdded(HintQueue.Hint.of("k1", object, T0, 0)), event);
    HintStore.State snapshot =
        (HintStore.State)
            serialization
                .deserialize(
                    cbor.writeValueAsBytes(
                        Map.of(
                            "queue",
                            List.of(Map.of("key", "k2", "object", object, "createdAtMillis", T0)),
                            "delivered",
                            3,
                            "expired",
                            1)),
                    serializer,
                    HintStore.State.class.getName())
                .get();
    assertEquals(HintQueue.Hint.of("k2", object, T0, 0), snapshot.queue().get("k2").orElseThrow());

    var kit = store(SETTINGS);
    kit.initialize(snapshot, event);
    HintStats stats = stats(kit);
    assertEquals(0, stats.queued(), "their objects are not on disk: dropped, not stuck");
    assertEquals(2, stats.lost(), "and counted (logged at ERROR)");
    assertEquals(3, stats.delivered(), "the counts are kept");
  }

  @Test
  void theSameObjectHintedAgainAsItsDeliveredCopyIsDeletedKeepsItsOwnCopy() throws Exception {
    var kit = store(SETTINGS);
    byte[] object = object("v1", "a");
    storeHint(kit, "k1", object, T0);
    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    ack(expectReplicate("k1"), true);
    // the delivered copy's deletion and the new copy's write race on the storage dispatcher (or,
    // when the ack is handled after the new hint, the ack of the same bytes covers it)
    assertTrue(storeHint(kit, "k1", object, T0 + 1).reply().accepted());
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(1, stats(kit).delivered());
              return null;
            });
    var queued = kit.getState().queue().get("k1");
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(
                  queued.map(this::valueId).stream().toList(),
                  storedValues(),
                  "exactly the queued copy is on disk, under its own ref");
              return null;
            });
    if (queued.isPresent()) {
      manualTime.timePasses(SETTINGS.retryInterval());
      assertArrayEquals(object, expectReplicate("k1").object(), "delivered again, intact");
    }
    assertEquals(0, stats(kit).lost());
  }

  // the bound on bytes queued to each peer node (PeerQueue) counts hint deliveries

  /** The node the ring of {@link #targetOnAnotherNode} places the target on. */
  private static final String TARGET_NODE = "127.0.0.1:9";

  /**
   * Makes this test's target a replica on another node, {@link #TARGET_NODE}: a ring of that one
   * member places index 0 of every partition there (the setUp's directory knows no ring). A
   * partition of its own per test: the persistence id and values are this test's alone.
   */
  private void targetOnAnotherNode() {
    target = new ReplicaId(100 + targetCounter++, 0);
    TestProbe<ReplicaEntity.Command> probe = replica;
    Ring ring = Ring.of(new RingConfig(256, 8, 3), List.of(TARGET_NODE));
    directory =
        new ReplicaDirectory(
            id -> TestEntityRef.of(ReplicaSharding.TYPE_KEY, id.id(), probe.ref()),
            () -> ring,
            new LocalReplicas());
    assertEquals(Optional.of(TARGET_NODE), directory.remoteNodeOf(target), "the target's node");
  }

  /**
   * A peer queue that accepts as many parts as {@link #allowed} says (then refuses), recording the
   * node of every ask and the bytes of every part it accepted.
   */
  private static final class CountingQueue implements PeerQueue {
    final AtomicInteger allowed = new AtomicInteger();
    final List<String> askedNodes = Collections.synchronizedList(new ArrayList<>());
    final List<Long> acceptedBytes = Collections.synchronizedList(new ArrayList<>());

    @Override
    public boolean tryAcquire(String node, long bytes) {
      askedNodes.add(node);
      if (allowed.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
        acceptedBytes.add(bytes);
        return true;
      }
      return false;
    }

    int asks() {
      synchronized (askedNodes) {
        return askedNodes.size();
      }
    }

    Set<String> nodes() {
      synchronized (askedNodes) {
        return Set.copyOf(askedNodes);
      }
    }

    long accepted() {
      synchronized (acceptedBytes) {
        return acceptedBytes.stream().mapToLong(Long::longValue).sum();
      }
    }
  }

  private EventSourcedBehaviorTestKit<HintStore.Command, HintStore.Event, HintStore.State> store(
      HintSettings settings, HintBudget deliveryBudget, PeerQueue queue) {
    return store(
        settings,
        HintBudget.of(settings.maxHintBytes()),
        deliveryBudget,
        HintBudget.of(settings.maxDeliveryBytes()),
        queue);
  }

  private void awaitAsks(CountingQueue queue, int asks) {
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(asks, queue.asks(), "asks of the peer queue");
              return null;
            });
  }

  @Test
  void aDeliveryTheTargetsNodeQueueRefuses_isNotSent_theHintStays_andALaterRoundDeliversIt() {
    targetOnAnotherNode();
    CountingQueue queue = new CountingQueue();
    HintBudget deliveryBudget = HintBudget.of(SETTINGS.maxDeliveryBytes());
    var kit = store(SETTINGS, deliveryBudget, queue);
    byte[] object = object("v1", "a");
    storeHint(kit, "k1", object, T0);

    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    awaitAsks(queue, 1);
    replica.expectNoMessage(Duration.ofMillis(200));
    assertEquals(Set.of(TARGET_NODE), queue.nodes(), "asked for the target's node");
    assertEquals(0, queue.accepted());
    HintStats refused = stats(kit);
    assertEquals(1, refused.queued(), "refused by the queue: still queued");
    assertEquals(0, refused.delivered());
    assertEquals(0, deliveryBudget.usedBytes(), "a delivery not sent holds no delivery budget");

    queue.allowed.set(Integer.MAX_VALUE);
    manualTime.timePasses(SETTINGS.retryInterval());
    ReplicaEntity.Replicate replicate = expectReplicate("k1");
    assertArrayEquals(object, replicate.object());
    assertEquals(object.length, queue.accepted(), "the delivery's bytes counted");
    assertEquals(Set.of(TARGET_NODE), queue.nodes());
    ack(replicate, true);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(
                  new HintStats(target, 0, -1, 1, 0, 0, 0, 0, 0, object.length), stats(kit));
              return null;
            });
  }

  @Test
  void aDeliveryInPartsCutShortByTheQueue_isNotDeliveredByItsAcks_andALaterRoundSendsEveryPart() {
    targetOnAnotherNode();
    HintSettings settings = SETTINGS.withMaxPartBytes(MAX_PART);
    CountingQueue queue = new CountingQueue();
    queue.allowed.set(1);
    HintBudget deliveryBudget = HintBudget.of(settings.maxDeliveryBytes());
    var kit = store(settings, deliveryBudget, queue);
    byte[] object = largeObject();
    List<byte[]> split = ObjectParts.split(object, MAX_PART);
    assertEquals(3, split.size(), "three parts");
    storeHint(kit, "k1", object, T0);

    kit.runCommand(HintStore.TargetReachable.INSTANCE);
    ReplicaEntity.Replicate first = expectReplicate("k1");
    replica.expectNoMessage(Duration.ofMillis(200));
    assertEquals(2, queue.asks(), "the first part accepted, the second refused, no third ask");
    assertArrayEquals(split.get(0), first.object(), "the first part only");
    assertEquals(split.get(0).length, queue.accepted());

    ack(first, true);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(0, deliveryBudget.usedBytes(), "the attempt is over");
              return null;
            });
    replica.expectNoMessage(Duration.ofMillis(100));
    HintStats cut = stats(kit);
    assertEquals(1, cut.queued(), "the parts sent were acked, but not every part was sent");
    assertEquals(0, cut.delivered(), "not delivered");
    assertEquals(0, cut.deliveredBytes());

    queue.allowed.set(Integer.MAX_VALUE);
    manualTime.timePasses(settings.retryInterval());
    List<ReplicaEntity.Replicate> again = expectParts("k1", object, 3);
    assertEquals(5, queue.asks(), "every part of the retry asked for");
    assertEquals(
        split.stream().mapToLong(part -> part.length).sum() + split.get(0).length,
        queue.accepted(),
        "and counted, part by part");
    assertEquals(Set.of(TARGET_NODE), queue.nodes());
    again.forEach(part -> ack(part, true));
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(
                  new HintStats(target, 0, -1, 1, 0, 0, 0, 0, 0, object.length),
                  stats(kit),
                  "delivered by the retry, once");
              return null;
            });
  }
}
