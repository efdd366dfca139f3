package io.ringstore.replica;

import io.ringstore.ring.Ring;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The pure count of {@link WritabilityProbe}: per partition of one {@link Ring}, the replica
 * entities that answered the probe's status request and whether they still catch up. A partition is
 * writable when a write at W would be acknowledged there (DESIGN invariant 1 counts real acks on
 * distinct nodes): its answers come from at least W distinct nodes, and at least one of them has
 * caught up, since a replica that still syncs refuses to coordinate a write (it does merge the
 * replicated object, so it counts toward W). W is capped at the size of the partition's replica set
 * while the ring has fewer members than W: the first node of a cluster is writable at what its
 * membership allows (see README, health). No Pekko in here.
 */
public final class Writability {
  private final Ring ring;
  private final int w;
  private final Map<Integer, Map<String, Answer>> answers = new HashMap<>();

  /** One replica's answer: the node it runs on and whether it still catches up. */
  private record Answer(String node, boolean syncing) {}

  public Writability(Ring ring, int w) {
    if (w < 1) {
      throw new IllegalArgumentException("w must be at least 1, was " + w);
    }
    this.ring = ring;
    this.w = w;
  }

  public Ring ring() {
    return ring;
  }

  public int partitions() {
    return ring.members().isEmpty() ? 0 : ring.partitionCount();
  }

  /** The replica entities of {@code partition} to ask (one per member of its replica set). */
  public int replicasOf(int partition) {
    return ring.replicas(partition).size();
  }

  /** Acks a write to {@code partition} needs to be answered written: W, or fewer replicas. */
  public int required(int partition) {
    return Math.max(1, Math.min(w, replicasOf(partition)));
  }

  /** Forgets what {@code partition}'s replicas answered (before they are asked again). */
  public void clear(int partition) {
    answers.remove(partition);
  }

  /**
   * Records replica {@code replica}'s answer (a later answer of the same replica replaces its
   * earlier one); answers for partitions outside the ring, or of replicas beyond the partition's
   * replica set, are ignored.
   */
  public void answered(ReplicaId replica, String node, boolean syncing) {
    int p = replica.partition();
    if (p < 0 || p >= partitions() || replica.index() >= replicasOf(p)) {
      return;
    }
    answers.computeIfAbsent(p, k -> new HashMap<>()).put(replica.id(), new Answer(node, syncing));
  }

  /** How many of {@code partition}'s replicas answered since it was last cleared. */
  public int answers(int partition) {
    return answers.getOrDefault(partition, Map.of()).size();
  }

  /** Whether every replica of {@code partition} answered since it was last cleared. */
  public boolean allAnswered(int partition) {
    return answers(partition) >= replicasOf(partition);
  }

  /**
   * Whether a write at W to a key of {@code partition} would be acknowledged, as far as its
   * replicas' answers tell: W distinct nodes answered, one of them a replica that has caught up.
   */
  public boolean writable(int partition) {
    Map<String, Answer> answered = answers.getOrDefault(partition, Map.of());
    Set<String> nodes = new HashSet<>();
    boolean coordinator = false;
    for (Answer a : answered.values()) {
      nodes.add(a.node());
      coordinator |= !a.syncing();
    }
    return coordinator && nodes.size() >= required(partition);
  }
}
