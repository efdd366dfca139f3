package io.ringstore.replica;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which replica entities run on this node, by partition: entities register when they start and leave
 * when they stop. A coordinator uses it to let the local replica apply a write (one hop fewer); it is
 * a hint, never needed for correctness. It also remembers when this node stopped hosting a partition,
 * so that a replica that moved away can still be copied from here (its previous host) for a while.
 */
public final class LocalReplicas {
  /** Replica indexes running here, by partition; the sets are never mutated once published. */
  private final Map<Integer, SortedSet<Integer>> byPartition = new ConcurrentHashMap<>();
  private final Map<Integer, Long> releasedAt = new ConcurrentHashMap<>();
  private final Map<ReplicaId, Long> releasedReplicas = new ConcurrentHashMap<>();

  void register(ReplicaId id) {
    byPartition.compute(id.partition(), (p, indexes) -> {
      SortedSet<Integer> next = indexes == null ? new TreeSet<>() : new TreeSet<>(indexes);
      next.add(id.index());
      return Collections.unmodifiableSortedSet(next);
    });
    releasedAt.remove(id.partition());
    releasedReplicas.remove(id);
  }

  void deregister(ReplicaId id) {
    byPartition.computeIfPresent(id.partition(), (p, indexes) -> {
      if (!indexes.contains(id.index())) {
        return indexes;
      }
      releasedReplicas.put(id, System.currentTimeMillis());
      SortedSet<Integer> next = new TreeSet<>(indexes);
      next.remove(id.index());
      if (next.isEmpty()) {
        releasedAt.put(p, System.currentTimeMillis());
        return null;
      }
      return Collections.unmodifiableSortedSet(next);
    });
  }

  /**
   * When this node last stopped hosting an entity of {@code partition} (epoch millis), if it did since
   * it started and hosts none now.
   */
  public Optional<Long> releasedAt(int partition) {
    return byPartition.containsKey(partition)
        ? Optional.empty()
        : Optional.ofNullable(releasedAt.get(partition));
  }

  /**
   * The replicas of {@code partition} that stopped running here since this node started and do not
   * run here now, with when they stopped (epoch millis), by replica id ({@code "p:r"}): this node is
   * their previous host.
   */
  public Map<String, Long> releasedReplicas(int partition) {
    Map<String, Long> released = new java.util.TreeMap<>();
    releasedReplicas.forEach((id, at) -> {
      if (id.partition() == partition) {
        released.put(id.id(), at);
      }
    });
    return released;
  }

  /** The partitions this node hosts an entity of. */
  public Set<Integer> hostedPartitions() {
    return Set.copyOf(byPartition.keySet());
  }

  /** The replica of {@code partition} running here with the lowest index, if any. */
  public Optional<ReplicaId> forPartition(int partition) {
    SortedSet<Integer> indexes = byPartition.get(partition);
    return indexes == null ? Optional.empty() : Optional.of(new ReplicaId(partition, indexes.first()));
  }

  /** How many partitions this node hosts an entity of. */
  public int size() {
    return byPartition.size();
  }
}
