package io.ringstore.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The registry of the replica entities running on a node: which partitions it hosts, the local
 * replica a coordinator may use, and when the node stopped hosting a partition (a copy source for
 * its new host). Includes a node hosting two replicas of one partition (fewer members than N).
 */
class LocalReplicasTest {

  @Test
  void registerAndDeregisterOneReplica() {
    LocalReplicas locals = new LocalReplicas();
    assertEquals(Optional.empty(), locals.releasedAt(3), "never hosted: never released");
    locals.register(new ReplicaId(3, 1));
    assertEquals(Optional.of(new ReplicaId(3, 1)), locals.forPartition(3));
    assertEquals(Set.of(3), locals.hostedPartitions());
    assertEquals(Optional.empty(), locals.releasedAt(3), "hosted: not released");

    long before = System.currentTimeMillis();
    locals.deregister(new ReplicaId(3, 1));
    long after = System.currentTimeMillis();
    assertEquals(Optional.empty(), locals.forPartition(3));
    assertEquals(Set.of(), locals.hostedPartitions());
    long released = locals.releasedAt(3).orElseThrow();
    assertTrue(released >= before && released <= after, "released at " + released);

    locals.register(new ReplicaId(3, 2));
    assertEquals(Optional.empty(), locals.releasedAt(3), "hosting again");
  }

  @Test
  void agesAreMeasuredOnThisNodesClock_andNeverNegative() {
    AtomicLong now = new AtomicLong(5_000);
    LocalReplicas locals = new LocalReplicas(now::get);
    assertEquals(Optional.empty(), locals.releasedMillisAgo(3), "never hosted: no age");
    locals.register(new ReplicaId(3, 0));
    locals.register(new ReplicaId(3, 1));
    locals.deregister(new ReplicaId(3, 1));
    assertEquals(Optional.empty(), locals.releasedMillisAgo(3), "3:0 still runs here");
    now.set(6_000);
    locals.deregister(new ReplicaId(3, 0));
    now.set(9_500);
    assertEquals(Optional.of(3_500L), locals.releasedMillisAgo(3), "the last one left 3.5 s ago");
    assertEquals(
        Map.of("3:0", 3_500L, "3:1", 4_500L),
        locals.releasedReplicasMillisAgo(3),
        "each replica's age");
    now.set(1_000);
    assertEquals(
        Optional.of(0L),
        locals.releasedMillisAgo(3),
        "a wall clock stepped back gives age 0, not a negative one");
    assertEquals(Map.of("3:0", 0L, "3:1", 0L), locals.releasedReplicasMillisAgo(3));
  }

  @Test
  void deregisteringAReplicaThatIsNotRegisteredChangesNothing() {
    LocalReplicas locals = new LocalReplicas();
    locals.register(new ReplicaId(3, 0));
    locals.deregister(new ReplicaId(3, 1));
    assertEquals(Optional.of(new ReplicaId(3, 0)), locals.forPartition(3));
    assertEquals(Optional.empty(), locals.releasedAt(3));
  }

  @Test
  void twoReplicasOfAPartition_theHigherOneLeavesFirst() {
    LocalReplicas locals = new LocalReplicas();
    locals.register(new ReplicaId(3, 2));
    locals.register(new ReplicaId(3, 0));
    assertEquals(Optional.of(new ReplicaId(3, 0)), locals.forPartition(3), "the lowest index");
    locals.deregister(new ReplicaId(3, 2));
    assertEquals(Optional.of(new ReplicaId(3, 0)), locals.forPartition(3));
    assertEquals(Optional.empty(), locals.releasedAt(3));
  }

