package io.ringstore.replica;

import io.ringstore.cluster.NodeAddress;
import io.ringstore.cluster.RingView;
import io.ringstore.ring.Ring;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * How coordinators reach replicas: the current ring, the replica entities of a partition (through
 * sharding, wherever they live) and which of them runs on this node. Works on data and client
 * members.
 */
public final class ReplicaDirectory {
  private final Function<ReplicaId, EntityRef<ReplicaEntity.Command>> entities;
  private final Supplier<Ring> ring;
  private final LocalReplicas localReplicas;
  private final Predicate<String> available;
  private final ReplicaRoutes routes;

  /** {@link #nodeOf} of a replica running on this node. */
  private static final String LOCAL = "local";

  private static final AtomicInteger KEEPERS = new AtomicInteger();

  /**
   * A directory over any way of reaching entities: sharding on a node ({@link #ofSharding}), {@code
   * TestEntityRef}s in coordinator tests.
   */
  public ReplicaDirectory(
      Function<ReplicaId, EntityRef<ReplicaEntity.Command>> entities,
      Supplier<Ring> ring,
      LocalReplicas localReplicas) {
    this(entities, ring, localReplicas, node -> true);
  }

  public ReplicaDirectory(
      Function<ReplicaId, EntityRef<ReplicaEntity.Command>> entities,
      Supplier<Ring> ring,
      LocalReplicas localReplicas,
      Predicate<String> available) {
    this(entities, ring, localReplicas, available, null);
  }

  /**
   * With {@code routes} (or null): direct routes to entities that are known, sharding otherwise.
   */
  public ReplicaDirectory(
      Function<ReplicaId, EntityRef<ReplicaEntity.Command>> entities,
      Supplier<Ring> ring,
      LocalReplicas localReplicas,
      Predicate<String> available,
      ReplicaRoutes routes) {
    this.entities = entities;
    this.ring = ring;
    this.localReplicas = localReplicas;
    this.available = available;
    this.routes = routes;
  }

  /**
   * The directory of a cluster member: entities through {@code system}'s sharding and, when {@code
   * directRoutes}, direct routes learned by a {@link ReplicaRoutes} keeper spawned here.
   */
  public static ReplicaDirectory ofSharding(
      ActorSystem<?> system, RingView ringView, LocalReplicas localReplicas, boolean directRoutes) {
    ClusterSharding sharding = ClusterSharding.get(system);
    ReplicaRoutes routes = directRoutes ? new ReplicaRoutes() : null;
    ReplicaDirectory directory =
        new ReplicaDirectory(
            id -> sharding.entityRefFor(ReplicaSharding.TYPE_KEY, id.id()),
            ringView::current,
            localReplicas,
            ringView::isAvailable,
            routes);
    if (routes != null) {
      routes.attach(
          system.systemActorOf(
              routes.keeper(directory::entity, true),
              "replica-routes-" + KEEPERS.incrementAndGet(),
              Props.empty()));
    }
    return directory;
  }

  /** Whether a member is Up and reachable from here (worth handing a hint to). */
  public boolean isAvailable(String node) {
    return available.test(node);
  }

  public Ring ring() {
    return ring.get();
  }

  /**
   * The replica entities of partition p under {@code ring}, local one first when this node runs
   * one: one per member of p's replica set (fewer than N while the cluster has fewer members).
   */
  public List<ReplicaId> replicasOf(Ring ring, int partition) {
    int count = ring.replicas(partition).size();
    List<ReplicaId> ids = new ArrayList<>(count);
    var local = localReplicas.forPartition(partition).filter(l -> l.index() < count);
    local.ifPresent(ids::add);
    for (int r = 0; r < count; r++) {
      if (local.isEmpty() || local.get().index() != r) {
        ids.add(new ReplicaId(partition, r));
      }
    }
    return ids;
  }

  /**
   * The node replica {@code id} runs on as far as this node knows: here when it registered locally,
   * the node of its direct route when one is known, else the member of its partition's replica set
   * at its index (where the allocation strategy prefers it); empty when none of these applies.
   */
  private Optional<String> nodeOf(ReplicaId id) {
    if (localReplicas.runsHere(id)) {
      return Optional.of(LOCAL);
    }
    if (routes != null) {
      var route = routes.routeOf(id);
      if (route.isPresent() && !route.get().path().address().hasLocalScope()) {
        return Optional.of(NodeAddress.of(route.get().path().address()));
      }
    }
    Ring current = ring();
    if (current == null // no ring yet (before this node's first view of the cluster)
        || current.members().isEmpty()
        || id.partition() >= current.partitionCount()) {
      return Optional.empty();
    }
    List<String> members = current.replicas(id.partition());
    return id.index() < members.size() ? Optional.of(members.get(id.index())) : Optional.empty();
  }

  /**
   * The node replica {@code id} runs on as far as this node knows ({@code host:port}), empty when
   * it runs here or its node is not known: where a message to it is queued.
   */
  public Optional<String> remoteNodeOf(ReplicaId id) {
    return nodeOf(id).filter(node -> !LOCAL.equals(node));
  }

  /**
   * Whether replica {@code id} is worth trying first: it runs here, or on a member that this node's
   * failure detector considers Up and reachable (or its node is not known).
   */
  public boolean likelyReachable(ReplicaId id) {
    return nodeOf(id).map(node -> LOCAL.equals(node) || available.test(node)).orElse(true);
  }

  /**
   * {@code replicas} in the same order, except that those on members this node sees unreachable (or
   * not Up) come last: a coordinator tries a live replica first instead of waiting for a dead one.
   */
  public List<ReplicaId> reachableFirst(List<ReplicaId> replicas) {
    List<ReplicaId> reachable = new ArrayList<>(replicas.size());
    List<ReplicaId> unreachable = new ArrayList<>();
    for (ReplicaId id : replicas) {
      (likelyReachable(id) ? reachable : unreachable).add(id);
    }
    reachable.addAll(unreachable);
    return reachable;
  }

  /**
   * Whether requests to replica {@code id} go on a direct route already, or have nothing to learn
   * (direct routes off, or the replica runs here).
   */
  public boolean routeKnown(ReplicaId id) {
    return routes == null || localReplicas.runsHere(id) || routes.routeOf(id).isPresent();
  }

  /** The entity through sharding (wherever it runs; started there if it is not running). */
  public EntityRef<ReplicaEntity.Command> entity(ReplicaId id) {
    return entities.apply(id);
  }

  /**
   * Sends a request-path message to replica {@code id}: on its direct route when one is known
   * ({@link ReplicaRoutes}), through sharding otherwise.
   */
  public void tell(ReplicaId id, ReplicaEntity.Command message) {
    if (routes == null || !routes.tell(id, message)) {
      entities.apply(id).tell(message);
    }
  }
}
