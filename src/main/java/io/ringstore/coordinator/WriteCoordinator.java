package io.ringstore.coordinator;

import io.ringstore.config.LogText;
import io.ringstore.config.StallWatch;
import io.ringstore.handoff.HintDirectory;
import io.ringstore.handoff.HintManager;
import io.ringstore.handoff.HintStore;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.ring.Ring;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.CausalContextCodec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Coordinates one write (or delete): one replica of the key's replica set (the local one when this node
 * has it) applies the DVV update with its id, then the resulting object is replicated to the others;
 * the client is answered after W acks from distinct nodes, or with {@link Outcome.Unavailable} when the
 * timeout passes first or W can no longer be met. If the coordinating replica fails or stays silent
 * for the whole replica-ack timeout, the next one takes over; the first one was given half that
 * timeout, counted from when it received the request, to apply the write (no second dot for one
 * write, with no clock compared across nodes: see {@link ReplicaEntity.CoordinatePut}). A replica that has not acked within the replica-ack timeout gets a hint on a
 * fallback member (ring order beyond the replica set); a sloppy write counts those hints toward W.
 * Stays until every replica acked or the timeout, then stops (DESIGN invariant 1: a write is reported
 * written only after W real acks, or W acks and persisted hints when the client asked for sloppy).
 */
public final class WriteCoordinator extends AbstractBehavior<WriteCoordinator.Command> {

  /**
   * A validated write: {@code context} is an encoded causal context or null; {@code sloppy} lets hints
   * on distinct fallback members count toward W; the context the write answers with fits
   * {@code contextLimits} ({@link CausalContextCodec#contextOf}).
   */
  public record WriteRequest(
      String key, Sibling value, String context, boolean contextFromReplica, int w,
      Duration timeout, boolean sloppy, CausalContextCodec.Limits contextLimits) {
    public WriteRequest(
        String key, Sibling value, String context, boolean contextFromReplica, int w,
        Duration timeout, boolean sloppy) {
      this(key, value, context, contextFromReplica, w, timeout, sloppy,
          CausalContextCodec.Limits.DEFAULT);
    }

    public WriteRequest(
        String key, Sibling value, String context, boolean contextFromReplica, int w,
        Duration timeout) {
      this(key, value, context, contextFromReplica, w, timeout, false);
    }
  }

  /**
   * Where hints go, how long a replica may take to ack before it gets one, and the node's bound on
   * bytes queued to each peer ({@link PeerBytes}): a message to a replica or fallback on a peer whose
   * bound is reached is not sent, and that replica counts as failed (a coordinating replica: the next
   * one is tried), that fallback as unavailable.
   */
  public record Handoff(HintDirectory hints, Duration replicaAckTimeout, PeerBytes peerBytes) {
    public static final Handoff NONE = new Handoff(HintDirectory.empty(), null);

    /** Without a bound on bytes queued to peers. */
    public Handoff(HintDirectory hints, Duration replicaAckTimeout) {
      this(hints, replicaAckTimeout, PeerBytes.unlimited());
    }
  }

  /** Internal messages: adapted replica and hint replies, the timeouts. */
  public interface Command {}

  private record PutReplied(ReplicaEntity.PutReply reply) implements Command {}

  private record ReplicateReplied(ReplicaEntity.Replicated reply) implements Command {}

  private record HintReplied(HintStore.HintStoreReply reply) implements Command {}

  private enum Timeout implements Command { INSTANCE }

  private enum ReplicaAckTimeout implements Command { INSTANCE }

  private enum RetrySyncing implements Command { INSTANCE }

  /** How long to wait before asking replicas that were still catching up to apply the write again. */
  private static final Duration SYNCING_RETRY = Duration.ofMillis(200);

