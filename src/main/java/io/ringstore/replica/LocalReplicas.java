package io.ringstore.replica;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Which replica entities run on this node, by partition: entities register when they start and
 * leave when they stop. A coordinator uses it to let the local replica apply a write (one hop
 * fewer); it is a hint, never needed for correctness. It also remembers when this node stopped
 * hosting a partition, so that a replica that moved away can still be copied from here (its
 * previous host) for a while.
 */
public final class LocalReplicas {
  /** Replica indexes running here, by partition; the sets are never mutated once published. */
  private final Map<Integer, SortedSet<Integer>> byPartition = new ConcurrentHashMap<>();

  private final Map<Integer, Long> releasedAt = new ConcurrentHashMap<>();
  private final Map<ReplicaId, Long> releasedReplicas = new ConcurrentHashMap<>();

  /**
   * Registration and a drop of the same partition exclude each other (see dropIfUnhosted). The
   * locks are held only for bookkeeping, never during a drop: nobody waits on a lock for a drop.
   */
  private final Object[] partitionLocks = new Object[64];

  /** Partitions whose data a drop is deleting now (under their partition's lock). */
  private final Set<Integer> dropping = new HashSet<>();

  /** Entities that started during a drop of their partition, registered when it ends. */
  private final Map<ReplicaId, CompletableFuture<Boolean>> waiting = new HashMap<>();

  private final LongSupplier clock;

  public LocalReplicas() {
    this(System::currentTimeMillis);
  }

  /** With {@code clock} (epoch millis) for the release times. */
  public LocalReplicas(LongSupplier clock) {
    this.clock = clock;
    for (int i = 0; i < partitionLocks.length; i++) {
      partitionLocks[i] = new Object();
    }
  }

  /**
   * Registers a starting entity, without waiting: the returned stage is complete (with true) when
   * the entity is registered now. While {@link #dropIfUnhosted} deletes the partition's data here
   * (rare: only for a partition this node stopped replicating long ago) the entity is not
   * registered yet: the stage completes with true once the drop has ended and the entity is
   * registered (with false if it was deregistered meanwhile). The entity serves nothing until then,
   * so it never serves or writes data being deleted under it; it then syncs from the other
   * replicas.
   */
  CompletionStage<Boolean> register(ReplicaId id) {
    synchronized (lockOf(id.partition())) {
      if (dropping.contains(id.partition())) {
        CompletableFuture<Boolean> registered = new CompletableFuture<>();
        waiting.put(id, registered);
        return registered;
      }
      add(id);
    }
    return CompletableFuture.completedFuture(Boolean.TRUE);
  }

  /** Under the partition's lock. */
  private void add(ReplicaId id) {
    byPartition.compute(
        id.partition(),
        (p, indexes) -> {
          SortedSet<Integer> next = indexes == null ? new TreeSet<>() : new TreeSet<>(indexes);
          next.add(id.index());
          return Collections.unmodifiableSortedSet(next);
        });
    releasedAt.remove(id.partition());
    releasedReplicas.remove(id);
  }

  void deregister(ReplicaId id) {
    CompletableFuture<Boolean> gaveUp;
    synchronized (lockOf(id.partition())) {
      gaveUp = waiting.remove(id);
      if (gaveUp == null) {
        remove(id);
      }
    }
    if (gaveUp != null) {
      gaveUp.complete(Boolean.FALSE);
    }
  }

  /** Under the partition's lock. */
  private void remove(ReplicaId id) {
    byPartition.computeIfPresent(
        id.partition(),
        (p, indexes) -> {
          if (!indexes.contains(id.index())) {
            return indexes;
          }
          releasedReplicas.put(id, clock.getAsLong());
          SortedSet<Integer> next = new TreeSet<>(indexes);
          next.remove(id.index());
          if (next.isEmpty()) {
            releasedAt.put(p, clock.getAsLong());
            return null;
          }
          return Collections.unmodifiableSortedSet(next);
        });
  }

