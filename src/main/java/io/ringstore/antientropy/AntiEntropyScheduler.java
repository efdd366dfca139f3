package io.ringstore.antientropy;

import io.ringstore.replica.ReplicaId;
import io.ringstore.ring.Ring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Runs anti-entropy on this data node: cycles through every (partition, peer replica) pair of the
 * partitions this node is a replica of, starting at most {@code sessionsPerSecond} exchange
 * sessions a second and at most {@code maxConcurrent} at a time, so foreground latency stays flat.
 * A full cycle over Q partitions with N-1 peers each takes about Q(N-1)/sessionsPerSecond seconds
 * when trees agree.
 */
public final class AntiEntropyScheduler extends AbstractBehavior<AntiEntropyScheduler.Command> {

  /** Pace of the scheduler. */
  public record Pace(double sessionsPerSecond, int maxConcurrent) {}

  /** Internal messages. */
  public interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private final ExchangeSession.Host host;
  private final ExchangeSession.Limits limits;
  private final Pace pace;
  private List<ReplicaId> cycle = List.of();
  private int cursor;
  private int running;

  public static Behavior<Command> create(
      ExchangeSession.Host host, ExchangeSession.Limits limits, Pace pace) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  long millis = Math.max(10, Math.round(1000 / pace.sessionsPerSecond()));
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofMillis(millis));
                  return new AntiEntropyScheduler(ctx, host, limits, pace);
                }));
  }

  private AntiEntropyScheduler(
      ActorContext<Command> ctx,
      ExchangeSession.Host host,
      ExchangeSession.Limits limits,
      Pace pace) {
    super(ctx);
    this.host = host;
    this.limits = limits;
    this.pace = pace;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onSignal(Terminated.class, this::onSessionEnded)
        .build();
  }

  private Behavior<Command> onTick() {
    if (running >= pace.maxConcurrent()) {
      return this;
    }
    if (cursor >= cycle.size()) {
      cycle = nextCycle(host.directory().ring(), host.node());
      cursor = 0;
      if (cycle.isEmpty()) {
        return this;
      }
    }
    ReplicaId peer = cycle.get(cursor++);
    var session =
        getContext().spawnAnonymous(ExchangeSession.create(peer.partition(), peer, host, limits));
    getContext().watch(session);
    running++;
    return this;
  }

  private Behavior<Command> onSessionEnded(Terminated terminated) {
    running--;
    return this;
  }

  /**
   * Every replica entity of every partition this node is a replica of (its own included: skipped).
   */
  static List<ReplicaId> nextCycle(Ring ring, String self) {
    List<ReplicaId> pairs = new ArrayList<>();
    if (!ring.members().contains(self)) {
      return pairs;
    }
    for (int p = 0; p < ring.partitionCount(); p++) {
      if (ring.isReplica(p, self)) {
        int replicas = ring.replicas(p).size();
        for (int r = 0; r < replicas && replicas > 1; r++) {
          pairs.add(new ReplicaId(p, r));
        }
      }
    }
    return pairs;
  }
}