  private final WriteRequest request;
  private final ReplicaDirectory directory;
  private final Handoff handoff;
  private final ActorRef<WriteResult> replyTo;
  private final List<ReplicaId> replicas;
  private final Ring ring;
  private final Deque<ReplicaId> coordinatorCandidates;
  private final WriteQuorum quorum;
  private final ActorRef<ReplicaEntity.PutReply> putAdapter;
  private final ActorRef<ReplicaEntity.Replicated> replicateAdapter;
  private final Set<String> ackedReplicas = new HashSet<>();
  private final Map<ReplicaId, String> hintPending = new HashMap<>();
  private final Map<ReplicaId, String> hinted = new LinkedHashMap<>();
  private final Set<String> usedFallbacks = new HashSet<>();
  /** Targets whose hint its holder refused (full, or over budget): not offered again. */
  private final Set<ReplicaId> hintRefused = new HashSet<>();
  private ReplicaId coordinatingReplica;
  /** Replicas that refused to apply the write while catching up after a move: asked again later. */
  private final List<ReplicaId> syncingRefusals = new ArrayList<>();
  /** The coordinated object; null until the coordinating replica stored it. */
  private byte[] object;
  /** Its causal context. */
  private String context;
  private boolean answered;
  private boolean hintsDue;
  /** Coordinating replicas that stayed silent and were replaced: hinted once the object exists. */
  private final Set<ReplicaId> silentCoordinators = new HashSet<>();
  private final TimerScheduler<Command> timers;
  private Duration ackTimeout;
  /** When the request went to the current coordinating replica (this JVM's monotonic clock). */
  private long coordinatorSentNanos;
  private boolean ackTimeoutExtended;
  private boolean tombstoneMarked;
  /** The request's timeout fired: only the answers of hint holders are still awaited. */
  private boolean timedOut;

  public static Behavior<Command> create(
      WriteRequest request, ReplicaDirectory directory, List<ReplicaId> replicas,
      ActorRef<WriteResult> replyTo) {
    return create(request, directory, Handoff.NONE, replicas, replyTo);
  }

  public static Behavior<Command> create(
      WriteRequest request, ReplicaDirectory directory, Handoff handoff, List<ReplicaId> replicas,
      ActorRef<WriteResult> replyTo) {
    return Behaviors.setup(ctx -> {
      if (new WriteQuorum(request.w(), replicas.size()).impossible()) {
        replyTo.tell(new Outcome.Unavailable(0, request.w(), replicas.size(), List.of(),
            Quorum.fewReplicasReason(replicas.size())));
        return Behaviors.stopped();
      }
      return Behaviors.withTimers(timers ->
          new WriteCoordinator(ctx, timers, request, directory, handoff, replicas, replyTo));
    });
  }

  private WriteCoordinator(
      ActorContext<Command> ctx, TimerScheduler<Command> timers, WriteRequest request,
      ReplicaDirectory directory, Handoff handoff, List<ReplicaId> replicas,
      ActorRef<WriteResult> replyTo) {
    super(ctx);
    this.request = request;
    this.directory = directory;
    this.handoff = handoff;
    this.replyTo = replyTo;
    this.replicas = replicas;
    this.ring = directory.ring();
    // a replica on a member this node sees unreachable is tried last, not waited for first
    this.coordinatorCandidates = new ArrayDeque<>(directory.reachableFirst(replicas));
    this.quorum = new WriteQuorum(request.w(), replicas.size(), request.sloppy());
    this.putAdapter = ctx.messageAdapter(ReplicaEntity.PutReply.class, PutReplied::new);
    this.replicateAdapter = ctx.messageAdapter(ReplicaEntity.Replicated.class, ReplicateReplied::new);
    this.timers = timers;
    timers.startSingleTimer(Timeout.INSTANCE, request.timeout());
    long firstApplyWithin = 0;
    if (handoff.replicaAckTimeout() != null) {
      Duration half = request.timeout().dividedBy(2);
      ackTimeout = handoff.replicaAckTimeout().compareTo(half) < 0
          ? handoff.replicaAckTimeout() : half;
      timers.startSingleTimer(ReplicaAckTimeout.INSTANCE, ackTimeout);
      firstApplyWithin = applyBudget(ackTimeout);
    }
    sendToNextCoordinator(firstApplyWithin);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(PutReplied.class, this::onPutReplied)
        .onMessage(ReplicateReplied.class, this::onReplicateReplied)
        .onMessage(HintReplied.class, this::onHintReplied)
        .onMessageEquals(ReplicaAckTimeout.INSTANCE, this::onReplicaAckTimeout)
        .onMessageEquals(RetrySyncing.INSTANCE, this::onRetrySyncing)
        .onMessageEquals(Timeout.INSTANCE, this::onTimeout)
        .build();
  }

