package io.ringstore.http;

import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;

/**
 * {@code /health/ready}: the node is ready once it is an Up member of the cluster and its HTTP gateway
 * is serving (and, on a data node, its storage is open, which happens before the gateway starts).
 */
public final class NodeReadiness {
  private final Cluster cluster;
  private volatile boolean serving;

  public NodeReadiness(Cluster cluster) {
    this.cluster = cluster;
  }

  void serving() {
    serving = true;
  }

  public boolean isReady() {
    return serving && cluster.selfMember().status() == MemberStatus.up();
  }
}
