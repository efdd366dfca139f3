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
  private volatile boolean everReady;

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

  /**
   * Whether this node has been ready at some point since it started: until then it has no cluster
   * to coordinate requests in, so {@code /kv} answers 503 with {@code Retry-After}. Stays true when
   * the node later leaves (it still serves while it hands its replicas off).
   */
  public boolean hasBeenReady() {
    if (!everReady && isReady()) {
      everReady = true;
    }
    return everReady;
  }
}
