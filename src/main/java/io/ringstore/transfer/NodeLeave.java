package io.ringstore.transfer;

import io.ringstore.CborSerializable;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.ring.Ring;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterCommand;
import org.apache.pekko.cluster.typed.Leave;

/**
 * A node leaving the cluster with its data (POST /admin/leave): announces itself as draining to
 * every data node (so their rings leave it out and sharding moves its replicas to their new hosts),
 * waits until it hosts no replica and every replica of the partitions it held runs elsewhere and
 * has caught up (copied from here, then synced: DESIGN invariant 1 across a leave), then leaves the
 * Pekko cluster, after which the node shuts down and its JVM exits. Gives up waiting after the
 * leave timeout (and leaves anyway, logged), since an operator asked for it.
 */
public final class NodeLeave extends AbstractBehavior<NodeLeave.Command> {

  /**
   * Messages of the leave. Jackson-serialized like every message (none crosses nodes today, but an
   * ask from the HTTP gateway is verified with {@code serialize-messages = on} in tests).
   */
  public interface Command extends CborSerializable {}

  /** From the HTTP gateway: start leaving (again: no effect); answered with {@link Started}. */
  public record Start(ActorRef<Started> replyTo) implements Command {}

  /** Whether the leave started ({@code accepted}) and what it does, for the operator. */
  public record Started(boolean accepted, String message) implements CborSerializable {}

  /** Asks how far the leave is; answered with {@link Progress}. */
  public record GetProgress(ActorRef<Progress> replyTo) implements Command {}

  /**
   * {@code leaving} once started; {@code replicasHere} replica entities still on this node; {@code
   * replicasBehind} replicas of its former partitions not caught up (or not answering) in the last
   * check; {@code startedMillis} when the leave started (0 if not).
   */
  public record Progress(boolean leaving, int replicasHere, int replicasBehind, long startedMillis)
      implements CborSerializable {}

  /**
   * {@code timeout}: how long the leave waits for the new hosts to catch up before the node leaves
   * anyway; {@code checkInterval}: how often it announces that it drains and checks its former
   * replicas.
   */
  public record Settings(Duration timeout, Duration checkInterval) {
    /** From {@code ringstore.transfers}. */
    public static Settings of(RingstoreSettings.TransferSettings t) {
      return new Settings(t.leaveTimeout(), t.leaveCheckInterval());
    }
  }

  private enum Tick implements Command {
    INSTANCE
  }

  private record Listed(Receptionist.Listing listing) implements Command {}

  private record StatusReplied(int round, ReplicaEntity.Status status) implements Command {}

  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(3);

  private final String self;
  private final Supplier<Ring> ring;
  private final DrainingMembers draining;
  private final ReplicaDirectory directory;
  private final LocalReplicas localReplicas;
  private final Settings settings;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ClusterCommand> clusterManager;
  private final Address selfAddress;
  private final Set<Integer> held = new TreeSet<>();
  private long startedMillis;

  /** When the leave started on the monotonic clock: the leave timeout is measured on it. */
  private long startedNanos;

  private int round;
  private int awaited;
  private int expected;
  private int caughtUp;
  private int lastBehind = -1;
  private boolean left;

  /**
   * The leave of node {@code self}, on the ring {@code ring} gives (the node's current one); it
   * announces the drain to {@code draining} and to every data node's {@link PartitionSource}, and
   * leaves through this actor system's Pekko cluster.
   */
  public static Behavior<Command> create(
      String self,
      Supplier<Ring> ring,
      DrainingMembers draining,
      ReplicaDirectory directory,
      LocalReplicas localReplicas,
      Settings settings) {
    return Behaviors.setup(
        ctx -> {
          Cluster cluster = Cluster.get(ctx.getSystem());
          return create(
              self,
              ring,
              draining,
              directory,
              localReplicas,
              settings,
              cluster.manager(),
              cluster.selfMember().address());
        });
  }

