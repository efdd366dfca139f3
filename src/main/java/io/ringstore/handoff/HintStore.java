package io.ringstore.handoff;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.ringstore.CborSerializable;
import io.ringstore.config.LogText;
import io.ringstore.replica.PeerQueue;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.storage.ObjectParts;
import io.ringstore.storage.StoredObjectCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The persistent mailbox of hints for one target replica entity on the node that holds them (one
 * per target, persistence id {@code hints|p:r} in the node-local journal). A hint is acknowledged
 * to the coordinator only after its value is stored ({@link HintValues}) and its {@link HintAdded}
 * event is in the journal, and is removed only after the target acknowledged storing exactly that
 * object ({@link HintDelivered}), so a hinted write survives a crash of its holder (DESIGN
 * invariant 1). While hints are queued it delivers them through sharding every {@code
 * retry-interval} and whenever a member becomes reachable or up, wherever the target lives then, so
 * the replicas converge once faults heal (invariant 4).
 *
 * <p>The state (and its snapshots) is an index: per queued key the object's digest, size and
 * creation time. The objects are on disk and read back, off the actor (storage dispatcher, then
 * {@code pipeToSelf}), to deliver them and to merge a new hint into the queued one; at most {@code
 * max-in-flight} reads per store and, node-wide, the delivery budget's bytes of values are in
 * memory at once (invariant 6). A value is written before the event that names it and deleted after
 * the event that removes it; after recovery the store deletes the values no event names (a crash
 * between the two steps) before it takes a command, and a queued hint whose value is missing or
 * does not match its digest is logged at ERROR, counted ({@link HintStats#lost()}, persisted) and
 * dropped ({@link HintLost}): anti-entropy repairs that key.
 *
 * <p>Hints older than the hint window are dropped ({@link HintExpired}) rather than delivered:
 * anti-entropy repairs those keys. Hints refused because the queue is full are counted in {@link
 * HintStats#dropped()}, in memory only (the count restarts at 0 with the actor); the delivered,
 * expired and lost counts are part of the persisted state.
 *
 * <p>The queued objects' bytes on disk are budgeted: a new hint is persisted only if its bytes fit
 * both under this target's {@code max-hint-bytes-per-target} and, reserved in the node's shared
 * {@link HintBudget}, under {@code max-hint-bytes}; otherwise it is refused (counted in {@link
 * HintStats#refusedBudget()}) and the coordinator does not count it toward W.
 */
public final class HintStore
    extends EventSourcedBehaviorWithEnforcedReplies<
        HintStore.Command, HintStore.Event, HintStore.State> {

  /** Messages a hint store accepts. */
  public interface Command extends CborSerializable {}

  /**
   * Sent (through {@link HintManager}) by a write coordinator whose target replica did not ack:
   * queue {@code object} (an encoded stored object) for {@code key}. The reply comes once the hint
   * is in the journal ({@code accepted}), or at once when it is refused (queue full, invalid
   * object). The hint's age (for {@code hint-window}) counts from when this store accepted it, on
   * this node's clock: the coordinator sends no time, so the expiry needs no two clocks to agree
   * (issue 10, item 5). Acceptance comes after the coordinator made the object by the request's
   * delay (at most the request timeout), far inside the gap that tombstones.grace-period keeps
   * above hint-window. {@code reservedBytes}: the object's bytes, when the {@link HintManager}
   * already reserved them in the node's {@link HintBudget} (so hints waiting in mailboxes count
   * too); 0 when not.
   */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record StoreHint(
      String key, byte[] object, long reservedBytes, ActorRef<HintStoreReply> replyTo)
      implements Command {
    /** A hint whose bytes are not reserved yet: the store reserves them in the node's budget. */
    public StoreHint(String key, byte[] object, ActorRef<HintStoreReply> replyTo) {
      this(key, object, 0, replyTo);
    }
  }

  /**
   * Answer to {@link StoreHint}: {@code accepted} only once persisted; {@code reason} when refused.
   */
  public record HintStoreReply(ReplicaId target, String key, boolean accepted, String reason)
      implements CborSerializable {}

  /** Sent by the {@link HintManager} when a member became reachable or up: deliver now. */
  public enum TargetReachable implements Command {
    INSTANCE
  }

  /** Asks for this store's {@link HintStats}; answered at once. */
  public record GetStats(ActorRef<HintStats> replyTo) implements Command {}

  /**
   * The state of one target's hints: {@code queued} keys, {@code oldestCreatedAtMillis} (-1 when
   * none), counts of hints delivered, dropped (refused when full; since the actor started) and
   * expired, the {@code bytes} of the queued objects (on disk), the hints refused for lack of byte
   * budget (this target's or the node's; since the actor started), the hints {@code lost}: queued,
   * but their value was missing or damaged on disk, and the {@code deliveredBytes} of the objects
   * delivered (since the actor started).
   */
  public record HintStats(
      ReplicaId target,
      int queued,
      long oldestCreatedAtMillis,
      long delivered,
      long dropped,
      long expired,
      long bytes,
      long refusedBudget,
      long lost,
      long deliveredBytes)
      implements CborSerializable {
    public static HintStats empty(ReplicaId target) {
      return new HintStats(target, 0, -1, 0, 0, 0, 0, 0, 0, 0);
    }
  }

  private enum Deliver implements Command {
    INSTANCE
  }

  /** Internal messages: never sent to another node, not serialized. */
  private interface Internal extends Command, NoSerializationVerificationNeeded {}

  /** The ack (or its absence) of one part of the delivery {@code attempt} of a key's hint. */
  private record Delivered(String key, String digest, long attempt, boolean ok, String failure)
      implements Internal {}

  /** The values check after recovery ({@code failure} when it could not be made). */
  private record ValuesChecked(HintStoreValues.Checked checked, String failure)
      implements Internal {}

  /** A new hint's value is stored ({@code failure} when not). */
  private record ValueStored(StoreHint cmd, HintStoreValues.Stored stored, String failure)
      implements Internal {}

  /** A queued value read for delivery ({@code failure} when it could not be read). */
  private record ValueRead(HintQueue.Hint hint, HintStoreValues.Read read, String failure)
      implements Internal {}

  private record ValuesDeleted(int count, String failure) implements Internal {}

  /** Events of the hint journal. */
  public interface Event extends CborSerializable {}

  /**
   * A hint was queued: the index entry of its object (stored in {@link HintValues} before this
   * event is persisted), which replaces the key's entry (a merge of the queued and the new object).
   */
  public record HintAdded(String key, String digest, long bytes, long createdAtMillis, long ref)
      implements Event {
    HintAdded(HintQueue.Hint hint) {
      this(hint.key(), hint.digest(), hint.bytes(), hint.createdAtMillis(), hint.ref());
    }

    /**
     * Reads this event, or one written before the values moved out of the journal (it carried the
     * {@code object} itself): that one becomes the index entry of its object, whose value is then
     * missing, so the store drops the hint loudly after recovery (logged at ERROR, counted).
     */
    @JsonCreator
    static HintAdded fromJson(
        @JsonProperty("key") String key,
        @JsonProperty("digest") String digest,
        @JsonProperty("bytes") long bytes,
        @JsonProperty("createdAtMillis") long createdAtMillis,
        @JsonProperty("ref") long ref,
        @JsonProperty("object") byte[] object) {
      return digest == null && object != null
          ? new HintAdded(HintQueue.Hint.of(key, object, createdAtMillis, 0))
          : new HintAdded(key, digest, bytes, createdAtMillis, ref);
    }

    HintQueue.Hint hint() {
      return new HintQueue.Hint(key, digest, bytes, createdAtMillis, ref);
    }
  }

  /**
   * The target acked the queued object with this digest; removed unless a newer one replaced it.
   */
  public record HintDelivered(String key, String objectDigest) implements Event {}

  /** The key's hint outlived the hint window and was dropped. */
  public record HintExpired(String key) implements Event {}

  /** The key's queued object (this digest) was missing or damaged on disk: dropped and counted. */
  public record HintLost(String key, String objectDigest) implements Event {}

  /** The index of the hints queued for the target and the counts that survive restarts. */
  public record State(HintQueue queue, long delivered, long expired, long lost)
      implements CborSerializable {
    public static final State EMPTY = new State(HintQueue.empty(), 0, 0, 0);

    State hintAdded(HintAdded event) {
      return new State(queue.add(event.hint()), delivered, expired, lost);
    }

    @SuppressWarnings("ReferenceEquality") // the queue returns itself when nothing was removed
    State hintDelivered(HintDelivered event) {
      HintQueue next = queue.removeIfCurrent(event.key(), event.objectDigest());
      return next == queue ? this : new State(next, delivered + 1, expired, lost);
    }

    @SuppressWarnings("ReferenceEquality") // the queue returns itself when nothing was removed
    State hintExpired(HintExpired event) {
      HintQueue next = queue.remove(event.key());
      return next == queue ? this : new State(next, delivered, expired + 1, lost);
    }

    @SuppressWarnings("ReferenceEquality") // the queue returns itself when nothing was removed
    State hintLost(HintLost event) {
      HintQueue next = queue.removeIfCurrent(event.key(), event.objectDigest());
      return next == queue ? this : new State(next, delivered, expired, lost + 1);
    }
  }

  private static final Object DELIVERY_TIMER = "deliver";

  /**
   * A value being read or delivered (its size is what it holds of the delivery budget); {@code
   * attempt} tells its acks from those of an earlier delivery of the same key.
   */
  private record InFlight(HintQueue.Hint hint, long attempt) {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ReplicaId target;
  private final ReplicaDirectory directory;
  private final HintSettings settings;
  private final LongSupplier clock;
  private final HintBudget budget;
  private final HintBudget deliveryBudget;

  /** Bytes of hints handed to stores and not yet on disk (reserved by the {@link HintManager}). */
  private final HintBudget pendingBudget;

  private final HintStoreValues disk;

  /** Bytes of the state's queue this store has added to the node's budget. */
  private long accounted;

  /** Bytes reserved in the budget for a hint being stored or persisted. */
  private long reserved;

  private long refusedBudget;

  /** False until the values are checked against the recovered index: commands wait (stashed). */
  private boolean checked;

  /** True while a new hint's value is being stored: further hints wait (stashed). */
  private boolean storing;

  /** Keys being read or awaiting an ack. Not persisted. */
  private final Map<String, InFlight> inFlight = new HashMap<>();

  /** Parts of a delivery still unacked, by attempt (a large merged hint goes in parts). */
  private final Map<Long, Integer> partsLeft = new HashMap<>();

  private long attempts;

  /** Attempts whose later parts the peer's queue bound held back: not delivered, sent again. */
  private final Set<Long> cutAttempts = new HashSet<>();

  private final PeerQueue peerQueue;

  /** The last key sent: the next round starts after it. */
  private String cursor;

  private long dropped;

  /** Bytes of the objects delivered since this actor started. */
  private long deliveredBytes;

  /**
   * A hint store for {@code target}, reaching it through {@code directory}, its values in {@code
   * values}, with the node's shared byte budgets for hints on disk, values in delivery and hints on
   * their way to disk (whose bytes the {@link HintManager} reserved: this store gives them back
   * once the hint's value is on disk or refused).
   */
  static Behavior<Command> create(
      ReplicaId target,
      ReplicaDirectory directory,
      HintSettings settings,
      HintValues values,
      LongSupplier clock,
      HintBudget budget,
      HintBudget deliveryBudget,
      HintBudget pendingBudget) {
    return create(
        target,
        directory,
        settings,
        values,
        clock,
        budget,
        deliveryBudget,
        pendingBudget,
        PeerQueue.UNBOUNDED);
  }

  /** With the node's bound on bytes queued to each peer, which deliveries count against. */
  static Behavior<Command> create(
      ReplicaId target,
      ReplicaDirectory directory,
      HintSettings settings,
      HintValues values,
      LongSupplier clock,
      HintBudget budget,
      HintBudget deliveryBudget,
      HintBudget pendingBudget,
      PeerQueue peerQueue) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new HintStore(
                        ctx,
                        timers,
                        target,
                        directory,
                        settings,
                        values,
                        clock,
                        budget,
                        deliveryBudget,
                        pendingBudget,
                        peerQueue)));
  }

  /** With budgets of its own (tests of one store). */
  static Behavior<Command> create(
      ReplicaId target,
      ReplicaDirectory directory,
      HintSettings settings,
      HintValues values,
      LongSupplier clock) {
    return create(
        target,
        directory,
        settings,
        values,
        clock,
        HintBudget.of(settings.maxHintBytes()),
        HintBudget.of(settings.maxDeliveryBytes()),
        HintBudget.of(settings.maxDeliveryBytes()));
  }

  public static PersistenceId persistenceId(ReplicaId target) {
    return PersistenceId.of("hints", target.id());
  }

  private HintStore(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ReplicaId target,
      ReplicaDirectory directory,
      HintSettings settings,
      HintValues values,
      LongSupplier clock,
      HintBudget budget,
      HintBudget deliveryBudget,
      HintBudget pendingBudget,
      PeerQueue peerQueue) {
    super(persistenceId(target));
    this.budget = budget;
    this.deliveryBudget = deliveryBudget;
    this.pendingBudget = pendingBudget;
    this.peerQueue = peerQueue;
    this.disk = new HintStoreValues(values, persistenceId(target).id());
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

  /** Events carry no values, so old events and snapshots may go: the state is the whole index. */
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
        .onCommand(GetStats.class, this::onGetStats)
        .onCommand(ValuesChecked.class, this::onValuesChecked)
        .onCommand(ValueStored.class, this::onValueStored)
        .onCommand(ValueRead.class, this::onValueRead)
        .onCommand(Delivered.class, this::onDelivered)
        .onCommand(ValuesDeleted.class, this::onValuesDeleted)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(HintAdded.class, State::hintAdded)
        .onEvent(HintDelivered.class, State::hintDelivered)
        .onEvent(HintExpired.class, State::hintExpired)
        .onEvent(HintLost.class, State::hintLost)
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .onSignal(PostStop.instance(), state -> releaseAll())
        .build();
  }

  /**
   * Accounts the recovered hints, then checks the values on disk against the index before any
   * command is taken: values no event names (a crash after the value was stored and before its
   * event, or after the event that removed it) are deleted, and queued hints whose value is missing
   * are reported.
   */
  private void onRecoveryCompleted(State state) {
    account(state);
    if (!state.queue().isEmpty()) {
      ctx.getLog().info("hints for {}: {} queued after recovery", target, state.queue().size());
    }
    ctx.pipeToSelf(
        disk.check(state.queue().toList()),
        (checked, failure) -> new ValuesChecked(checked, describe(failure)));
    updateTimer(state);
  }

  private ReplyEffect<Event, State> onValuesChecked(State state, ValuesChecked result) {
    checked = true;
    if (result.failure() != null) {
      ctx.getLog()
          .error(
              "hints for {}: cannot check their values on disk ({}); a missing value is"
                  + " found when its hint is delivered",
              target,
              LogText.escape(result.failure()));
      return replyEffect(Effect().none().thenUnstashAll());
    }
    HintStoreValues.Checked found = result.checked();
    if (found.orphans() > 0) {
      ctx.getLog()
          .info(
              "hints for {}: {} values no hint names (left by a crash) deleted",
              target,
              found.orphans());
    }
    if (found.missing().isEmpty()) {
      return replyEffect(Effect().none().thenUnstashAll());
    }
    ctx.getLog()
        .error(
            "hints for {}: {} queued hints have no value on disk and are dropped"
                + " (anti-entropy repairs those keys), e.g. key {}",
            target,
            found.missing().size(),
            LogText.escape(found.missing().get(0).key()));
    List<Event> lost =
        found.missing().stream().<Event>map(h -> new HintLost(h.key(), h.digest())).toList();
    return replyEffect(
        Effect().persist(lost).thenRun(this::account).thenRun(this::updateTimer).thenUnstashAll());
  }

  private ReplyEffect<Event, State> onStoreHint(State state, StoreHint cmd) {
    if (!checked || storing) {
      return Effect().stash();
    }
    try {
      StoredObjectCodec.decode(cmd.object());
    } catch (IllegalArgumentException | NullPointerException e) {
      return refuse(cmd, "not a stored object: " + e.getMessage());
    }
    if (cmd.key() == null || cmd.key().isEmpty()) {
      return refuse(cmd, "empty key");
    }
    if (!state.queue().contains(cmd.key())
        && state.queue().size() >= settings.maxHintsPerTarget()) {
      dropped++;
      return refuse(
          cmd, "hint queue for " + target + " is full (" + settings.maxHintsPerTarget() + " keys)");
    }
    long size = cmd.object().length;
    if (state.queue().bytes() + size > settings.maxHintBytesPerTarget()) {
      return refuseForBudget(
          cmd,
          "hints for "
              + target
              + " are at their byte budget ("
              + settings.maxHintBytesPerTarget()
              + " bytes)");
    }
    if (cmd.reservedBytes() == 0 && !budget.tryAcquire(size)) {
      return refuseForBudget(
          cmd, "this node's hints are at their byte budget (" + budget.maxBytes() + " bytes)");
    }
    reserved = cmd.reservedBytes() == 0 ? size : cmd.reservedBytes();
    storing = true;
    ctx.pipeToSelf(
        disk.store(state.queue().get(cmd.key()), cmd.key(), cmd.object(), clock.getAsLong()),
        (stored, failure) -> new ValueStored(cmd, stored, describe(failure)));
    return Effect().noReply();
  }

  private static String describe(Throwable failure) {
    return failure == null
        ? null
        : String.valueOf(failure.getCause() != null ? failure.getCause() : failure);
  }

  private ReplyEffect<Event, State> onValueStored(State state, ValueStored stored) {
    storing = false;
    StoreHint cmd = stored.cmd();
    pendingBudget.release(cmd.reservedBytes());
    if (stored.failure() != null) {
      ctx.getLog()
          .warn(
              "hints for {}: the value of a hint for {} could not be stored, hint refused:" + " {}",
              target,
              LogText.escape(cmd.key()),
              LogText.escape(stored.failure()));
      budget.release(reserved);
      reserved = 0;
      HintStoreReply refused =
          new HintStoreReply(target, cmd.key(), false, "the hint could not be stored");
      return replyEffect(
          Effect().none().thenRun(() -> cmd.replyTo().tell(refused)).thenUnstashAll());
    }
    List<Event> events = new ArrayList<>(2);
    HintQueue.Hint old = stored.stored().replaced();
    // a value deleted meanwhile because its hint was delivered or expired is not lost
    if (stored.stored().replacedLost() && state.queue().get(cmd.key()).equals(Optional.of(old))) {
      ctx.getLog()
          .error(
              "hints for {}: the queued value of key {} is missing or damaged on disk;"
                  + " the new hint replaces it (anti-entropy repairs the rest)",
              target,
              LogText.escape(cmd.key()));
      events.add(new HintLost(cmd.key(), old.digest()));
    }
    events.add(new HintAdded(stored.stored().hint()));
    List<HintQueue.Hint> replaced = old == null ? List.of() : List.of(old);
    HintStoreReply accepted = new HintStoreReply(target, cmd.key(), true, null);
    return replyEffect(
        Effect()
            .persist(events)
            .thenRun(this::account)
            .thenRun(this::updateTimer)
            .thenRun(() -> deleteValues(replaced))
            .thenRun(() -> cmd.replyTo().tell(accepted))
            .thenUnstashAll());
  }

  private ReplyEffect<Event, State> refuseForBudget(StoreHint cmd, String reason) {
    refusedBudget++;
    budget.countRefusal();
    return refuse(cmd, reason);
  }

  /**
   * Brings the node's budget in line with the state's queue: the queue's bytes replace what this
   * store accounted before and the reservation of the hint just persisted. New hints wait while one
   * is stored or persisted, so at most one reservation is pending.
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
    inFlight.values().forEach(f -> deliveryBudget.release(f.hint().bytes()));
    inFlight.clear();
    partsLeft.clear();
    cutAttempts.clear();
  }

  private ReplyEffect<Event, State> refuse(StoreHint cmd, String reason) {
    budget.release(cmd.reservedBytes());
    pendingBudget.release(cmd.reservedBytes());
    return Effect().reply(cmd.replyTo(), new HintStoreReply(target, cmd.key(), false, reason));
  }

  private ReplyEffect<Event, State> onTargetReachable(State state, TargetReachable cmd) {
    return checked ? deliveryRound(state) : Effect().stash();
  }

  private ReplyEffect<Event, State> onDeliver(State state, Deliver cmd) {
    return checked ? deliveryRound(state) : Effect().stash();
  }

  private ReplyEffect<Event, State> deliveryRound(State state) {
    List<String> expired =
        state.queue().createdBefore(clock.getAsLong() - settings.hintWindow().toMillis());
    if (!expired.isEmpty()) {
      ctx.getLog()
          .info(
              "hints for {}: {} older than {} dropped (anti-entropy repairs them)",
              target,
              expired.size(),
              settings.hintWindow());
      List<HintQueue.Hint> ids =
          expired.stream().map(key -> state.queue().get(key).orElseThrow()).toList();
      List<Event> events = expired.stream().<Event>map(HintExpired::new).toList();
      return Effect()
          .persist(events)
          .thenRun(this::account)
          .thenRun(() -> deleteValues(ids))
          .thenRun(this::sendHints)
          .thenRun(this::updateTimer)
          .thenNoReply();
    }
    return Effect().none().thenRun(this::sendHints).thenNoReply();
  }

  private ReplyEffect<Event, State> onValueRead(State state, ValueRead read) {
    HintQueue.Hint hint = read.hint();
    InFlight pending = inFlight.get(hint.key());
    if (pending == null || !pending.hint().equals(hint)) {
      return Effect().noReply();
    }
    boolean current = state.queue().get(hint.key()).equals(Optional.of(hint));
    byte[] object = read.failure() == null ? read.read().object() : null;
    if (object == null || !current) {
      inFlight.remove(hint.key());
      deliveryBudget.release(hint.bytes());
    }
    if (read.failure() != null) {
      ctx.getLog()
          .warn(
              "hints for {}: cannot read the value of key {} ({}); retried next round",
              target,
              LogText.escape(hint.key()),
              LogText.escape(read.failure()));
      return Effect().noReply();
    }
    if (!current) {
      return Effect().none().thenRun(this::sendHints).thenNoReply();
    }
    if (object == null) {
      ctx.getLog()
          .error(
              "hints for {}: the value of the hint for key {} is {} on disk; the hint is"
                  + " dropped (anti-entropy repairs the key)",
              target,
              LogText.escape(hint.key()),
              read.read().lost());
      List<HintQueue.Hint> damaged = List.of(hint);
      return Effect()
          .persist(new HintLost(hint.key(), hint.digest()))
          .thenRun(this::account)
          .thenRun(() -> deleteValues(damaged))
          .thenRun(this::sendHints)
          .thenRun(this::updateTimer)
          .thenNoReply();
    }
    String key = hint.key();
    String digest = hint.digest();
    long attempt = pending.attempt();
    // hints of one key merged past what one message carries go in parts (ObjectParts); the hint is
    // delivered when every part is acked
    List<byte[]> parts = ObjectParts.split(object, settings.maxPartBytes());
    // every part counts against the node's bound on bytes queued to the target's node; past it the
    // rest waits for the next round
    Optional<String> node = directory.remoteNodeOf(target);
    int sent = 0;
    for (byte[] part : parts) {
      if (node.isPresent() && !peerQueue.tryAcquire(node.get(), part.length)) {
        break;
      }
      sent++;
    }
    if (sent == 0) {
      inFlight.remove(key);
      deliveryBudget.release(hint.bytes());
      ctx.getLog()
          .debug(
              "hint {} for {} not sent: the queue to {} is full; retried next round",
              LogText.escape(key),
              target,
              node.orElse("?"));
      return Effect().noReply();
    }
    if (sent < parts.size()) {
      cutAttempts.add(attempt);
    }
    partsLeft.put(attempt, sent);
    for (byte[] part : parts.subList(0, sent)) {
      ctx.ask(
          ReplicaEntity.Replicated.class,
          directory.entity(target),
          settings.deliveryTimeout(),
          replyTo -> new ReplicaEntity.Replicate(key, part, replyTo),
          (reply, failure) ->
              new Delivered(
                  key,
                  digest,
                  attempt,
                  reply != null && reply.ok(),
                  failure != null
                      ? failure.toString()
                      : reply.ok() ? null : "target replied not ok"));
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onDelivered(State state, Delivered result) {
    InFlight done = inFlight.get(result.key());
    if (done == null || done.attempt() != result.attempt()) {
      return Effect().noReply(); // an ack of an attempt already given up
    }
    int left = partsLeft.getOrDefault(result.attempt(), 1) - 1;
    if (result.ok() && left > 0) {
      partsLeft.put(result.attempt(), left);
      return Effect().noReply();
    }
    partsLeft.remove(result.attempt());
    boolean cut = cutAttempts.remove(result.attempt());
    inFlight.remove(result.key());
    deliveryBudget.release(done.hint().bytes());
    if (!result.ok() || cut) {
      ctx.getLog()
          .debug(
              "hint {} for {} not delivered ({}); retried next round",
              LogText.escape(result.key()),
              target,
              LogText.escape(
                  result.ok() ? "the queue to its node was full for a part" : result.failure()));
      return Effect().noReply();
    }
    Optional<HintQueue.Hint> current =
        state.queue().get(result.key()).filter(h -> h.digest().equals(result.digest()));
    if (current.isEmpty()) {
      // a newer (merged) hint for the key is queued, or the hint expired meanwhile: keep going
      return Effect().none().thenRun(this::sendHints).thenNoReply();
    }
    List<HintQueue.Hint> deliveredValue = List.of(current.get());
    long bytes = current.get().bytes();
    return Effect()
        .persist(new HintDelivered(result.key(), result.digest()))
        .thenRun(() -> deliveredBytes += bytes)
        .thenRun(
            s ->
                ctx.getLog()
                    .info(
                        "hint delivered: target={} key={} queued={}",
                        target,
                        LogText.escape(result.key()),
                        s.queue().size()))
        .thenRun(this::account)
        .thenRun(() -> deleteValues(deliveredValue))
        .thenRun(this::sendHints)
        .thenRun(this::updateTimer)
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onValuesDeleted(State state, ValuesDeleted deleted) {
    if (deleted.failure() != null) {
      ctx.getLog()
          .warn(
              "hints for {}: {} values no longer queued could not be deleted now ({});"
                  + " they are deleted at the next start",
              target,
              deleted.count(),
              LogText.escape(deleted.failure()));
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onGetStats(State state, GetStats cmd) {
    if (!checked) {
      return Effect().stash();
    }
    return Effect()
        .reply(
            cmd.replyTo(),
            new HintStats(
                target,
                state.queue().size(),
                state.queue().oldestCreatedAtMillis(),
                state.delivered(),
                dropped,
                state.expired(),
                state.queue().bytes(),
                refusedBudget,
                state.lost(),
                deliveredBytes));
  }

  /** Deletes values after the events that removed them are persisted (a failure: next start). */
  private void deleteValues(List<HintQueue.Hint> hints) {
    if (!hints.isEmpty()) {
      ctx.pipeToSelf(
          disk.delete(hints),
          (done, failure) -> new ValuesDeleted(hints.size(), describe(failure)));
    }
  }

  /**
   * Reads queued values that are not in flight for delivery, until {@code max-in-flight} are read
   * or await an ack, or the node's delivery budget is spent (one value is always allowed when the
   * budget is unused, so a value larger than the budget is still delivered).
   */
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
        if (!deliveryBudget.tryAcquireOrAlone(hint.bytes())) {
          break;
        }
        read(hint);
        free--;
      }
    }
  }

  private void read(HintQueue.Hint hint) {
    inFlight.put(hint.key(), new InFlight(hint, ++attempts));
    cursor = hint.key();
    ctx.pipeToSelf(
        disk.read(hint), (read, failure) -> new ValueRead(hint, read, describe(failure)));
  }

  /** A delivery round every retry interval while hints are queued, none otherwise. */
  private void updateTimer(State state) {
    if (state.queue().isEmpty()) {
      timers.cancel(DELIVERY_TIMER);
    } else if (!timers.isTimerActive(DELIVERY_TIMER)) {
      timers.startTimerWithFixedDelay(DELIVERY_TIMER, Deliver.INSTANCE, settings.retryInterval());
    }
  }

  /**
   * An effect that ends in {@code thenUnstashAll()} as a reply effect: it replies (if at all) from
   * its side effects. Pekko's effects all implement both interfaces; the Java API's type for {@code
   * thenUnstashAll} just does not say so.
   */
  @SuppressWarnings("unchecked")
  private static ReplyEffect<Event, State> replyEffect(Effect<Event, State> effect) {
    return (ReplyEffect<Event, State>) effect;
  }
}
