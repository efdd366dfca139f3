package io.ringstore.replica;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which replica entities run on this node, by partition: entities register when they start and leave
 * when they stop. A coordinator uses it to let the local replica apply a write (one hop fewer); it is
 * a hint, never needed for correctness.
 */
public final class LocalReplicas {
  private final Map<Integer, ReplicaId> byPartition = new ConcurrentHashMap<>();

  void register(ReplicaId id) {
    byPartition.merge(id.partition(), id, (a, b) -> a.index() <= b.index() ? a : b);
  }

  void deregister(ReplicaId id) {
    byPartition.remove(id.partition(), id);
  }

  public Optional<ReplicaId> forPartition(int partition) {
    return Optional.ofNullable(byPartition.get(partition));
  }

  public int size() {
    return byPartition.size();
  }
}
