package io.ringstore.coordinator;

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
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Coordinates one write (or delete): one replica of the key's replica set (the local one when this
 * node has it) applies the DVV update with its id, then the resulting object is replicated to the
 * others; the client is answered after W acks from distinct nodes, or with {@link
 * Outcome.Unavailable} when the timeout passes first or W can no longer be met. If the coordinating
 * replica fails or stays silent for the whole replica-ack timeout, the next one takes over; the
 * first one was given half that timeout, counted from when it received the request, to apply the
 * write (no second dot for one write, with no clock compared across nodes: see {@link
 * ReplicaEntity.CoordinatePut}). A replica that has not acked within the replica-ack timeout gets a
 * hint on a fallback member (ring order beyond the replica set); a sloppy write counts those hints
 * toward W. Stays until every replica acked or the timeout, then stops (DESIGN invariant 1: a write
 * is reported written only after W real acks, or W acks and persisted hints when the client asked
 * for sloppy). Every decision is the pure {@link WriteCore}'s; this actor sends, arms timers and
 * answers as it says.
 */
public final class WriteCoordinator extends AbstractBehavior<WriteCoordinator.Command> {

  /**
   * A validated write: {@code context} is an encoded causal context or null; {@code sloppy} lets
   * hints on distinct fallback members count toward W; the context the write answers with fits
   * {@code contextLimits} ({@link CausalContextCodec#contextOf}).
   */
  public record WriteRequest(
      String key,
      Sibling value,
      String context,
      boolean contextFromReplica,
      int w,
      Duration timeout,
      boolean sloppy,
      CausalContextCodec.Limits contextLimits) {
    public WriteRequest(
        String key,
        Sibling value,
        String context,
        boolean contextFromReplica,
        int w,
        Duration timeout,
        boolean sloppy) {
      this(
          key,
          value,
          context,
          contextFromReplica,
          w,
          timeout,
          sloppy,
          CausalContextCodec.Limits.DEFAULT);
    }

    public WriteRequest(
        String key,
        Sibling value,
        String context,
        boolean contextFromReplica,
        int w,
        Duration timeout) {
      this(key, value, context, contextFromReplica, w, timeout, false);
    }
  }

  /**
   * Where hints go, how long a replica may take to ack before it gets one, and the node's bound on
   * bytes queued to each peer ({@link PeerBytes}): a message to a replica or fallback on a peer
   * whose bound is reached is not sent, and that replica counts as failed (a coordinating replica:
   * the next one is tried), that fallback as unavailable.
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

  private enum Timeout implements Command {
    INSTANCE
  }

  private enum ReplicaAckTimeout implements Command {
    INSTANCE
  }

  private enum RetrySyncing implements Command {
    INSTANCE
  }

  private final WriteRequest request;
  private final ReplicaDirectory directory;
  private final Handoff handoff;
  private final ActorRef<WriteResult> replyTo;
  private final TimerScheduler<Command> timers;
  private final WriteLinks links = new PeerLinks();
  private final ActorRef<ReplicaEntity.PutReply> putAdapter;
  private final ActorRef<ReplicaEntity.Replicated> replicateAdapter;
  private final ActorRef<HintStore.HintStoreReply> hintAdapter;
  private WriteCore core;

  /** When the request went to the current coordinating replica (this JVM's monotonic clock). */
  private long coordinatorSentNanos;

  public static Behavior<Command> create(
      WriteRequest request,
      ReplicaDirectory directory,
      List<ReplicaId> replicas,
      ActorRef<WriteResult> replyTo) {
    return create(request, directory, Handoff.NONE, replicas, replyTo);
  }