  /**
   * As above, leaving by telling {@code clusterManager} {@code Leave(selfAddress)} (tests: a
   * probe).
   */
  static Behavior<Command> create(
      String self,
      Supplier<Ring> ring,
      DrainingMembers draining,
      ReplicaDirectory directory,
      LocalReplicas localReplicas,
      Settings settings,
      ActorRef<ClusterCommand> clusterManager,
      Address selfAddress) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new NodeLeave(
                        ctx,
                        timers,
                        self,
                        ring,
                        draining,
                        directory,
                        localReplicas,
                        settings,
                        clusterManager,
                        selfAddress)));
  }

  private NodeLeave(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String self,
      Supplier<Ring> ring,
      DrainingMembers draining,
      ReplicaDirectory directory,
      LocalReplicas localReplicas,
      Settings settings,
      ActorRef<ClusterCommand> clusterManager,
      Address selfAddress) {
    super(ctx);
    this.timers = timers;
    this.self = self;
    this.ring = ring;
    this.draining = draining;
    this.directory = directory;
    this.localReplicas = localReplicas;
    this.settings = settings;
    this.clusterManager = clusterManager;
    this.selfAddress = selfAddress;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Start.class, this::onStart)
        .onMessage(GetProgress.class, this::onGetProgress)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Listed.class, this::onListed)
        .onMessage(StatusReplied.class, this::onStatus)
        .build();
  }

  private Behavior<Command> onStart(Start start) {
    if (startedMillis > 0) {
      start.replyTo().tell(new Started(true, self + " is already leaving"));
      return this;
    }
    Set<String> others = new TreeSet<>(ring.get().members());
    others.remove(self);
    if (others.isEmpty()) {
      start
          .replyTo()
          .tell(
              new Started(
                  false,
                  self
                      + " is the only data member: leaving would lose"
                      + " its data; add a node first"));
      return this;
    }
    startedMillis = System.currentTimeMillis();
    startedNanos = System.nanoTime();
    held.addAll(localReplicas.hostedPartitions());
    getContext()
        .getLog()
        .info("leave: {} hands off its replicas of {} partitions to {}", self, held.size(), others);
    announce();
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.checkInterval());
    start
        .replyTo()
        .tell(
            new Started(
                true,
                self
                    + " is handing off its replicas of "
                    + held.size()
                    + " partitions; it leaves the cluster and exits once their new hosts have caught up"
                    + " (GET /admin/transfers shows the progress)"));
    return this;
  }

  private Behavior<Command> onGetProgress(GetProgress get) {
    get.replyTo()
        .tell(
            new Progress(
                startedMillis > 0,
                localReplicas.hostedPartitions().size(),
                lastBehind,
                startedMillis));
    return this;
  }

  private Behavior<Command> onTick() {
    if (left) {
      return this;
    }
    announce();
    if (System.nanoTime() - startedNanos > settings.timeout().toNanos()) {
      getContext()
          .getLog()
          .warn(
              "leave: {} did not see every replica caught up within {}; leaving"
                  + " anyway (anti-entropy repairs what is missing)",
              self,
              settings.timeout());
      return leave();
    }
    if (!localReplicas.hostedPartitions().isEmpty()) {
      getContext()
          .getLog()
          .info(
              "leave: {} still hosts replicas of {} partitions",
              self,
              localReplicas.hostedPartitions().size());
      return this;
    }
    checkReplicas();
    return this;
  }

  private void announce() {
    draining.announced(self);
    getContext()
        .getSystem()
        .receptionist()
        .tell(
            Receptionist.find(
                PartitionSource.KEY,
                getContext().messageAdapter(Receptionist.Listing.class, Listed::new)));
  }

  private Behavior<Command> onListed(Listed listed) {
    for (ActorRef<PartitionSource.Command> source :
        listed.listing().getServiceInstances(PartitionSource.KEY)) {
      source.tell(new PartitionSource.Draining(self));
    }
    return this;
  }

  /** Asks every replica of the partitions this node held where it runs and whether it caught up. */
  private void checkReplicas() {
    round++;
    awaited = 0;
    caughtUp = 0;
    Ring current = ring.get();
    int thisRound = round;
    for (int p : held) {
      int replicas = current.replicas(p).size();
      for (int r = 0; r < replicas; r++) {
        awaited++;
        getContext()
            .ask(
                ReplicaEntity.Status.class,
                directory.entity(new ReplicaId(p, r)),
                STATUS_TIMEOUT,
                ReplicaEntity.GetStatus::new,
                (status, failure) -> new StatusReplied(thisRound, failure == null ? status : null));
      }
    }
    expected = awaited;
    if (awaited == 0) {
      leave();
    }
  }

  private Behavior<Command> onStatus(StatusReplied replied) {
    if (replied.round() != round || left) {
      return this;
    }
    ReplicaEntity.Status status = replied.status();
    if (status != null && !status.syncing() && !status.node().equals(self)) {
      caughtUp++;
    }
    awaited--;
    if (awaited == 0) {
      lastBehind = expected - caughtUp;
      if (lastBehind == 0) {
        getContext()
            .getLog()
            .info(
                "leave: every replica of {}'s former partitions runs elsewhere"
                    + " and has caught up",
                self);
        return leave();
      }
      getContext()
          .getLog()
          .info("leave: {} replicas of {}'s former partitions still catching up", lastBehind, self);
    }
    return this;
  }

  private Behavior<Command> leave() {
    if (!left) {
      left = true;
      getContext().getLog().info("leave: {} leaves the cluster now", self);
      clusterManager.tell(Leave.create(selfAddress));
    }
    return this;
  }
}
