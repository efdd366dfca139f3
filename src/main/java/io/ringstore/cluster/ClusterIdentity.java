package io.ringstore.cluster;

import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The id of the cluster this node belongs to, as far as it knows it now (one per actor system):
 * read from the data directory at start, or learned (or minted) by {@link ClusterJoiner} once the
 * node is Up; null until then. Shown by {@code /admin/cluster}.
 */
public final class ClusterIdentity implements Extension {
  private static final ExtensionId<ClusterIdentity> ID =
      new ExtensionId<>() {
        @Override
        public ClusterIdentity createExtension(ActorSystem<?> system) {
          return new ClusterIdentity();
        }
      };

  private volatile String id;
  private volatile Set<String> elsewhere = Set.of();

  private ClusterIdentity() {}

  public static ClusterIdentity get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public String get() {
    return id;
  }

  void set(String id) {
    this.id = id;
  }

  /**
   * Nodes that are members of a cluster with this id that is not this node's (empty unless the
   * cluster runs as two): {@link ClusterJoiner} watches for it once the node is settled.
   */
  public Set<String> elsewhere() {
    return elsewhere;
  }

  void setElsewhere(Set<String> nodes) {
    this.elsewhere = Set.copyOf(nodes);
  }
}
