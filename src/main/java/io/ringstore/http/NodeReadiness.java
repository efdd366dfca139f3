package io.ringstore.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;

/**
 * {@code /health/ready}: the node is ready once it is an Up member of the cluster, the shard
 * coordinator knows its replica region, and its HTTP gateway is serving (its storage opened before
 * all that), and nothing holds it ({@link #holdUntil}): on a data node, a write at the default W to
 * any key would be acknowledged (the replica package's {@code WritabilityProbe}), hinted handoff
 * runs, a repaired node's partitions synced. {@link #waitingFor} says what it still waits for.
 */
public final class NodeReadiness {
  private final Cluster cluster;
  private volatile boolean serving;
  private volatile boolean regionRegistered;
  private volatile boolean everReady;
  private final List<Hold> holds = new CopyOnWriteArrayList<>();

  /** A condition readiness waits for, and what to report while it does. */
  private record Hold(BooleanSupplier released, Supplier<String> waitingFor) {}

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
    holdUntil(released, () -> "start-up tasks");
  }

  /** As {@link #holdUntil(BooleanSupplier)}, {@code waitingFor} describing what it waits for. */
  public void holdUntil(BooleanSupplier released, Supplier<String> waitingFor) {
    holds.add(new Hold(released, waitingFor));
  }

  public boolean isReady() {
    return serving
        && regionRegistered
        && cluster.selfMember().status() == MemberStatus.up()
        && holds.stream().allMatch(h -> h.released().getAsBoolean());
  }

  /** What readiness waits for now (for the health JSON), or null when the node is ready. */
  public String waitingFor() {
    if (!serving) {
      return "HTTP gateway serving";
    }
    MemberStatus status = cluster.selfMember().status();
    if (status != MemberStatus.up()) {
      return "member status Up (is " + status + ")";
    }
    if (!regionRegistered) {
      return "replica region registered with the shard coordinator";
    }
    for (Hold hold : holds) {
      if (!hold.released().getAsBoolean()) {
        return hold.waitingFor().get();
      }
    }
    return null;
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