  private void sendToNextCoordinator() {
    sendToNextCoordinator(0);
  }

  /**
   * The budget ({@code CoordinatePut.applyWithinMillis}) of the first coordinating replica, which is
   * replaced at the replica-ack timeout if it has not answered by then: half of the timeout, counted
   * by the replica from when it received the request; the other half is left for the request to get
   * there and the reply to come back (see {@link ReplicaEntity.CoordinatePut}). The coordinator
   * waits its whole timeout before it moves on, never less, so no clock of another node is needed.
   */
  static long applyBudget(Duration replicaAckTimeout) {
    return Math.max(1, replicaAckTimeout.toMillis() / 2);
  }

  /**
   * {@code applyWithinMillis}: 0, or how long after receiving it the replica may still apply it. A
   * candidate on a peer whose queued bytes are at their bound is passed over; when every candidate
   * was, and nothing else may still apply the write, the client is answered unavailable.
   */
  private void sendToNextCoordinator(long applyWithinMillis) {
    Sibling v = request.value();
    boolean passedOver = false;
    while (true) {
      coordinatingReplica = coordinatorCandidates.pollFirst();
      if (coordinatingReplica == null) {
        if (passedOver && object == null && !answered && syncingRefusals.isEmpty()) {
          answerUnavailable("the nodes of the key's replicas have too many bytes queued from this"
              + " node");
          // nothing was sent: nothing left to wait for
          getContext().getSelf().tell(Timeout.INSTANCE);
        }
        return;
      }
      if (mayQueue(directory.remoteNodeOf(coordinatingReplica),
          (long) v.data().length + request.key().length())) {
        break;
      }
      passedOver = true;
    }
    coordinatorSentNanos = System.nanoTime();
    directory.tell(coordinatingReplica, new ReplicaEntity.CoordinatePut(
        request.key(), v.data(), v.contentType(), v.tombstone(), request.context(),
        request.contextFromReplica(), putAdapter, applyWithinMillis));
  }

