package io.ringstore.replica;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which replica entities run on this node, by partition: entities register when they start and leave
 * when they stop. A coordinator uses it to let the local replica apply a write (one hop fewer); it is
 * a hint, never needed for correctness. It also remembers when this node stopped hosting a partition,
 * so that a replica that moved away can still be copied from here (its previous host) for a while.
 */
public final class LocalReplicas {
  private final Map<Integer, ReplicaId> byPartition = new ConcurrentHashMap<>();
  private final Map<Integer, Long> releasedAt = new ConcurrentHashMap<>();

  void register(ReplicaId id) {
    byPartition.merge(id.partition(), id, (a, b) -> a.index() <= b.index() ? a : b);
    releasedAt.remove(id.partition());
  }

  void deregister(ReplicaId id) {
    if (byPartition.remove(id.partition(), id)) {
      releasedAt.put(id.partition(), System.currentTimeMillis());
    }
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

  /** The partitions this node hosts an entity of. */
  public java.util.Set<Integer> hostedPartitions() {
    return java.util.Set.copyOf(byPartition.keySet());
  }

  public Optional<ReplicaId> forPartition(int partition) {
    return Optional.ofNullable(byPartition.get(partition));
  }

  public int size() {
    return byPartition.size();
  }
}
