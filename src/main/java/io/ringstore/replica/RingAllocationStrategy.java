package io.ringstore.replica;

import io.ringstore.cluster.NodeAddress;
import io.ringstore.cluster.RingView;
import io.ringstore.ring.Ring;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The shard allocation strategy of replica entities: places entity {@code p:r} on a member of
 * partition p's replica set according to the current {@link Ring}, as decided by {@link
 * PlacementPlanner}. Runs inside the shard coordinator (a cluster singleton); only translates
 * between shard regions and member names.
 */
public final class RingAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy
    implements ShardCoordinator.ActorSystemDependentAllocationStrategy {

  private final RingView ringView;
  private final int maxSimultaneousMoves;
  private volatile Address selfAddress;

  public RingAllocationStrategy(RingView ringView, int maxSimultaneousMoves) {
    this.ringView = ringView;
    this.maxSimultaneousMoves = maxSimultaneousMoves;
  }

  @Override
  public void start(ActorSystem system) {
    selfAddress = Cluster.get(system).selfAddress();
  }

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester,
      String shardId,
      Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
    Map<String, ActorRef> regions = new HashMap<>();
    Map<String, Set<String>> current = byMember(currentShardAllocations, regions);
    String requesterMember = memberOf(requester);
    regions.putIfAbsent(requesterMember, requester);
    String member =
        PlacementPlanner.allocate(ringView.current(), shardId, current, requesterMember);
    return Futures.successful(regions.getOrDefault(member, requester));
  }

  @Override
  public Future<Set<String>> rebalance(
      Map<ActorRef, IndexedSeq<String>> currentShardAllocations, Set<String> rebalanceInProgress) {
    Map<String, Set<String>> current = byMember(currentShardAllocations, new HashMap<>());
    // Never hand a shard off from (or to) a region whose member is not an Up, reachable data
    // member:
    // the coordinator may still list the region of a crashed, downed or removed member (its
    // termination not processed yet), and a hand-off from it never gets acked, so the shard would
    // be
    // blocked for the whole handoff-timeout (60 s). Its shards are reallocated once the region is
    // gone.
    current.keySet().removeIf(member -> !ringView.isAvailable(member));
    Set<String> moves =
        PlacementPlanner.rebalance(
            ringView.current(), current, rebalanceInProgress, maxSimultaneousMoves);
    return Futures.successful(moves);
  }

  private Map<String, Set<String>> byMember(
      Map<ActorRef, IndexedSeq<String>> allocations, Map<String, ActorRef> regions) {
    Map<String, Set<String>> current = new LinkedHashMap<>();
    for (var entry : allocations.entrySet()) {
      String member = memberOf(entry.getKey());
      regions.put(member, entry.getKey());
      current
          .computeIfAbsent(member, m -> new LinkedHashSet<>())
          .addAll(CollectionConverters.asJava(entry.getValue()));
    }
    return current;
  }

  private String memberOf(ActorRef region) {
    Address address = region.path().address();
    return NodeAddress.of(address.hasLocalScope() ? selfAddress : address);
  }
}