  private Behavior<Command> onPutReplied(PutReplied message) {
    ReplicaEntity.PutReply reply = message.reply();
    if (object != null || coordinatingReplica == null
        || !reply.replica().equals(coordinatingReplica.id())) {
      return this;
    }
    if (ReplicaEntity.PUT_EXPIRED.equals(reply.error())) {
      // too late to apply, nothing stored: it still counts once it acks the replicated object
      getContext().getLog().info("write {}: coordinating replica {} got the write too late, "
          + "trying the next one", LogText.escape(request.key()), reply.replica());
      sendToNextCoordinator();
      return checkDone();
    }
    if (reply.error() != null && reply.error().startsWith(ReplicaEntity.REFUSED_SIBLINGS)) {
      return answerRejected(reply.error().substring(ReplicaEntity.REFUSED_SIBLINGS.length()),
          Outcome.Kind.TOO_MANY_SIBLINGS);
    }
    if (reply.error() != null && reply.error().startsWith(ReplicaEntity.REFUSED_TOO_LARGE)) {
      return answerRejected(reply.error().substring(ReplicaEntity.REFUSED_TOO_LARGE.length()),
          Outcome.Kind.OBJECT_TOO_LARGE);
    }
    if (reply.error() != null && reply.error().startsWith(ReplicaEntity.REFUSED_CONTEXT)) {
      // nothing stored; this replica may be behind the replicas the client read from: ask the
      // next one, and refuse the write only when none holds what the context names
      sendToNextCoordinator();
      if (coordinatingReplica == null && !answered && syncingRefusals.isEmpty()) {
        return answerRejected(reply.error().substring(ReplicaEntity.REFUSED_CONTEXT.length()),
            Outcome.Kind.BAD_REQUEST);
      }
      if (coordinatingReplica == null && !answered) {
        timers.startSingleTimer(RetrySyncing.INSTANCE, SYNCING_RETRY);
      }
      return checkDone();
    }
    if (ReplicaEntity.REPLICA_SYNCING.equals(reply.error())) {
      // nothing stored; it still counts once it stores the replicated object, and may apply the write
      // itself once it caught up (a replica catches up within seconds of starting)
      syncingRefusals.add(coordinatingReplica);
      sendToNextCoordinator();
      if (coordinatingReplica == null && !answered) {
        timers.startSingleTimer(RetrySyncing.INSTANCE, SYNCING_RETRY);
      }
      return checkDone();
    }
    if (!reply.ok()) {
      getContext().getLog().warn("write {}: coordinating replica {} on {} failed: {}",
          LogText.escape(request.key()), reply.replica(), reply.node(),
          LogText.escape(reply.error()));
      quorum.fail(reply.replica());
      sendToNextCoordinator();
      if (coordinatingReplica == null && !answered) {
        if (syncingRefusals.isEmpty()) {
          // nobody is left to apply the write (a refusal while syncing is not an answer of the
          // quorum, so W may still look possible)
          answerUnavailable("no replica of the key could apply the write");
        } else {
          timers.startSingleTimer(RetrySyncing.INSTANCE, SYNCING_RETRY);
        }
      }
      return checkDone();
    }
    ack(reply.replica(), reply.node());
    object = reply.object();
    context = CausalContextCodec.contextOf(StoredObjectCodec.decode(object), request.contextLimits());
    for (ReplicaId other : replicas) {
      if (other.equals(coordinatingReplica)) {
        continue;
      }
      if (mayQueue(directory.remoteNodeOf(other), (long) object.length + request.key().length())) {
        directory.tell(other, new ReplicaEntity.Replicate(request.key(), object, replicateAdapter));
      } else {
        // not sent: this replica has not acked (it gets a hint at the replica-ack timeout)
        quorum.fail(other.id());
      }
    }
    coordinatorCandidates.clear();
    if (hintsDue) {
      // the replaced coordinators get their hints now; the others were only just sent the object
      // and get a fresh replica-ack timeout
      sendHints(silentCoordinators);
      hintsDue = false;
      timers.startSingleTimer(ReplicaAckTimeout.INSTANCE, ackTimeout);
    }
    return checkDone();
  }

  private Behavior<Command> onReplicateReplied(ReplicateReplied message) {
    ReplicaEntity.Replicated reply = message.reply();
    if (reply.ok()) {
      ack(reply.replica(), reply.node());
    } else {
      quorum.fail(reply.replica());
    }
    return checkDone();
  }

  /** Every replica refused while catching up: ask them again (until the request's timeout). */
  private Behavior<Command> onRetrySyncing() {
    if (object == null && coordinatingReplica == null && !answered) {
      coordinatorCandidates.addAll(syncingRefusals);
      syncingRefusals.clear();
      sendToNextCoordinator();
    }
    return checkDone();
  }

  private void ack(String replica, String node) {
    ackedReplicas.add(replica);
    quorum.ack(replica, node);
  }