  @Test
  void twoReplicasOfAPartition_theLowerOneLeavesFirst_theOtherStillRunsHere() {
    LocalReplicas locals = new LocalReplicas();
    locals.register(new ReplicaId(3, 0));
    locals.register(new ReplicaId(3, 2));
    locals.deregister(new ReplicaId(3, 0));
    assertEquals(Set.of(3), locals.hostedPartitions(), "3:2 still runs here");
    assertEquals(Optional.of(new ReplicaId(3, 2)), locals.forPartition(3));
    assertEquals(
        Optional.empty(),
        locals.releasedAt(3),
        "not released while a replica of the partition runs here");

    locals.deregister(new ReplicaId(3, 2));
    assertEquals(Set.of(), locals.hostedPartitions());
    assertTrue(locals.releasedAt(3).isPresent(), "released once the last one left");
  }

  @Test
  void aReleasedReplicaIsRememberedByIdEvenWhileAnotherReplicaOfThePartitionStaysHere() {
    LocalReplicas locals = new LocalReplicas();
    locals.register(new ReplicaId(7, 0));
    locals.register(new ReplicaId(7, 1));
    assertEquals(Map.of(), locals.releasedReplicas(7), "nothing released yet");
    locals.deregister(new ReplicaId(7, 1));
    assertEquals(Set.of("7:1"), locals.releasedReplicas(7).keySet(), "7:1 moved away from here");
    assertEquals(Optional.empty(), locals.releasedAt(7), "the partition is still hosted (7:0)");
    assertEquals(Map.of(), locals.releasedReplicas(8), "other partitions unaffected");
    locals.register(new ReplicaId(7, 1));
    assertEquals(Map.of(), locals.releasedReplicas(7), "back here: not released");
    locals.deregister(new ReplicaId(7, 2));
    assertEquals(Map.of(), locals.releasedReplicas(7), "never ran here: not released");
  }

  /**
   * A drop claims its partition without holding a lock while it deletes: an entity registering
   * meanwhile does not wait (its stage is pending), is not hosted until the drop ends, and is
   * registered then; one that stopped meanwhile is not.
   */
  @Test
  void registeringDuringADropDoesNotWaitAndTakesEffectWhenTheDropEnds() throws Exception {
    LocalReplicas locals = new LocalReplicas();
    CountDownLatch dropping = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Boolean> drop =
        CompletableFuture.supplyAsync(
            () ->
                locals.dropIfUnhosted(
                    4,
                    Long.MAX_VALUE,
                    () -> {
                      dropping.countDown();
                      try {
                        assertTrue(release.await(30, TimeUnit.SECONDS), "released");
                      } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                      }
                    }));
    assertTrue(dropping.await(10, TimeUnit.SECONDS), "the drop runs");

    CompletableFuture<Boolean> first =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () -> locals.register(new ReplicaId(4, 0)).toCompletableFuture(),
            "register never waits");
    CompletableFuture<Boolean> second = locals.register(new ReplicaId(4, 1)).toCompletableFuture();
    assertFalse(first.isDone(), "registered only once the drop ended");
    assertFalse(locals.runsHere(new ReplicaId(4, 0)), "not hosted during the drop");
    assertEquals(Set.of(), locals.hostedPartitions());
    assertFalse(locals.dropIfUnhosted(4, Long.MAX_VALUE, () -> {}), "one drop at a time");
    locals.deregister(new ReplicaId(4, 1));
    assertEquals(Boolean.FALSE, second.getNow(null), "stopped before the drop ended");
    assertTrue(
        locals.register(new ReplicaId(5, 0)).toCompletableFuture().isDone(),
        "another partition registers at once");

    release.countDown();
    assertTrue(drop.get(10, TimeUnit.SECONDS), "the drop ran");
    assertEquals(Boolean.TRUE, first.get(10, TimeUnit.SECONDS));
    assertTrue(locals.runsHere(new ReplicaId(4, 0)), "registered after the drop");
    assertFalse(locals.runsHere(new ReplicaId(4, 1)), "the stopped one is not");
    assertFalse(locals.dropIfUnhosted(4, Long.MAX_VALUE, () -> {}), "hosted now: never dropped");
  }
}
