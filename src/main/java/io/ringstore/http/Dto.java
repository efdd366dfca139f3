package io.ringstore.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the HTTP API (DESIGN.md), separate from actor messages. */
final class Dto {
  private Dto() {}

  /** A 4xx error: what was wrong; nothing was changed. */
  @SuppressWarnings("JavaLangClash") // the API's name for it; used as Dto.Error
  record Error(String error, String message) {}

  /** A 503: fewer than the required replicas answered in time. */
  record Unavailable(
      String error, String message, int acks, int required, int replicas, List<String> nodes) {}

  /** A 300: the key's concurrent siblings and the context that covers them all. */
  record Siblings(String context, List<SiblingValue> siblings) {}

  record SiblingValue(String value, String contentType) {}

  /**
   * {@code GET /admin/cluster}; {@code sameIdElsewhere}: nodes seen as members of another cluster
   * with this cluster's id (empty unless the cluster runs as two).
   */
  record Cluster(
      String self,
      String clusterId,
      String leader,
      List<ClusterMember> members,
      List<String> sameIdElsewhere) {}

  record ClusterMember(String node, String status, boolean reachable, List<String> roles) {}

  record Ring(
      int partitionCount,
      int replicationFactor,
      List<String> members,
      List<RingPartition> partitions) {}

  record RingPartition(int partition, List<String> replicas, List<String> fallbacks) {}

  record Replicas(String key, int partition, List<ReplicaState> replicas) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ReplicaState(
      String replica,
      String node,
      boolean found,
      List<String> values,
      boolean tombstone,
      String context,
      String error,
      Boolean syncing) {}

  /** {@code POST /admin/leave}. */
  record Leave(String node, String state, String message) {}

  /** {@code GET /admin/transfers}: every data node's transfers, as far as they answered. */
  record Transfers(
      String self,
      List<String> leaving,
      List<String> unreachable,
      Map<String, Long> summary,
      List<Transfer> transfers) {}

  record Transfer(
      String replica,
      int partition,
      String node,
      String source,
      String state,
      long keys,
      long bytes,
      double keysPerSecond,
      Double etaSeconds,
      String startedAt,
      String finishedAt,
      String error) {}

  /** {@code GET /admin/anti-entropy}: this node's exchanges, per partition it exchanged. */
  record AntiEntropy(
      String self, long exchanges, long keysRepaired, List<AntiEntropyPartition> partitions) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record AntiEntropyPartition(
      int partition,
      String lastPeer,
      String lastExchange,
      boolean treesEqual,
      String lastError,
      long exchanges,
      long segmentsRepaired,
      long keysRepaired) {}

  /** {@code GET /admin/hints}: the hints this node holds for other replicas, per target. */
  record Hints(String self, long queued, List<HintTarget> targets, int targetsNotAnswering) {}

  record HintTarget(
      String target,
      long queued,
      Double oldestAgeSeconds,
      long delivered,
      long dropped,
      long expired,
      long lost) {}

  /**
   * {@code GET /admin/tombstones}: tombstones on this node that every replica acked, waiting for
   * the grace period before removal (tombstones not yet acked by all replicas are kept and not
   * listed).
   */
  record Tombstones(String self, long pendingReap, Double oldestAgeSeconds) {}

  /** {@code /health/*}; {@code waitingFor}: what a node that is not ready waits for. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Health(String status, String self, String memberStatus, String waitingFor) {
    Health(String status, String self, String memberStatus) {
      this(status, self, memberStatus, null);
    }
  }

  /**
   * {@code GET /settings}: the node's replication (N, default R and W), default request timeout,
   * partition count, and the request limits a client checks before it sends.
   */
  record Settings(
      int n,
      int r,
      int w,
      long timeoutMs,
      int partitions,
      long maxTimeoutMs,
      int maxKeyBytes,
      int maxValueBytes,
      int maxContextChars,
      int maxContextActors) {}
}