  /**
   * Replicas that have not acked by now get hints; a coordinating replica that has not answered at all
   * is replaced by the next one (it gets a hint too, once the object exists).
   */
  private Behavior<Command> onReplicaAckTimeout() {
    if (object == null && coordinatingReplica != null && !ackTimeoutExtended
        && StallWatch.jvm().stalledSince(coordinatorSentNanos, ackTimeout.toNanos() / 4)) {
      // this JVM stood still since the request went out: the timeout fired late, the request may have
      // left only now; wait once more before the write goes to another replica (no duplicate dot)
      ackTimeoutExtended = true;
      timers.startSingleTimer(ReplicaAckTimeout.INSTANCE, ackTimeout);
      return this;
    }
    hintsDue = true;
    if (object == null && coordinatingReplica != null && !coordinatorCandidates.isEmpty()) {
      getContext().getLog().info("write {}: coordinating replica {} silent, trying the next one",
          LogText.escape(request.key()), coordinatingReplica);
      silentCoordinators.add(coordinatingReplica);
      sendToNextCoordinator();
    }
    if (object != null) {
      sendHints(replicas);
    }
    return checkDone();
  }

  /**
   * Hands each target that has not acked (nor has a hint on its way) to a hint holder: a fallback
   * member this write has not used yet (so a sloppy write's hints count on distinct members), else
   * one it already used (a member may hold several targets' hints, counted once toward W), else this
   * node itself when no fallback is available or under its peer bound, as Cassandra's coordinators
   * keep hints. With four members and N = 3 there is a single fallback: before, a live replica slow
   * to ack took it and the paused replica got no hint at all, though its write was acknowledged.
   * A hint kept on this node does not count toward a sloppy W (it is a replica's node, not a
   * fallback).
   */
  private void sendHints(Collection<ReplicaId> targets) {
    List<String> fallbacks = ring.fallbacks(ring.partitionOf(request.key()));
    long bytes = (long) object.length + request.key().length();
    for (ReplicaId target : targets) {
      if (ackedReplicas.contains(target.id()) || hintPending.containsKey(target)
          || hinted.containsKey(target) || hintRefused.contains(target)) {
        continue;
      }
      Optional<String> holder = hintHolder(fallbacks, false, bytes)
          .or(() -> hintHolder(fallbacks, true, bytes))
          .or(() -> handoff.hints().selfNode());
      if (holder.isEmpty()) {
        getContext().getLog().warn("write {}: no member can hold the hint for replica {} (no hint"
            + " manager runs here); anti-entropy repairs it", LogText.escape(request.key()), target);
        continue;
      }
      String fallback = holder.get();
      usedFallbacks.add(fallback);
      hintPending.put(target, fallback);
      handoff.hints().managerOf(fallback).orElseThrow().tell(new HintManager.StoreHint(
          target, request.key(), object,
          getContext().messageAdapter(HintStore.HintStoreReply.class, HintReplied::new)));
    }
  }

