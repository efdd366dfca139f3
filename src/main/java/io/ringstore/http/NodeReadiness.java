package io.ringstore.http;

import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;

/**
 * {@code /health/ready}: the node is ready once it is an Up member of the cluster, the shard coordinator
 * knows its replica region, and its HTTP gateway is serving (its storage opened before all that).
 */
public final class NodeReadiness {
  private final Cluster cluster;
  private volatile boolean serving;
  private volatile boolean regionRegistered;

  public NodeReadiness(Cluster cluster) {
    this.cluster = cluster;
  }

  void serving() {
    serving = true;
  }

  /** The shard coordinator knows this node's replica region (data nodes; see RegionRegistration). */
  public void regionRegistered() {
    regionRegistered = true;
  }

  public boolean isReady() {
    return serving && regionRegistered && cluster.selfMember().status() == MemberStatus.up();
  }
}
