package io.ringstore.tools;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The JSON answers of a node's {@code /admin} endpoints as the CLI reads them: a copy of the HTTP
 * contract (README.md), not the node's own DTOs. Unknown fields are ignored so that a newer node
 * still answers an older CLI; missing lists read as empty.
 */
final class AdminViews {
  private AdminViews() {}

  /** {@code GET /admin/cluster}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Cluster(
      String self,
      String clusterId,
      String leader,
      List<Member> members,
      List<String> sameIdElsewhere) {
    Cluster {
      members = orEmpty(members);
      sameIdElsewhere = orEmpty(sameIdElsewhere);
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Member(String node, String status, boolean reachable, List<String> roles) {
    Member {
      roles = orEmpty(roles);
    }
  }

  /** {@code GET /admin/ring}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Ring(
      int partitionCount, int replicationFactor, List<String> members, List<Partition> partitions) {
    Ring {
      members = orEmpty(members);
      partitions = orEmpty(partitions);
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Partition(int partition, List<String> replicas, List<String> fallbacks) {
    Partition {
      replicas = orEmpty(replicas);
      fallbacks = orEmpty(fallbacks);
    }
  }

  /** {@code GET /admin/transfers}: the cluster's partition transfers, as one node sees them. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Transfers(
      String self,
      List<String> leaving,
      List<String> unreachable,
      Summary summary,
      List<Transfer> transfers) {
    Transfers {
      leaving = orEmpty(leaving);
      unreachable = orEmpty(unreachable);
      summary = summary == null ? new Summary(0, 0, 0, 0, 0) : summary;
      transfers = orEmpty(transfers);
    }

    /** Keys and bytes copied so far, over every listed transfer. */
    long keys() {
      return transfers.stream().mapToLong(Transfer::keys).sum();
    }

    long bytes() {
      return transfers.stream().mapToLong(Transfer::bytes).sum();
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Summary(long pending, long copying, long syncing, long done, long failed) {
    long notDone() {
      return pending + copying + syncing + failed;
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
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

  /** {@code POST /admin/leave} answered 202. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record LeaveAccepted(String node, String state, String message) {}

  /** Every error body of the HTTP API. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @SuppressWarnings("JavaLangClash") // the API's name for it; used as AdminViews.Error
  record Error(String error, String message) {}

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : List.copyOf(list);
  }
}