  /**
   * The first fallback, in ring order, that is available, runs a hint manager and may be sent
   * {@code bytes} more (counted as queued if so): among those this write has not used yet, or among
   * those it has.
   */
  private Optional<String> hintHolder(List<String> fallbacks, boolean used, long bytes) {
    for (String fallback : fallbacks) {
      if (usedFallbacks.contains(fallback) != used || !directory.isAvailable(fallback)) {
        continue;
      }
      var manager = handoff.hints().managerOf(fallback);
      if (manager.isEmpty()) {
        continue;
      }
      boolean remote = !manager.get().path().address().hasLocalScope();
      if (mayQueue(remote ? Optional.of(fallback) : Optional.empty(), bytes)) {
        return Optional.of(fallback);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a message of {@code bytes} may be sent to {@code node} (empty: this node, never counted)
   * under the bound on bytes queued to it; if so they are counted as queued.
   */
  private boolean mayQueue(Optional<String> node, long bytes) {
    return node.isEmpty() || handoff.peerBytes().tryAcquire(node.get(), bytes);
  }

  private Behavior<Command> onHintReplied(HintReplied message) {
    HintStore.HintStoreReply reply = message.reply();
    String fallback = hintPending.remove(reply.target());
    if (fallback == null) {
      return this;
    }
    if (reply.accepted()) {
      hinted.put(reply.target(), fallback);
      if (ring.fallbacks(ring.partitionOf(request.key())).contains(fallback)) {
        quorum.hinted(fallback);
      }
      getContext().getLog().info("hint stored: key={} target={} fallback={}",
          LogText.escape(request.key()), reply.target(), fallback);
    } else {
      hintRefused.add(reply.target());
      getContext().getLog().warn("hint refused: key={} target={} fallback={} reason={}",
          LogText.escape(request.key()), reply.target(), fallback, LogText.escape(reply.reason()));
    }
    return checkDone();
  }

  private Behavior<Command> checkDone() {
    markTombstoneIfEveryReplicaAcked();
    if (!answered && quorum.met() && context != null) {
      answered = true;
      replyTo.tell(new WriteResult.Written(context, quorum.ackedNodes(), hintList(), request.sloppy()));
    } else if (!answered && quorum.impossible() && !hintsMayStillCount()) {
      answerUnavailable("replicas failed to store the write");
    }
    return answered && (nothingLeftToDo() || (timedOut && hintPending.isEmpty()))
        ? Behaviors.stopped() : this;
  }

  /**
   * A delete that all N replicas (on N distinct nodes) acked may be reaped after the grace period:
   * tell each replica (it checks that its stored object is still exactly this tombstone).
   */
  private void markTombstoneIfEveryReplicaAcked() {
    if (tombstoneMarked || !request.value().tombstone() || object == null
        || replicas.size() < ring.replicationFactor()
        || quorum.ackedNodes().size() < ring.replicationFactor()
        || !replicas.stream().allMatch(r -> ackedReplicas.contains(r.id()))) {
      return;
    }
    tombstoneMarked = true;
    for (ReplicaId replica : replicas) {
      directory.tell(replica, new ReplicaEntity.MarkTombstoneReplicated(request.key(), object));
    }
  }

  /**
   * Every replica acked, or (once hints were due) every replica answered and each one that did not
   * ack got its hint (or no fallback could take one).
   */
  private boolean nothingLeftToDo() {
    if (handoff.replicaAckTimeout() == null) {
      return quorum.allAnswered();
    }
    boolean covered = replicas.stream()
        .allMatch(r -> ackedReplicas.contains(r.id()) || hinted.containsKey(r));
    return hintPending.isEmpty() && (covered || (hintsDue && quorum.allAnswered()));
  }

  private boolean hintsMayStillCount() {
    return request.sloppy() && !hintPending.isEmpty();
  }

  /**
   * The request's timeout: the client is answered if it was not yet. A stored object still owes
   * the replicas that have not acked their hints (the replica-ack timeout restarts when the object
   * comes late, and may not have fired yet): they are sent now, and the coordinator waits one more
   * replica-ack timeout for the holders' answers.
   */
  private Behavior<Command> onTimeout() {
    if (!answered) {
      answerUnavailable("timed out after " + request.timeout().toMillis() + " ms");
    }
    if (timedOut || object == null || handoff.replicaAckTimeout() == null) {
      return Behaviors.stopped();
    }
    timedOut = true;
    timers.cancel(ReplicaAckTimeout.INSTANCE);
    int pending = hintPending.size();
    sendHints(replicas);
    if (hintPending.size() == pending) {
      // nothing new sent: hints already on their way are stored whether or not anyone waits
      return Behaviors.stopped();
    }
    timers.startSingleTimer(Timeout.INSTANCE, ackTimeout);
    return this;
  }

  private List<String> hintList() {
    List<String> list = new ArrayList<>();
    hinted.forEach((target, fallback) -> list.add(fallback + " for " + target.id()));
    return list;
  }

  /** A write a replica refused (nothing was stored anywhere): answer and stop. */
  private Behavior<Command> answerRejected(String reason, Outcome.Kind kind) {
    if (!answered) {
      answered = true;
      replyTo.tell(new Outcome.Rejected(reason, kind));
    }
    return Behaviors.stopped();
  }

  private void answerUnavailable(String reason) {
    answered = true;
    replyTo.tell(new Outcome.Unavailable(
        quorum.acks(), quorum.required(), quorum.replicas(), quorum.ackedNodes(), reason));
  }
}
