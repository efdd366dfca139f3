package io.ringstore.cluster;

import io.ringstore.CborSerializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a restarted node with cluster history does next, decided from what its peers last said about
 * themselves (DESIGN invariant 7: a node that has been a member never founds a cluster by itself,
 * and a timeout never decides anything irreversible). Pure: no Pekko, no clock; {@link
 * ClusterJoiner} feeds it the answers that are fresh and counts how many rounds in a row it said
 * {@link Form}.
 *
 * <ul>
 *   <li>a configured seed that belongs to another cluster (another cluster id) → {@link Refuse};
 *   <li>any peer of this cluster that is a member (or is forming it) → {@link Join} (Pekko's join
 *       process through every known peer except this node, which never forms a cluster and retries
 *       for as long as it takes);
 *   <li>a configured seed this node does not remember has not answered yet → {@link Wait} (the
 *       operator pointed it elsewhere: find out which cluster that is before forming anything);
 *   <li>nobody in a cluster, and a majority of the remembered members (this node included) answer
 *       that they are not in one either, all with this cluster's id, this node is the lowest
 *       address among them and every one of them names it as the node to form → {@link Form} (the
 *       whole cluster is restarting; the others join it once it is Up);
 *   <li>otherwise {@link Wait}: fewer than a majority answered, or someone lower should form.
 * </ul>
 */
public final class JoinDecision {
  private JoinDecision() {}

  /** How a node describes itself in a probe or an answer to one. */
  public enum Status {
    /** A member of a cluster (Joining, WeaklyUp or Up): a node to join through. */
    MEMBER,
    /** Decided to form the cluster again (whole-cluster restart) and is doing so: join it. */
    FORMING,
    /** Not in a cluster yet. */
    UNJOINED,
    /** Leaving, exiting or downed: neither a node to join through nor a voter. */
    LEAVING
  }

  /**
   * One node's state as it reported it.
   *
   * @param node its cluster address, {@code host:port}
   * @param clusterId the cluster it belongs to (null: not known yet, a fresh node or an old data
   *     dir)
   * @param history whether it has been a member of a cluster (its data dir says so)
   * @param candidate the node it would let form the cluster (the lowest unjoined node with history
   *     it knows of, itself included), null when it is not an unjoined node with history
   */
  public record PeerState(
      String node, Status status, String clusterId, boolean history, String candidate)
      implements CborSerializable {
    public PeerState {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(status, "status");
    }
  }

  /** The next step. */
  public sealed interface Decision {}

  /** Join the cluster through these nodes (members first), never through this node itself. */
  public record Join(List<String> through, String reason) implements Decision {}

  /** Form the cluster again with this node as its first member. */
  public record Form(String reason) implements Decision {}

  /** Keep asking. */
  public record Wait(String reason) implements Decision {}

  /** This node belongs to another cluster than its seeds: it must not join them. */
  public record Refuse(String reason) implements Decision {}

  /**
   * Decides from the fresh answers.
   *
   * @param self this node
   * @param clusterId this node's cluster id (null when its data dir predates cluster ids)
   * @param remembered the members this node last saw Up (it is added if missing)
   * @param seeds the configured seed nodes
   * @param peers the latest fresh state of each peer that answered (not this node)
   */
  public static Decision decide(
      String self,
      String clusterId,
      Collection<String> remembered,
      Collection<String> seeds,
      Collection<PeerState> peers) {
    for (PeerState p : peers) {
      if (seeds.contains(p.node()) && foreign(clusterId, p)) {
        return new Refuse(
            "seed "
                + p.node()
                + " belongs to cluster "
                + p.clusterId()
                + ", this node's data directory to cluster "
                + clusterId);
      }
    }
    List<String> members =
        peers.stream()
            .filter(
                p ->
                    (p.status() == Status.MEMBER || p.status() == Status.FORMING)
                        && !foreign(clusterId, p))
            .map(PeerState::node)
            .sorted(NodeAddress.ORDER)
            .toList();
    if (!members.isEmpty()) {
      List<String> through = new ArrayList<>(members);
      targets(self, remembered, seeds).stream()
          .filter(n -> !through.contains(n))
          .forEach(through::add);
      return new Join(List.copyOf(through), "in the cluster: " + String.join(", ", members));
    }
    Set<String> electorate = electorate(self, remembered);
    Set<String> answered = new TreeSet<>(NodeAddress.ORDER);
    peers.forEach(p -> answered.add(p.node()));
    List<String> strangers =
        seeds.stream()
            .filter(s -> !electorate.contains(s) && !answered.contains(s))
            .sorted(NodeAddress.ORDER)
            .toList();
    if (!strangers.isEmpty()) {
      return new Wait(
          "waiting for seed "
              + String.join(", ", strangers)
              + " (not a member this node"
              + " remembers) to answer before anything else is decided");
    }
    List<PeerState> voters =
        voters(clusterId, peers).stream().filter(p -> electorate.contains(p.node())).toList();
    int needed = electorate.size() / 2 + 1;
    int have = voters.size() + 1;
    if (have < needed) {
      return new Wait(
          "nobody answered that it is in the cluster; "
              + have
              + " of the "
              + electorate.size()
              + " remembered members (this one included) answered that they are not, "
              + needed
              + " needed to form it again");
    }
    String lowest = candidate(self, voters);
    if (!lowest.equals(self)) {
      return new Wait(
          "the cluster is restarting ("
              + have
              + " of "
              + electorate.size()
              + " remembered members not in a cluster): waiting for "
              + lowest
              + " to form it");
    }
    List<String> dissent =
        voters.stream()
            .filter(p -> !self.equals(p.candidate()))
            .map(p -> p.node() + " names " + p.candidate())
            .toList();
    if (!dissent.isEmpty()) {
      return new Wait(
          "the cluster is restarting; not every answer names this node to form it yet ("
              + String.join(", ", dissent)
              + ")");
    }
    return new Form(
        have
            + " of the "
            + electorate.size()
            + " remembered members answered that none of them is in a cluster; this node has the lowest"
            + " address among them");
  }

  /**
   * The node this one names to form the cluster: the lowest address among itself and the unjoined
   * peers with history of the same cluster.
   */
  public static String candidate(String self, Collection<PeerState> voters) {
    return voters.stream()
        .map(PeerState::node)
        .filter(n -> NodeAddress.ORDER.compare(n, self) < 0)
        .min(NodeAddress.ORDER)
        .orElse(self);
  }

  /**
   * The unjoined peers with history of the same cluster (their id equals this node's, or both lack
   * one).
   */
  public static List<PeerState> voters(String clusterId, Collection<PeerState> peers) {
    return peers.stream()
        .filter(
            p ->
                p.status() == Status.UNJOINED
                    && p.history()
                    && Objects.equals(p.clusterId(), clusterId))
        .toList();
  }

  /**
   * The nodes a restarted node asks: its remembered members and seeds, not itself, in address
   * order.
   */
  public static List<String> targets(
      String self, Collection<String> remembered, Collection<String> seeds) {
    TreeSet<String> all = new TreeSet<>(NodeAddress.ORDER);
    all.addAll(remembered);
    all.addAll(seeds);
    all.remove(self);
    return List.copyOf(all);
  }

  private static Set<String> electorate(String self, Collection<String> remembered) {
    TreeSet<String> all = new TreeSet<>(NodeAddress.ORDER);
    all.addAll(remembered);
    all.add(self);
    return all;
  }

  /** A peer of another cluster: both ids known and different. */
  static boolean foreign(String clusterId, PeerState p) {
    return clusterId != null && p.clusterId() != null && !clusterId.equals(p.clusterId());
  }
}