  public static Behavior<Command> create(
      WriteRequest request,
      ReplicaDirectory directory,
      Handoff handoff,
      List<ReplicaId> replicas,
      ActorRef<WriteResult> replyTo) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new WriteCoordinator(ctx, timers, request, directory, handoff, replyTo)
                        .start(plan(request, directory, handoff, replicas))));
  }

  private static WritePlan plan(
      WriteRequest request, ReplicaDirectory directory, Handoff handoff, List<ReplicaId> replicas) {
    Ring ring = directory.ring();
    return new WritePlan(
        request.key(),
        (long) request.value().data().length + request.key().length(),
        request.value().tombstone(),
        request.w(),
        request.sloppy(),
        replicas,
        // a replica on a member this node sees unreachable is tried last, not waited for first
        directory.reachableFirst(replicas),
        ring.fallbacks(ring.partitionOf(request.key())),
        handoff.hints().selfNode(),
        ring.replicationFactor(),
        request.timeout(),
        handoff.replicaAckTimeout());
  }

  private WriteCoordinator(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      WriteRequest request,
      ReplicaDirectory directory,
      Handoff handoff,
      ActorRef<WriteResult> replyTo) {
    super(ctx);
    this.request = request;
    this.directory = directory;
    this.handoff = handoff;
    this.replyTo = replyTo;
    this.timers = timers;
    this.putAdapter = ctx.messageAdapter(ReplicaEntity.PutReply.class, PutReplied::new);
    this.replicateAdapter =
        ctx.messageAdapter(ReplicaEntity.Replicated.class, ReplicateReplied::new);
    this.hintAdapter = ctx.messageAdapter(HintStore.HintStoreReply.class, HintReplied::new);
  }

  private Behavior<Command> start(WritePlan plan) {
    return perform(WriteCore.start(plan, links));
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

  /** Same as {@link WriteCore#applyBudget}: the first coordinating replica's budget. */
  static long applyBudget(Duration replicaAckTimeout) {
    return WriteCore.applyBudget(replicaAckTimeout);
  }

  /**
   * A reply that applied the write carries the client's context; one from a replica that does not
   * compute it (an older node) has its object decoded here for it.
   */
  private Behavior<Command> onPutReplied(PutReplied message) {
    ReplicaEntity.PutReply reply = message.reply();
    if (!core.awaitsCoordinator(reply.replica())) {
      return this;
    }
    String context = reply.context();
    if (reply.ok() && context == null) {
      context =
          CausalContextCodec.contextOf(
              StoredObjectCodec.decode(reply.object()), request.contextLimits());
    }
    return perform(
        core.coordinatorReplied(
            reply.replica(),
            reply.node(),
            reply.object(),
            context,
            reply.error(),
            reply.reason(),
            links));
  }

  private Behavior<Command> onReplicateReplied(ReplicateReplied message) {
    ReplicaEntity.Replicated reply = message.reply();
    return perform(core.replicated(reply.replica(), reply.node(), reply.ok()));
  }

  private Behavior<Command> onHintReplied(HintReplied message) {
    HintStore.HintStoreReply reply = message.reply();
    return perform(core.hintReplied(reply.target(), reply.accepted(), reply.reason()));
  }

  private Behavior<Command> onRetrySyncing() {
    return perform(core.retrySyncing(links));
  }

  private Behavior<Command> onReplicaAckTimeout() {
    boolean stalled =
        core.phase() == WriteCore.Phase.COORDINATING
            && StallWatch.jvm().stalledSince(coordinatorSentNanos, core.ackTimeout().toNanos() / 4);
    return perform(core.replicaAckTimeout(stalled, links));
  }

  private Behavior<Command> onTimeout() {
    return perform(core.requestTimeout(links));
  }

  /** Carries out what the core decided, in order; stops when it says the write is done. */
  private Behavior<Command> perform(WriteCore.Step step) {
    core = step.core();
    for (WriteAction action : step.actions()) {
      if (action instanceof WriteAction.Coordinate c) {
        Sibling v = request.value();
        coordinatorSentNanos = System.nanoTime();
        directory.tell(
            c.replica(),
            new ReplicaEntity.CoordinatePut(
                request.key(),
                v.data(),
                v.contentType(),
                v.tombstone(),
                request.context(),
                request.contextFromReplica(),
                putAdapter,
                c.applyWithinMillis(),
                request.contextLimits()));
      } else if (action instanceof WriteAction.Replicate r) {
        directory.tell(
            r.replica(),
            new ReplicaEntity.Replicate(request.key(), core.object(), replicateAdapter));
      } else if (action instanceof WriteAction.StoreHint h) {
        handoff
            .hints()
            .managerOf(h.holder())
            .orElseThrow()
            .tell(new HintManager.StoreHint(h.target(), request.key(), core.object(), hintAdapter));
      } else if (action instanceof WriteAction.MarkTombstone m) {
        directory.tell(
            m.replica(), new ReplicaEntity.MarkTombstoneReplicated(request.key(), core.object()));
      } else if (action instanceof WriteAction.Answer a) {
        replyTo.tell(a.result());
      } else if (action instanceof WriteAction.ArmTimeout t) {
        timers.startSingleTimer(Timeout.INSTANCE, t.after());
      } else if (action instanceof WriteAction.ArmAckTimer t) {
        timers.startSingleTimer(ReplicaAckTimeout.INSTANCE, t.after());
      } else if (action == WriteAction.CancelAckTimer.INSTANCE) {
        timers.cancel(ReplicaAckTimeout.INSTANCE);
      } else if (action instanceof WriteAction.ArmRetry t) {
        timers.startSingleTimer(RetrySyncing.INSTANCE, t.after());
      } else if (action instanceof WriteAction.Log l) {
        if (l.warn()) {
          getContext().getLog().warn(l.text());
        } else {
          getContext().getLog().info(l.text());
        }
      }
    }
    return step.done() ? Behaviors.stopped() : this;
  }

  /**
   * The node's bound on bytes queued to each peer ({@link PeerBytes}) and the members that may hold
   * hints, as the core asks about them. A message to this node itself is never counted.
   */
  private final class PeerLinks implements WriteLinks {
    @Override
    public boolean mayQueueTo(ReplicaId replica, long bytes) {
      return mayQueue(directory.remoteNodeOf(replica), bytes);
    }

    @Override
    public boolean mayHoldHint(String fallback, long bytes) {
      if (!directory.isAvailable(fallback)) {
        return false;
      }
      var manager = handoff.hints().managerOf(fallback);
      if (manager.isEmpty()) {
        return false;
      }
      boolean remote = !manager.get().path().address().hasLocalScope();
      return mayQueue(remote ? Optional.of(fallback) : Optional.empty(), bytes);
    }

    private boolean mayQueue(Optional<String> node, long bytes) {
      return node.isEmpty() || handoff.peerBytes().tryAcquire(node.get(), bytes);
    }
  }
}
