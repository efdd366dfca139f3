package io.ringstore.replica;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Direct routes to replica entities, learned once and kept while the entity lives, so that the
 * request path (coordinators' Read, CoordinatePut and Replicate) skips the two or three actor hops
 * of Cluster Sharding's routing (the local shard region, and the remote region and shard) on every
 * message. Sharding stays the way to reach an entity that has no route yet, and it still decides
 * where every entity runs: a route is only ever the {@code ActorRef} of a running entity, asked for
 * through sharding ({@link ReplicaEntity.Locate}) and watched.
 *
 * <p>A route is dropped when its entity stops (death watch: a hand-off, a crash, its node removed)
 * and all routes are dropped on every membership change, after which messages go through sharding
 * again until the new routes are known. A message sent on a route in the moment between the
 * entity's stop and the news of it is lost like any message to a stopped actor: coordinators
 * already treat a silent replica as such (timeouts, hints, other replicas), and an entity only
 * accepts messages while it runs, so a write can never land on a replica that sharding has moved
 * away.
 */
public final class ReplicaRoutes {
  /** How long to wait for a {@link ReplicaEntity.Located} before asking again on a later miss. */
  static final Duration LOCATE_TIMEOUT = Duration.ofSeconds(3);

  private final Map<ReplicaId, ActorRef<ReplicaEntity.Command>> routes = new ConcurrentHashMap<>();
  private final Set<ReplicaId> locating = ConcurrentHashMap.newKeySet();
  private volatile ActorRef<Command> keeper;

  /**
   * Messages of the keeper actor, which learns, watches and drops routes. Local only (the keeper is
   * never reached from another node), so exempt from {@code serialize-messages} checks in tests.
   */
  public interface Command extends NoSerializationVerificationNeeded {}

  private record Locate(ReplicaId id) implements Command {}

  private record Located(ReplicaEntity.Located located) implements Command {}

  private record LocateTimedOut(ReplicaId id) implements Command {}

  private record Gone(ReplicaId id, ActorRef<ReplicaEntity.Command> entity) implements Command {}

  private record MembershipChanged(ClusterEvent.MemberEvent event) implements Command {}

  /** The route to {@code id}'s running entity, if known. */
  public Optional<ActorRef<ReplicaEntity.Command>> routeOf(ReplicaId id) {
    return Optional.ofNullable(routes.get(id));
  }

  /**
   * Sends {@code message} on the route to {@code id}, or returns false (and starts learning it).
   */
  boolean tell(ReplicaId id, ReplicaEntity.Command message) {
    ActorRef<ReplicaEntity.Command> route = routes.get(id);
    if (route != null) {
      route.tell(message);
      return true;
    }
    ActorRef<Command> k = keeper;
    if (k != null && locating.add(id)) {
      k.tell(new Locate(id));
    }
    return false;
  }

  /**
   * Starts learning routes through {@code keeperRef}, the spawned {@link #keeper}. Call it with the
   * ref that spawning returns: the keeper's own setup runs later, and a miss before it would
   * otherwise not be learned (messages sent to the ref meanwhile wait in its mailbox).
   */
  public void attach(ActorRef<Command> keeperRef) {
    keeper = keeperRef;
  }

  /**
   * The keeper actor: asks entities for their refs through {@code sharding}, watches them, and
   * drops every route on membership changes when {@code followMembership} (a node; tests without a
   * cluster pass false). Spawn exactly one per {@code ReplicaRoutes} and {@link #attach} it.
   */
  public Behavior<Command> keeper(
      Function<ReplicaId, EntityRef<ReplicaEntity.Command>> sharding, boolean followMembership) {
    return Behaviors.setup(
        ctx -> {
          keeper = ctx.getSelf();
          if (followMembership) {
            Cluster.get(ctx.getSystem())
                .subscriptions()
                .tell(
                    Subscribe.create(
                        ctx.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new),
                        ClusterEvent.MemberEvent.class));
          }
          ActorRef<ReplicaEntity.Located> locatedAdapter =
              ctx.messageAdapter(ReplicaEntity.Located.class, Located::new);
          return Behaviors.withTimers(
              timers ->
                  Behaviors.receive(Command.class)
                      .onMessage(
                          Locate.class,
                          locate -> {
                            sharding
                                .apply(locate.id())
                                .tell(new ReplicaEntity.Locate(locatedAdapter));
                            timers.startSingleTimer(
                                locate.id(), new LocateTimedOut(locate.id()), LOCATE_TIMEOUT);
                            return Behaviors.same();
                          })
                      .onMessage(
                          Located.class,
                          msg -> {
                            ReplicaId id = ReplicaId.parse(msg.located().replica());
                            timers.cancel(id);
                            ActorRef<ReplicaEntity.Command> entity = msg.located().entity();
                            if (locating.remove(id)) {
                              routes.put(id, entity);
                              ctx.watchWith(entity, new Gone(id, entity));
                            }
                            return Behaviors.same();
                          })
                      .onMessage(
                          LocateTimedOut.class,
                          msg -> {
                            locating.remove(msg.id());
                            return Behaviors.same();
                          })
                      .onMessage(
                          Gone.class,
                          gone -> {
                            routes.remove(gone.id(), gone.entity());
                            return Behaviors.same();
                          })
                      .onMessage(
                          MembershipChanged.class,
                          changed -> {
                            // the ring changed or is about to: entities may move; learn the routes
                            // again
                            routes.values().forEach(ctx::unwatch);
                            routes.clear();
                            locating.clear();
                            return Behaviors.same();
                          })
                      .build());
        });
  }
}
