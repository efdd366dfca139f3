package io.ringstore.coordinator;

import io.ringstore.replica.ReplicaId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One write, fixed for its life: {@code coordinateBytes} the size counted toward a peer's bound for
 * the request to a coordinating replica; {@code candidates} the replicas in the order they are
 * asked to coordinate; {@code fallbacks} the partition's fallback members in ring order; {@code
 * selfNode} this node when it runs a hint manager; {@code replicaAckTimeout} null when hints are
 * off.
 */
public record WritePlan(
    String key,
    long coordinateBytes,
    boolean tombstone,
    int w,
    boolean sloppy,
    List<ReplicaId> replicas,
    List<ReplicaId> candidates,
    List<String> fallbacks,
    Optional<String> selfNode,
    int replicationFactor,
    Duration timeout,
    Duration replicaAckTimeout) {
  public WritePlan {
    replicas = List.copyOf(replicas);
    candidates = List.copyOf(candidates);
    fallbacks = List.copyOf(fallbacks);
  }
}
