package io.ringstore.replica;

import io.ringstore.ring.Ring;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Starts this node's replica entities eagerly instead of on their partition's first request: every
 * {@code interval}, for each partition whose ring replica set includes this node but none of whose
 * entities runs here yet, it asks each of the partition's entities for its status through sharding,
 * which starts (allocates) any that is not running. A started entity catches up in the background
 * (its transfer), so that it counts toward R before a request needs it — in particular before
 * another replica of the partition fails (DESIGN invariant 2 stays: it counts only once caught up).
 * At most {@code perRound} partitions per round, so a node that (re)joins does not start all its
 * transfers at once. Each round it also learns the direct routes it lacks to replicas on reachable
 * members ({@link #learnRoutes}). Runs on data members once their replica region is registered.
 */
public final class ReplicaStarter {
  /** The timer tick, and the entities' status replies (ignored: asking was the point). */
  public interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record StatusReply(ReplicaEntity.Status status) implements Command {}

  /** Replicas without a direct route asked per round (they answer within the round, usually). */
  static final int ROUTES_PER_ROUND = 64;

  private ReplicaStarter() {}

  public static Behavior<Command> create(
      ReplicaDirectory directory,
      LocalReplicas localReplicas,
      String self,
      Duration interval,
      int perRound) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<ReplicaEntity.Status> replies =
              ctx.messageAdapter(ReplicaEntity.Status.class, StatusReply::new);
          int[] cursor = {0};
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
                return Behaviors.receive(Command.class)
                    .onMessageEquals(
                        Tick.INSTANCE,
                        () -> {
                          cursor[0] =
                              startMissing(
                                  directory, localReplicas, self, cursor[0], perRound, replies);
                          learnRoutes(directory, ROUTES_PER_ROUND, replies);
                          return Behaviors.same();
                        })
                    .onMessage(StatusReply.class, reply -> Behaviors.same())
                    .build();
              });
        });
  }

  /**
   * Asks up to {@code max} replicas on reachable members that have no direct route yet for their
   * status through this node's directory, which learns their routes (and sharding the homes of
   * their shards) while the shard coordinator is there to answer: a coordinator that dies with its
   * member (until the member is removed) cannot tell where a replica moved after an earlier
   * restart, and a request needing that replica would wait for it. Returns how many it asked.
   */
  static int learnRoutes(
      ReplicaDirectory directory, int max, ActorRef<ReplicaEntity.Status> replies) {
    Ring ring = directory.ring();
    if (ring.members().isEmpty()) {
      return 0;
    }
    int asked = 0;
    for (int p = 0; p < ring.partitionCount() && asked < max; p++) {
      int count = ring.replicas(p).size();
      for (int r = 0; r < count && asked < max; r++) {
        ReplicaId id = new ReplicaId(p, r);
        if (!directory.routeKnown(id) && directory.likelyReachable(id)) {
          directory.tell(id, new ReplicaEntity.GetStatus(replies));
          asked++;
        }
      }
    }
    return asked;
  }

  /**
   * Asks the entities of up to {@code perRound} partitions that should but do not run here, looking
   * from partition {@code from} on (wrapping around); returns where the next round starts.
   */
  static int startMissing(
      ReplicaDirectory directory,
      LocalReplicas localReplicas,
      String self,
      int from,
      int perRound,
      ActorRef<ReplicaEntity.Status> replies) {
    Ring ring = directory.ring();
    int partitions = ring.partitionCount();
    if (!ring.members().contains(self) || partitions == 0) {
      return 0;
    }
    int asked = 0;
    int p = Math.floorMod(from, partitions);
    for (int seen = 0; seen < partitions && asked < perRound; seen++, p = (p + 1) % partitions) {
      var replicas = ring.replicas(p);
      if (!replicas.contains(self) || localReplicas.forPartition(p).isPresent()) {
        continue;
      }
      for (int r = 0; r < replicas.size(); r++) {
        directory.entity(new ReplicaId(p, r)).tell(new ReplicaEntity.GetStatus(replies));
      }
      asked++;
    }
    return p;
  }
}
