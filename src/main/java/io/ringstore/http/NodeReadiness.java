package io.ringstore.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;

/**
 * {@code /health/ready}: the node is ready once it is an Up member of the cluster, the shard
 * coordinator knows its replica region, and its HTTP gateway is serving (its storage opened before
 * all that), and nothing holds it ({@link #holdUntil}).
 */
public final class NodeReadiness {
  private final Cluster cluster;
  private volatile boolean serving;
  private volatile boolean regionRegistered;
  private volatile boolean everReady;
  private final List<BooleanSupplier> holds = new CopyOnWriteArrayList<>();

  public NodeReadiness(Cluster cluster) {
    this.cluster = cluster;
  }

  void serving() {
    serving = true;
  }

  /**
   * The shard coordinator knows this node's replica region (data nodes; see RegionRegistration).
   */
  public void regionRegistered() {
    regionRegistered = true;
  }

  /**
   * Holds readiness until {@code released} is true as well (checked on every readiness question):
   * hinted handoff running, a repaired node's partitions synced (see RingstoreNode).
   */
  public void holdUntil(BooleanSupplier released) {
    holds.add(released);
  }

  public boolean isReady() {
    return serving
        && regionRegistered
        && cluster.selfMember().status() == MemberStatus.up()
        && holds.stream().allMatch(BooleanSupplier::getAsBoolean);
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
