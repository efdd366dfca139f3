package io.ringstore.replica;

import io.ringstore.ring.Ring;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where replica entities belong: the pure decisions of {@link RingAllocationStrategy}. The N
 * entities of partition p go to N distinct members of p's replica set; an entity stays where it is
 * while its member remains in the set and hosts no other replica of p, so a membership change moves
 * only the entities whose member left the set (or that had to share a member while the set was not
 * all there). Members are {@code host:port} names; {@code current} maps every member with a shard
 * region to the shard ids it hosts.
 */
public final class PlacementPlanner {
  private PlacementPlanner() {}

  /** The member that should host the unallocated entity {@code shardId}. */
  public static String allocate(
      Ring ring, String shardId, Map<String, ? extends Set<String>> current, String requester) {
    ReplicaId id = ReplicaId.parse(shardId);
    int p = id.partition();
    List<String> replicas = ring.partitionCount() > p ? ring.replicas(p) : List.of();
    Set<String> holders = holdersOf(p, current, shardId, replicas.size());
    if (id.index() < replicas.size()) {
      String preferred = replicas.get(id.index());
      if (current.containsKey(preferred) && !holders.contains(preferred)) {
        return preferred;
      }
    }
    Optional<String> free = freeReplicaMember(replicas, current, holders);
    if (free.isPresent()) {
      return free.get();
    }
    List<String> order = ring.partitionCount() > p ? ring.preferenceList(p) : List.of();
    for (String member : order) {
      if (current.containsKey(member) && !holders.contains(member)) {
        return member;
      }
    }
    for (String member : current.keySet()) {
      if (!holders.contains(member)) {
        return member;
      }
    }
    return current.containsKey(requester) || current.isEmpty()
        ? requester
        : current.keySet().iterator().next();
  }

  /**
   * Entities to move: those on a member outside their partition's replica set, and the extra ones
   * on a member hosting two replicas of a partition (the lowest index stays), but only when a
   * member of the replica set is free to take them. At most {@code max}, none already in {@code
   * inProgress}.
   */
  public static Set<String> rebalance(
      Ring ring, Map<String, ? extends Set<String>> current, Set<String> inProgress, int max) {
    Set<String> moves = new LinkedHashSet<>();
    for (var entry : current.entrySet()) {
      String member = entry.getKey();
      for (String shardId : entry.getValue()) {
        if (moves.size() >= max) {
          return moves;
        }
        if (inProgress.contains(shardId)) {
          continue;
        }
        ReplicaId id;
        try {
          id = ReplicaId.parse(shardId);
        } catch (IllegalArgumentException e) {
          continue;
        }
        int p = id.partition();
        if (p >= ring.partitionCount() || ring.members().isEmpty()) {
          continue;
        }
        List<String> replicas = ring.replicas(p);
        boolean outsideSet = !replicas.contains(member);
        // an entity beyond the replica count (while the cluster has fewer members than N) is not
        // addressed by coordinators: it never holds a member's place
        if (id.index() >= replicas.size()) {
          continue;
        }
        boolean sharing =
            entry.getValue().stream()
                .map(PlacementPlanner::parseOrNull)
                .anyMatch(o -> o != null && o.partition() == p && o.index() < id.index());
        if (!outsideSet && !sharing) {
          continue;
        }
        Set<String> holders = holdersOf(p, current, shardId, replicas.size());
        if (!sharing) {
          holders.remove(member);
        }
        if (freeReplicaMember(replicas, current, holders).isPresent()) {
          moves.add(shardId);
        }
      }
    }
    return moves;
  }

  private static Optional<String> freeReplicaMember(
      List<String> replicas, Map<String, ? extends Set<String>> current, Set<String> holders) {
    for (String member : replicas) {
      if (current.containsKey(member) && !holders.contains(member)) {
        return Optional.of(member);
      }
    }
    return Optional.empty();
  }

  /**
   * Members hosting an active replica of partition p (index below {@code active}, the size of its
   * replica set) other than {@code except}.
   */
  private static Set<String> holdersOf(
      int p, Map<String, ? extends Set<String>> current, String except, int active) {
    Set<String> holders = new HashSet<>();
    for (var entry : current.entrySet()) {
      for (String shardId : entry.getValue()) {
        ReplicaId other = parseOrNull(shardId);
        if (other != null
            && other.partition() == p
            && other.index() < active
            && !shardId.equals(except)) {
          holders.add(entry.getKey());
        }
      }
    }
    return holders;
  }

  private static ReplicaId parseOrNull(String shardId) {
    try {
      return ReplicaId.parse(shardId);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