  /**
   * Runs {@code drop} (deleting this node's copy of {@code partition}, on the caller's thread)
   * unless an entity of the partition runs here or the last one stopped after {@code
   * releasedBefore} (epoch millis, so this node is still a copy source for it). The partition is
   * claimed for the drop under a short lock and released after it: an entity of the partition that
   * starts meanwhile is registered only once the drop is done (see {@link #register}), so no entity
   * serves the partition while it is deleted. Returns whether {@code drop} ran to its end.
   */
  public boolean dropIfUnhosted(int partition, long releasedBefore, Runnable drop) {
    synchronized (lockOf(partition)) {
      if (byPartition.containsKey(partition) || dropping.contains(partition)) {
        return false;
      }
      Long released = releasedAt.get(partition);
      if (released != null && released > releasedBefore) {
        return false;
      }
      dropping.add(partition);
    }
    boolean dropped = false;
    try {
      drop.run();
      dropped = true;
    } finally {
      List<CompletableFuture<Boolean>> registered = new ArrayList<>();
      synchronized (lockOf(partition)) {
        dropping.remove(partition);
        if (dropped) {
          releasedAt.remove(partition);
          releasedReplicas.keySet().removeIf(id -> id.partition() == partition);
        }
        var started = waiting.entrySet().iterator();
        while (started.hasNext()) {
          var entry = started.next();
          if (entry.getKey().partition() == partition) {
            add(entry.getKey());
            registered.add(entry.getValue());
            started.remove();
          }
        }
      }
      registered.forEach(future -> future.complete(Boolean.TRUE));
    }
    return dropped;
  }

  private Object lockOf(int partition) {
    return partitionLocks[Math.floorMod(partition, partitionLocks.length)];
  }

  /**
   * When this node last stopped hosting an entity of {@code partition} (epoch millis), if it did
   * since it started and hosts none now.
   */
  public Optional<Long> releasedAt(int partition) {
    return byPartition.containsKey(partition)
        ? Optional.empty()
        : Optional.ofNullable(releasedAt.get(partition));
  }

  /**
   * The replicas of {@code partition} that stopped running here since this node started and do not
   * run here now, with when they stopped (epoch millis), by replica id ({@code "p:r"}): this node
   * is their previous host.
   */
  public Map<String, Long> releasedReplicas(int partition) {
    Map<String, Long> released = new TreeMap<>();
    releasedReplicas.forEach(
        (id, at) -> {
          if (id.partition() == partition) {
            released.put(id.id(), at);
          }
        });
    return released;
  }

  /**
   * How long ago (millis, on this node's clock) this node last stopped hosting an entity of {@code
   * partition}, if it did since it started and hosts none now. An age, not a time: it may be sent
   * to another node, which must not compare a time of this node's clock with its own.
   */
  public Optional<Long> releasedMillisAgo(int partition) {
    long now = clock.getAsLong();
    return releasedAt(partition).map(at -> Math.max(0, now - at));
  }

  /**
   * {@link #releasedReplicas} as ages: how long ago (millis, on this node's clock) each replica of
   * {@code partition} stopped running here.
   */
  public Map<String, Long> releasedReplicasMillisAgo(int partition) {
    long now = clock.getAsLong();
    Map<String, Long> ago = new TreeMap<>();
    releasedReplicas(partition).forEach((id, at) -> ago.put(id, Math.max(0, now - at)));
    return ago;
  }

  /** The partitions this node hosts an entity of. */
  public Set<Integer> hostedPartitions() {
    return Set.copyOf(byPartition.keySet());
  }

  /** The replica of {@code partition} running here with the lowest index, if any. */
  public Optional<ReplicaId> forPartition(int partition) {
    SortedSet<Integer> indexes = byPartition.get(partition);
    return indexes == null
        ? Optional.empty()
        : Optional.of(new ReplicaId(partition, indexes.first()));
  }

  /** Whether replica {@code id}'s entity runs on this node. */
  public boolean runsHere(ReplicaId id) {
    SortedSet<Integer> indexes = byPartition.get(id.partition());
    return indexes != null && indexes.contains(id.index());
  }

  /** How many partitions this node hosts an entity of. */
  public int size() {
    return byPartition.size();
  }
}
