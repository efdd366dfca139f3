package io.ringstore.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The readiness probe ({@link WritabilityProbe}) against stand-in replica entities ("sharding" is a
 * map of actors here) that answer their status as the test says: the node is not writable while
 * fewer than W replicas of some partition answer, or while all that answer still sync; it becomes
 * writable once they do, stops asking then (a bounded number of asks), and starts over when the
 * ring changes before it passed.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WritabilityProbeTest {
  @JUnit5TestKit public final ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static final String A = "127.0.0.1:1";
  private static final String B = "127.0.0.1:2";
  private static final String C = "127.0.0.1:3";
  private static final String D = "127.0.0.1:4";
  private static final int PARTITIONS = 8;
  private static final Ring THREE = Ring.of(new RingConfig(PARTITIONS, 16, 3), List.of(A, B, C));
  private static final Duration MAX = Duration.ofSeconds(10);
  private static final WritabilityProbe.Settings FAST =
      new WritabilityProbe.Settings(
          2,
          3,
          Duration.ofMillis(300),
          Duration.ofMillis(20),
          Duration.ofMillis(20),
          Duration.ofMillis(100));

  /** Nodes whose entities do not answer (down, or their shard homes unknown). */
  private final Set<String> silent = ConcurrentHashMap.newKeySet();

  /** Nodes whose entities answer that they still sync. */
  private final Set<String> syncing = ConcurrentHashMap.newKeySet();

  private final AtomicInteger asks = new AtomicInteger();
  private final AtomicReference<Ring> ring = new AtomicReference<>(THREE);
  private final Map<ReplicaId, ActorRef<ReplicaEntity.Command>> entities =
      new ConcurrentHashMap<>();
  private final ReplicaDirectory directory =
      new ReplicaDirectory(
          id ->
              TestEntityRef.of(
                  ReplicaSharding.TYPE_KEY, id.id(), entities.computeIfAbsent(id, this::entity)),
          ring::get,
          new LocalReplicas());

  @BeforeEach
  void reset() {
    silent.clear();
    syncing.clear();
    asks.set(0);
    ring.set(THREE);
    entities.clear();
  }

  /** Entity {@code id}, on the member of its partition's replica set at its index. */
  private ActorRef<ReplicaEntity.Command> entity(ReplicaId id) {
    return testKit.spawn(
        Behaviors.receiveMessage(
            msg -> {
              if (msg instanceof ReplicaEntity.GetStatus get) {
                asks.incrementAndGet();
                String node = ring.get().replicas(id.partition()).get(id.index());
                if (!silent.contains(node)) {
                  get.replyTo()
                      .tell(new ReplicaEntity.Status(id.id(), node, syncing.contains(node)));
                }
              }
              return Behaviors.same();
            }));
  }

  /** A started probe and the progress it reports. */
  private record Started(
      ActorRef<WritabilityProbe.Command> probe, WritabilityProbe.Progress progress) {}

  private Started start(WritabilityProbe.Settings settings) {
    WritabilityProbe.Progress progress = new WritabilityProbe.Progress();
    return new Started(
        testKit.spawn(WritabilityProbe.create(directory, A, settings, progress)), progress);
  }

  private static void awaitWritable(TestProbe<?> watcher, WritabilityProbe.Progress progress) {
    watcher.awaitAssert(
        MAX,
        () -> {
          assertTrue(progress.writable(), "writable; waiting for " + progress.waitingFor());
          return null;
        });
  }

  /** Progress stays not writable for a while (the probe retries meanwhile). */
  private static void staysNotWritable(
      TestProbe<?> watcher, WritabilityProbe.Progress progress, String expectedWaitingFor) {
    watcher.expectNoMessage(Duration.ofMillis(800));
    assertFalse(progress.writable(), "not writable");
    assertEquals(expectedWaitingFor, progress.waitingFor(), "what readiness waits for");
  }

  @Test
  void writableOnceEveryPartitionHasWAnswers_thenStopsAsking() {
    TestProbe<Void> watcher = testKit.createTestProbe();
    syncing.add(C); // a syncing replica still counts toward W
    // an ask that waits longer than the machine may take to answer: no retry
    Started started = start(FAST.withAskTimeout(MAX));
    WritabilityProbe.Progress progress = started.progress();
    awaitWritable(watcher, progress);
    assertNull(progress.waitingFor(), "nothing to wait for");
    watcher.expectTerminated(started.probe(), MAX);
    assertEquals(PARTITIONS * 3, asks.get(), "each of the Q x N entities asked once");
  }

  @Test
  void notWritableWhileOnlyOneReplicaOfSomePartitionAnswers_writableOnceTwoDo() {
    TestProbe<Void> watcher = testKit.createTestProbe();
    silent.add(B);
    silent.add(C);
    Started started = start(FAST);
    WritabilityProbe.Progress progress = started.progress();
    staysNotWritable(watcher, progress, "partitions writable at w=2: 0/" + PARTITIONS);
    watcher.awaitAssert(
        MAX,
        () -> {
          assertTrue(asks.get() > PARTITIONS * 3, "partitions that failed are asked again");
          return null;
        });

    silent.remove(C);
    awaitWritable(watcher, progress);
    watcher.expectTerminated(started.probe(), MAX);
    int total = asks.get();
    watcher.expectNoMessage(Duration.ofMillis(300));
    assertEquals(total, asks.get(), "no ask once it passed");
  }

  @Test
  void notWritableWhileEveryAnsweringReplicaStillSyncs() {
    TestProbe<Void> watcher = testKit.createTestProbe();
    syncing.addAll(List.of(A, B, C));
    WritabilityProbe.Progress progress = start(FAST).progress();
    staysNotWritable(watcher, progress, "partitions writable at w=2: 0/" + PARTITIONS);

    syncing.remove(B);
    awaitWritable(watcher, progress);
  }

  @Test
  void waitsForThisNodeInTheRing_andCountsAgainWhenTheRingChanges() {
    TestProbe<Void> watcher = testKit.createTestProbe();
    ring.set(Ring.of(new RingConfig(PARTITIONS, 16, 3), List.of(B, C)));
    WritabilityProbe.Progress progress = start(FAST).progress();
    staysNotWritable(watcher, progress, "this node in the ring");
    assertEquals(0, asks.get(), "nobody asked before this node is in the ring");

    // in the ring with a member whose replicas do not answer: not writable...
    silent.add(D);
    silent.add(C);
    ring.set(Ring.of(new RingConfig(PARTITIONS, 16, 3), List.of(A, C, D)));
    staysNotWritable(watcher, progress, "partitions writable at w=2: 0/" + PARTITIONS);
    // ...until the ring changes to members that answer: counted again on the new ring
    ring.set(THREE);
    silent.clear();
    entities.clear();
    awaitWritable(watcher, progress);
  }
}
