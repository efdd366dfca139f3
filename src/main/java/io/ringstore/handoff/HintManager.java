package io.ringstore.handoff;

import io.ringstore.CborSerializable;
import io.ringstore.handoff.HintStore.HintStats;
import io.ringstore.handoff.HintStore.HintStoreReply;
import io.ringstore.replica.PeerQueue;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterActorRefProvider;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The hinted-handoff mailboxes of one data node: one {@link HintStore} child per target replica,
 * started on the first hint for it and, at start-up, for every target that the node-local journal
 * still holds hints of — so hints accepted before a crash are delivered after it (DESIGN invariant
 * 1). Tells every store to deliver when a member becomes reachable or up (invariant 4). Registered
 * with the receptionist under {@link #KEY}, so coordinators on any node find the manager of a
 * member.
 *
 * <p>Stores are not passivated: a node holds at most (partitions × N) of them, and an empty one
 * holds no hints in memory; a store keeps only an index in memory, the hint values are on disk
 * ({@link HintValues}, in the journal's database), where they are budgeted in bytes (invariant 6):
 * the manager reserves each hint's bytes in the node's {@link HintBudget} ({@code max-hint-bytes})
 * before handing it to the store, and refuses it at once past the budget. The stores share a second
 * budget for the values they read back into memory to deliver them.
 */
public final class HintManager extends AbstractBehavior<HintManager.Command> {

  /** The receptionist key of every data node's hint manager. */
  public static final ServiceKey<Command> KEY =
      ServiceKey.create(Command.class, "ringstore-hint-manager");

  /** Messages the hint manager accepts. */
  public interface Command extends CborSerializable {}

  /**
   * Sent by a write coordinator whose replica {@code target} did not ack in time: queue the object
   * as a hint for it. Answered by the target's store once persisted (or refused).
   */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record StoreHint(
      ReplicaId target, String key, byte[] object, ActorRef<HintStoreReply> replyTo)
      implements Command {}

  /**
   * Asks for the stats of one target's hints; answered at once (empty stats for an unknown target).
   */
  public record GetStats(ReplicaId target, ActorRef<HintStats> replyTo) implements Command {}

  /** Asks for the stats of every target of this node; answered within the stats timeout. */
  public record GetAllStats(ActorRef<AllHintStats> replyTo) implements Command {}

  /**
   * Stats of every target (in target order); {@code missing} stores did not answer in time. The
   * node's hint budget: {@code budgetBytes} in all, {@code usedBytes} of it held, and {@code
   * refusedBudget} hints refused for lack of it since the node started.
   */
  public record AllHintStats(
      List<HintStats> targets, int missing, long budgetBytes, long usedBytes, long refusedBudget)
      implements CborSerializable {}

  /** Sent on any member becoming reachable or up (the manager's own subscription, or by hand). */
  public enum TargetsReachable implements Command {
    INSTANCE
  }

  private record JournalTargets(List<ReplicaId> targets, String failure) implements Command {}

  private record ClusterChange(ClusterEvent.MemberEvent event) implements Command {}

  private record ReachabilityChange(ClusterEvent.ReachableMember event) implements Command {}

  /** The dispatcher of blocking storage calls (the hint values' JDBC calls run there). */
  static final String STORAGE_DISPATCHER = "ringstore-storage-dispatcher";

  /** How long {@link GetAllStats} waits for the stores. */
  static final Duration STATS_TIMEOUT = Duration.ofSeconds(3);

  private final ReplicaDirectory directory;
  private final HintSettings settings;
  private final LongSupplier wallClock;
  private final HintBudget budget;
  private final HintBudget deliveryBudget;

  /**
   * Bytes of hints handed to the stores and not yet on disk: they are in the heap (in a store's
   * mailbox or stash, or being written), so they are bounded like the values in delivery (a
   * sixteenth of the heap; one hint is always allowed), whatever the disk budget allows.
   */
  private final HintBudget pendingBudget;

  private final HintValues values;
  private final PeerQueue peerQueue;
  private final Map<ReplicaId, ActorRef<HintStore.Command>> stores = new HashMap<>();
  private int aggregators;

  /**
   * A hint manager: restarts the stores that the journal has hints for, registers with the
   * receptionist and, on a cluster provider, follows reachability and membership.
   */
  public static Behavior<Command> create(ReplicaDirectory directory, HintSettings settings) {
    return create(directory, settings, System::currentTimeMillis);
  }

  /** With {@code wallClock} (this node's, epoch millis): when its stores accept hints. */
  public static Behavior<Command> create(
      ReplicaDirectory directory, HintSettings settings, LongSupplier wallClock) {
    return create(directory, settings, wallClock, PeerQueue.UNBOUNDED);
  }

  /**
   * With the node's bound on bytes queued to each peer ({@code peerQueue}), which the stores'
   * deliveries count against.
   */
  public static Behavior<Command> create(
      ReplicaDirectory directory,
      HintSettings settings,
      LongSupplier wallClock,
      PeerQueue peerQueue) {
    return Behaviors.setup(ctx -> new HintManager(ctx, directory, settings, wallClock, peerQueue));
  }

  private HintManager(
      ActorContext<Command> ctx,
      ReplicaDirectory directory,
      HintSettings settings,
      LongSupplier wallClock,
      PeerQueue peerQueue) {
    super(ctx);
    this.peerQueue = peerQueue;
    this.directory = directory;
    this.settings = settings;
    this.wallClock = wallClock;
    this.budget = HintBudget.of(settings.maxHintBytes());
    this.deliveryBudget = HintBudget.of(settings.maxDeliveryBytes());
    this.pendingBudget = HintBudget.of(settings.maxDeliveryBytes());
    this.values =
        HintValues.fromConfig(
            ctx.getSystem().settings().config(),
            ctx.getSystem()
                .dispatchers()
                .lookup(DispatcherSelector.fromConfig(STORAGE_DISPATCHER)));
    ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
    if (isClustered(ctx)) {
      Cluster cluster = Cluster.get(ctx.getSystem());
      cluster
          .subscriptions()
          .tell(
              Subscribe.create(
                  ctx.messageAdapter(ClusterEvent.MemberEvent.class, ClusterChange::new),
                  ClusterEvent.MemberEvent.class));
      cluster
          .subscriptions()
          .tell(
              Subscribe.create(
                  ctx.messageAdapter(ClusterEvent.ReachableMember.class, ReachabilityChange::new),
                  ClusterEvent.ReachableMember.class));
    }
    JdbcReadJournal journal =
        PersistenceQuery.get(ctx.getSystem())
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    // a store with values but no event yet (a crash in between) starts too, and deletes them
    ctx.pipeToSelf(
        journal
            .currentPersistenceIds()
            .runWith(Sink.seq(), ctx.getSystem())
            .thenCombine(
                values.persistenceIds(),
                (journaled, valued) -> {
                  Set<String> ids = new TreeSet<>(journaled);
                  ids.addAll(valued);
                  return List.copyOf(ids);
                }),
        (ids, failure) ->
            failure != null
                ? new JournalTargets(List.of(), failure.toString())
                : new JournalTargets(targetsOf(ids), null));
  }

  private static boolean isClustered(ActorContext<?> ctx) {
    return ((ExtendedActorSystem) ctx.getSystem().classicSystem()).provider()
        instanceof ClusterActorRefProvider;
  }

  /** The targets among journal persistence ids ({@code hints|p:r}); other ids are ignored. */
  static List<ReplicaId> targetsOf(List<String> persistenceIds) {
    String prefix = "hints" + PersistenceId.DefaultSeparator();
    List<ReplicaId> targets = new ArrayList<>();
    for (String id : persistenceIds) {
      if (id.startsWith(prefix)) {
        try {
          targets.add(ReplicaId.parse(id.substring(prefix.length())));
        } catch (IllegalArgumentException e) {
          // not written by a HintStore: leave it alone
        }
      }
    }
    return targets;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StoreHint.class, this::onStoreHint)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(GetAllStats.class, this::onGetAllStats)
        .onMessageEquals(TargetsReachable.INSTANCE, this::onTargetsReachable)
        .onMessage(JournalTargets.class, this::onJournalTargets)
        .onMessage(ClusterChange.class, this::onClusterChange)
        .onMessage(ReachabilityChange.class, this::onReachabilityChange)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  /**
   * Reserves the hint's bytes in the node's budget before the store gets it, so hints waiting in a
   * store's mailbox count too, and in the bound of hints on their way to disk (memory); refuses it
   * at once when they do not fit either (counted as a budget refusal: the write then follows the
   * quorum rules, and a burst of hints for a slow disk cannot fill the heap).
   */
  private Behavior<Command> onStoreHint(StoreHint cmd) {
    long size = cmd.object() == null ? 0 : cmd.object().length;
    if (!budget.tryAcquire(size)) {
      budget.countRefusal();
      cmd.replyTo()
          .tell(
              new HintStoreReply(
                  cmd.target(),
                  cmd.key(),
                  false,
                  "this node's hints are at their byte budget (" + budget.maxBytes() + " bytes)"));
      return this;
    }
    if (!pendingBudget.tryAcquireOrAlone(size)) {
      budget.release(size);
      budget.countRefusal();
      cmd.replyTo()
          .tell(
              new HintStoreReply(
                  cmd.target(),
                  cmd.key(),
                  false,
                  "this node's hints waiting to be written are at their memory bound ("
                      + pendingBudget.maxBytes()
                      + " bytes)"));
      return this;
    }
    storeFor(cmd.target())
        .tell(new HintStore.StoreHint(cmd.key(), cmd.object(), size, cmd.replyTo()));
    return this;
  }

  private Behavior<Command> onPostStop() {
    values.close();
    return this;
  }

  private Behavior<Command> onGetStats(GetStats cmd) {
    Optional.ofNullable(stores.get(cmd.target()))
        .ifPresentOrElse(
            store -> store.tell(new HintStore.GetStats(cmd.replyTo())),
            () -> cmd.replyTo().tell(HintStats.empty(cmd.target())));
    return this;
  }

  private Behavior<Command> onGetAllStats(GetAllStats cmd) {
    aggregators++;
    getContext()
        .spawn(
            HintStatsAggregator.create(
                List.copyOf(stores.values()), budget, STATS_TIMEOUT, cmd.replyTo()),
            "stats-" + aggregators);
    return this;
  }

  private Behavior<Command> onTargetsReachable() {
    stores.values().forEach(store -> store.tell(HintStore.TargetReachable.INSTANCE));
    return this;
  }

  private Behavior<Command> onReachabilityChange(ReachabilityChange change) {
    return onTargetsReachable();
  }

  private Behavior<Command> onClusterChange(ClusterChange change) {
    return change.event() instanceof ClusterEvent.MemberUp ? onTargetsReachable() : this;
  }

  private Behavior<Command> onJournalTargets(JournalTargets found) {
    if (found.failure() != null) {
      getContext()
          .getLog()
          .error(
              "could not list the hint journal's targets; their hints wait for a new hint: {}",
              found.failure());
    } else if (!found.targets().isEmpty()) {
      getContext().getLog().info("resuming hinted handoff for {} targets", found.targets().size());
    }
    found.targets().forEach(this::storeFor);
    return this;
  }

  private ActorRef<HintStore.Command> storeFor(ReplicaId target) {
    return stores.computeIfAbsent(
        target,
        t ->
            getContext()
                .spawn(
                    HintStore.create(
                        t,
                        directory,
                        settings,
                        values,
                        wallClock,
                        budget,
                        deliveryBudget,
                        pendingBudget,
                        peerQueue),
                    "hints-" + t.id()));
  }
}
