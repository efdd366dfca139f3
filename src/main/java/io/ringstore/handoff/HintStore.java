package io.ringstore.handoff;

import io.ringstore.config.LogText;
import io.ringstore.CborSerializable;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.storage.StoredObjectCodec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The persistent mailbox of hints for one target replica entity on the node that holds them (one
 * per target, persistence id {@code hints|p:r} in the node-local journal). A hint is acknowledged to
 * the coordinator only after its {@link HintAdded} event is in the journal, and is removed only after
 * the target acknowledged storing exactly that object ({@link HintDelivered}), so a hinted write
 * survives a crash of its holder (DESIGN invariant 1). While hints are queued it delivers them through
 * sharding every {@code retry-interval} and whenever a member becomes reachable or up, wherever the
 * target lives then, so the replicas converge once faults heal (invariant 4).
 *
 * <p>Hints older than the hint window are dropped ({@link HintExpired}) rather than delivered:
 * anti-entropy repairs those keys. Hints refused because the queue is full are counted in
 * {@link HintStats#dropped()}, in memory only (the count restarts at 0 with the actor); the delivered
 * and expired counts are part of the persisted state.
 *
 * <p>The queued objects are held in memory (the state) as well as in the journal, so they are
 * budgeted in bytes (DESIGN invariant 6): a new hint is persisted only if its bytes fit both under
 * this target's {@code max-hint-bytes-per-target} and, reserved in the node's shared
 * {@link HintBudget}, under {@code max-hint-bytes}; otherwise it is refused (counted in
 * {@link HintStats#refusedBudget()}) and the coordinator does not count it toward W.
 */
public final class HintStore
    extends EventSourcedBehaviorWithEnforcedReplies<HintStore.Command, HintStore.Event, HintStore.State> {

  /** Messages a hint store accepts. */
  public interface Command extends CborSerializable {}

  /**
   * Sent (through {@link HintManager}) by a write coordinator whose target replica did not ack:
   * queue {@code object} (an encoded stored object) for {@code key}. The reply comes once the hint is
   * in the journal ({@code accepted}), or at once when it is refused (queue full, invalid object).
   * The hint's age (for {@code hint-window}) counts from when this store accepted it, on this node's
   * clock: the coordinator sends no time, so the expiry needs no two clocks to agree (issue 10,
   * item 5). Acceptance comes after the coordinator made the object by the request's delay (at most
   * the request timeout), far inside the gap that tombstones.grace-period keeps above hint-window.
   * {@code reservedBytes}: the object's bytes, when the {@link HintManager} already reserved them in
   * the node's {@link HintBudget} (so hints waiting in mailboxes count too); 0 when not.
   */
  public record StoreHint(
      String key, byte[] object, long reservedBytes, ActorRef<HintStoreReply> replyTo)
      implements Command {
    /** A hint whose bytes are not reserved yet: the store reserves them in the node's budget. */
    public StoreHint(String key, byte[] object, ActorRef<HintStoreReply> replyTo) {
      this(key, object, 0, replyTo);
    }
  }

  /** Answer to {@link StoreHint}: {@code accepted} only once persisted; {@code reason} when refused. */
  public record HintStoreReply(ReplicaId target, String key, boolean accepted, String reason)
      implements CborSerializable {}

  /** Sent by the {@link HintManager} when a member became reachable or up: deliver now. */
  public enum TargetReachable implements Command { INSTANCE }

  /** Asks for this store's {@link HintStats}; answered at once. */
  public record GetStats(ActorRef<HintStats> replyTo) implements Command {}

  /**
   * The state of one target's hints: {@code queued} keys, {@code oldestCreatedAtMillis} (-1 when
   * none), counts of hints delivered, dropped (refused when full; since the actor started) and
   * expired, the {@code bytes} of the queued objects and the hints refused for lack of byte budget
   * (this target's or the node's; since the actor started).
   */
  public record HintStats(
      ReplicaId target, int queued, long oldestCreatedAtMillis, long delivered, long dropped,
      long expired, long bytes, long refusedBudget) implements CborSerializable {
    public static HintStats empty(ReplicaId target) {
      return new HintStats(target, 0, -1, 0, 0, 0, 0, 0);
    }
  }

  private enum Deliver implements Command { INSTANCE }

  private record Delivered(String key, String digest, boolean ok, String failure) implements Command {}

  /** Events of the hint journal. */
  public interface Event extends CborSerializable {}

  /** A hint was queued (merged into the queued one of the same key, if any). */
  public record HintAdded(String key, byte[] object, long createdAtMillis) implements Event {
    HintQueue.Hint hint() {
      return new HintQueue.Hint(key, object, createdAtMillis);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof HintAdded e && hint().equals(e.hint());
    }

    @Override
    public int hashCode() {
      return hint().hashCode();
    }

    @Override
    public String toString() {
      return "HintAdded[" + key + ", " + object.length + " bytes, created " + createdAtMillis + "]";
    }
  }

  /** The target acked the queued object with this digest; removed unless a newer one replaced it. */
  public record HintDelivered(String key, String objectDigest) implements Event {}

  /** The key's hint outlived the hint window and was dropped. */
  public record HintExpired(String key) implements Event {}

  /** The hints queued for the target and the counts that survive restarts. Owns its transitions. */
  public record State(HintQueue queue, long delivered, long expired) implements CborSerializable {
    public static final State EMPTY = new State(HintQueue.empty(), 0, 0);

    State hintAdded(HintAdded event) {
      return new State(queue.add(event.hint()), delivered, expired);
    }

    State hintDelivered(HintDelivered event) {
      HintQueue next = queue.removeIfCurrent(event.key(), event.objectDigest());
      return next == queue ? this : new State(next, delivered + 1, expired);
    }

    State hintExpired(HintExpired event) {
      HintQueue next = queue.remove(event.key());
      return next == queue ? this : new State(next, delivered, expired + 1);
    }
  }

  private static final Object DELIVERY_TIMER = "deliver";

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ReplicaId target;
  private final ReplicaDirectory directory;
  private final HintSettings settings;
  private final LongSupplier clock;
  private final HintBudget budget;
  /** Bytes of the state's queue this store has added to the node's budget. */
  private long accounted;
  /** Bytes reserved in the budget for a hint being persisted. */
  private long reserved;
  private long refusedBudget;
  /** Keys awaiting an ack, with the digest of the object sent. Not persisted. */
  private final Map<String, String> inFlight = new HashMap<>();
  /** The last key sent: the next round starts after it. */
  private String cursor;
  private long dropped;

  /** A hint store for {@code target}, reaching it through {@code directory}. */
  public static Behavior<Command> create(
      ReplicaId target, ReplicaDirectory directory, HintSettings settings) {
    return create(target, directory, settings, System::currentTimeMillis);
  }

  /** As {@link #create(ReplicaId, ReplicaDirectory, HintSettings)} with a clock (ms) for expiry. */
  static Behavior<Command> create(
      ReplicaId target, ReplicaDirectory directory, HintSettings settings, LongSupplier clock) {
    return create(target, directory, settings, clock, HintBudget.of(settings.maxHintBytes()));
  }

  /** With the node's shared {@code budget} (see {@link HintManager}). */
  static Behavior<Command> create(
      ReplicaId target, ReplicaDirectory directory, HintSettings settings, LongSupplier clock,
      HintBudget budget) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new HintStore(ctx, timers, target, directory, settings, clock, budget)));
  }

  public static PersistenceId persistenceId(ReplicaId target) {
    return PersistenceId.of("hints", target.id());
  }

  private HintStore(
      ActorContext<Command> ctx, TimerScheduler<Command> timers, ReplicaId target,
      ReplicaDirectory directory, HintSettings settings, LongSupplier clock, HintBudget budget) {
    super(persistenceId(target));
    this.budget = budget;
    this.ctx = ctx;
    this.timers = timers;
    this.target = target;
    this.directory = directory;
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(StoreHint.class, this::onStoreHint)
        .onCommand(Deliver.class, this::onDeliver)
        .onCommand(TargetReachable.class, this::onTargetReachable)
        .onCommand(Delivered.class, this::onDelivered)
        .onCommand(GetStats.class, this::onGetStats)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(HintAdded.class, State::hintAdded)
        .onEvent(HintDelivered.class, State::hintDelivered)
        .onEvent(HintExpired.class, State::hintExpired)
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .onSignal(PostStop.instance(), state -> releaseAll())
        .build();
  }

  private void onRecoveryCompleted(State state) {
    account(state);
    if (!state.queue().isEmpty()) {
      ctx.getLog().info("hints for {}: {} queued after recovery", target, state.queue().size());
    }
    updateTimer(state);
  }

  private ReplyEffect<Event, State> onStoreHint(State state, StoreHint cmd) {
    try {
      StoredObjectCodec.decode(cmd.object());
    } catch (IllegalArgumentException | NullPointerException e) {
      return refuse(cmd, "not a stored object: " + e.getMessage());
    }
    if (cmd.key() == null || cmd.key().isEmpty()) {
      return refuse(cmd, "empty key");
    }
    if (!state.queue().contains(cmd.key()) && state.queue().size() >= settings.maxHintsPerTarget()) {
      dropped++;
      return refuse(cmd, "hint queue for " + target + " is full ("
          + settings.maxHintsPerTarget() + " keys)");
    }
    long size = cmd.object().length;
    if (state.queue().bytes() + size > settings.maxHintBytesPerTarget()) {
      return refuseForBudget(cmd, "hints for " + target + " are at their byte budget ("
          + settings.maxHintBytesPerTarget() + " bytes)");
    }
    if (cmd.reservedBytes() == 0 && !budget.tryAcquire(size)) {
      return refuseForBudget(cmd, "this node's hints are at their byte budget ("
          + budget.maxBytes() + " bytes)");
    }
    reserved = cmd.reservedBytes() == 0 ? size : cmd.reservedBytes();
    return Effect()
        .persist(new HintAdded(cmd.key(), cmd.object(), clock.getAsLong()))
        .thenRun(this::account)
        .thenRun(this::updateTimer)
        .thenReply(cmd.replyTo(), s -> new HintStoreReply(target, cmd.key(), true, null));
  }

  private ReplyEffect<Event, State> refuseForBudget(StoreHint cmd, String reason) {
    refusedBudget++;
    budget.countRefusal();
    return refuse(cmd, reason);
  }

  /**
   * Brings the node's budget in line with the state's queue: the queue's bytes replace what this
   * store accounted before and the reservation of the hint just persisted. Commands are stashed while
   * an event is persisted, so at most one reservation is pending.
   */
  private void account(State state) {
    long bytes = state.queue().bytes();
    budget.add(bytes - accounted - reserved);
    accounted = bytes;
    reserved = 0;
  }

  private void releaseAll() {
    budget.release(accounted + reserved);
    accounted = 0;
    reserved = 0;
  }

  private ReplyEffect<Event, State> refuse(StoreHint cmd, String reason) {
    budget.release(cmd.reservedBytes());
    return Effect().reply(cmd.replyTo(), new HintStoreReply(target, cmd.key(), false, reason));
  }

  private ReplyEffect<Event, State> onTargetReachable(State state, TargetReachable cmd) {
    return deliveryRound(state);
  }

  private ReplyEffect<Event, State> onDeliver(State state, Deliver cmd) {
    return deliveryRound(state);
  }

  private ReplyEffect<Event, State> deliveryRound(State state) {
    List<String> expired =
        state.queue().createdBefore(clock.getAsLong() - settings.hintWindow().toMillis());
    if (!expired.isEmpty()) {
      ctx.getLog().info("hints for {}: {} older than {} dropped (anti-entropy repairs them)",
          target, expired.size(), settings.hintWindow());
      List<Event> events = expired.stream().<Event>map(HintExpired::new).toList();
      return Effect().persist(events).thenRun(this::account).thenRun(this::sendHints)
          .thenRun(this::updateTimer).thenNoReply();
    }
    return Effect().none().thenRun(this::sendHints).thenNoReply();
  }

  private ReplyEffect<Event, State> onDelivered(State state, Delivered result) {
    inFlight.remove(result.key());
    if (!result.ok()) {
      ctx.getLog().debug("hint {} for {} not delivered ({}); retried next round",
          LogText.escape(result.key()), target, LogText.escape(result.failure()));
      return Effect().noReply();
    }
    boolean current = state.queue().get(result.key())
        .filter(h -> h.digest().equals(result.digest())).isPresent();
    if (!current) {
      // a newer (merged) hint for the key is queued, or the hint expired meanwhile: keep going
      return Effect().none().thenRun(this::sendHints).thenNoReply();
    }
    return Effect().persist(new HintDelivered(result.key(), result.digest()))
        .thenRun(s -> ctx.getLog().info("hint delivered: target={} key={} queued={}",
            target, LogText.escape(result.key()), s.queue().size()))
        .thenRun(this::account)
        .thenRun(this::sendHints)
        .thenRun(this::updateTimer)
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onGetStats(State state, GetStats cmd) {
    return Effect().reply(cmd.replyTo(), new HintStats(target, state.queue().size(),
        state.queue().oldestCreatedAtMillis(), state.delivered(), dropped, state.expired(),
        state.queue().bytes(), refusedBudget));
  }

  /** Sends queued hints that are not in flight until {@code max-in-flight} await an ack. */
  private void sendHints(State state) {
    int free = settings.maxInFlight() - inFlight.size();
    if (free <= 0 || state.queue().isEmpty()) {
      return;
    }
    for (HintQueue.Hint hint : state.queue().startingAfter(cursor, state.queue().size())) {
      if (free == 0) {
        break;
      }
      if (!inFlight.containsKey(hint.key())) {
        send(hint);
        free--;
      }
    }
  }

  private void send(HintQueue.Hint hint) {
    String digest = hint.digest();
    inFlight.put(hint.key(), digest);
    cursor = hint.key();
    ctx.ask(
        ReplicaEntity.Replicated.class,
        directory.entity(target),
        settings.deliveryTimeout(),
        replyTo -> new ReplicaEntity.Replicate(hint.key(), hint.object(), replyTo),
        (reply, failure) -> new Delivered(hint.key(), digest, reply != null && reply.ok(),
            failure != null ? failure.toString() : reply.ok() ? null : "target replied not ok"));
  }

  /** A delivery round every retry interval while hints are queued, none otherwise. */
  private void updateTimer(State state) {
    if (state.queue().isEmpty()) {
      timers.cancel(DELIVERY_TIMER);
    } else if (!timers.isTimerActive(DELIVERY_TIMER)) {
      timers.startTimerWithFixedDelay(DELIVERY_TIMER, Deliver.INSTANCE, settings.retryInterval());
    }
  }
}
