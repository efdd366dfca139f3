package io.ringstore.cluster;

import io.ringstore.config.RingstoreSettings;
import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * This node's view of the current {@link Ring}, derived from the data members that Pekko Cluster
 * gossip reports Up, less those leaving with their data (the draining members the transfer package
 * supplies), so every node derives the same ring with no extra protocol. It is not a pure function:
 * it reads the cluster's current state and the monotonic clock on each call and keeps the last
 * snapshot it computed, because a member replaced by a new incarnation of itself keeps its ring
 * place for a grace period ({@link RejoiningMembers}, which depends on the previous ring). The
 * snapshot is recomputed when the gossiped state or the draining set changes or a grace period
 * ends; reads are lock-free (a volatile snapshot).
 */
public final class RingView {
  private final Cluster cluster;
  private final RingConfig config;
  private final Supplier<Set<String>> draining;
  private volatile Snapshot snapshot;

  private record Snapshot(
      ClusterEvent.CurrentClusterState state,
      Ring ring,
      Set<String> available,
      Set<String> reachableData,
      Set<String> draining,
      long graceEnds) {}

  /**
   * How long a member being replaced by a new incarnation keeps its ring place (RejoiningMembers).
   */
  static final long REJOIN_GRACE_MILLIS = 10_000;

  private final RejoiningMembers rejoining = new RejoiningMembers(REJOIN_GRACE_MILLIS);

  /** A view that leaves no member out (a client member: no leaving node announces itself to it). */
  public RingView(Cluster cluster, RingConfig config) {
    this(cluster, config, Set::of);
  }

  /**
   * A view that leaves out the members {@code draining} gives (those leaving with their data whose
   * announcement is fresh: {@code io.ringstore.transfer.DrainingMembers} on a data node).
   */
  public RingView(Cluster cluster, RingConfig config, Supplier<Set<String>> draining) {
    this.cluster = cluster;
    this.config = config;
    this.draining = draining;
  }

  /** Members leaving with their data now: kept out of the ring. */
  public Set<String> drainingMembers() {
    return draining.get();
  }

  public static RingConfig ringConfig(RingstoreSettings settings) {
    return new RingConfig(
        settings.ring().partitions(),
        settings.ring().tokensPerMember(),
        settings.replication().n());
  }

  public RingConfig config() {
    return config;
  }

  /** The ring of the Up data members as this node currently sees them. */
  public Ring current() {
    return snapshot().ring();
  }

  /**
   * Whether {@code node} is an Up data member that this node's failure detector currently considers
   * reachable (a candidate to hold a hint, or a replica worth waiting for).
   */
  public boolean isAvailable(String node) {
    return snapshot().available().contains(node);
  }

  /**
   * The data members this node can reach now, whatever their status (joining, up, leaving,
   * exiting): the possible sources of a partition transfer.
   */
  public Set<String> reachableDataMembers() {
    return snapshot().reachableData();
  }

  @SuppressWarnings("ReferenceEquality") // cached while cluster.state() is the same object
  private Snapshot snapshot() {
    ClusterEvent.CurrentClusterState state = cluster.state();
    Snapshot s = snapshot;
    long now = System.nanoTime() / 1_000_000;
    Set<String> drainingNow = draining.get();
    if (s != null
        && s.state() == state
        && s.draining().equals(drainingNow)
        && now < s.graceEnds()) {
      return s;
    }
    TreeSet<String> members = new TreeSet<>();
    Set<String> unreachable = new HashSet<>();
    for (Member m : state.getUnreachable()) {
      unreachable.add(NodeAddress.of(m.address()));
    }
    Set<String> reachableData = new HashSet<>();
    Set<String> replaced = new HashSet<>(s == null ? Set.of() : s.ring().members());
    for (Member m : state.getMembers()) {
      String node = NodeAddress.of(m.address());
      MemberStatus status = m.status();
      if (status != MemberStatus.down()
          && status != MemberStatus.joining()
          && status != MemberStatus.weaklyUp()) {
        replaced.remove(node);
      }
      if (m.status() == MemberStatus.up() && m.hasRole(RingstoreSettings.DATA_ROLE)) {
        members.add(node);
      }
      if (m.hasRole(RingstoreSettings.DATA_ROLE)
          && m.status() != MemberStatus.down()
          && m.status() != MemberStatus.removed()) {
        reachableData.add(NodeAddress.of(m.address()));
      }
    }
    reachableData.removeAll(unreachable);
    // a draining member stays available (it still serves and hands its replicas off) but leaves the
    // ring
    Set<String> available = new HashSet<>(members);
    available.removeAll(unreachable);
    // a member replaced by a new incarnation of itself keeps its place a few seconds, not available
    members.addAll(
        rejoining.kept(
            s == null ? Set.of() : s.ring().members(), Set.copyOf(members), replaced, now));
    if (members.size() > drainingNow.size()) {
      members.removeAll(drainingNow);
    }
    Ring ring =
        (s != null && s.ring().members().equals(members)) ? s.ring() : Ring.of(config, members);
    Snapshot next =
        new Snapshot(
            state,
            ring,
            Set.copyOf(available),
            Set.copyOf(reachableData),
            drainingNow,
            rejoining.nextExpiry(now));
    snapshot = next;
    return next;
  }
}
