package io.ringstore.coordinator;

import io.ringstore.config.LogText;
import io.ringstore.replica.ReadReplyParts;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.storage.ObjectParts;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.DvvSet;
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
 * Coordinates one read: asks every replica of the key, answers after R replies from distinct nodes
 * with the DVV merge of what came back (siblings included, never a silent pick: DESIGN invariant
 * 3), then waits for the remaining replies until the timeout and read-repairs the replicas that
 * were behind. Answers {@link Outcome.Unavailable} when R replies do not come in time; always
 * stops.
 */
public final class ReadCoordinator extends AbstractBehavior<ReadCoordinator.Command> {

  /**
   * A validated read; the context it answers with fits {@code contextLimits}, so the client can
   * send it back ({@link CausalContextCodec#contextOf}); a read repair larger than {@code
   * maxPartBytes} goes to the replicas in parts ({@link ObjectParts}).
   */
  public record ReadRequest(
      String key,
      int r,
      Duration timeout,
      CausalContextCodec.Limits contextLimits,
      long maxPartBytes) {
    /** With objects of any size sent whole. */
    public ReadRequest(
        String key, int r, Duration timeout, CausalContextCodec.Limits contextLimits) {
      this(key, r, timeout, contextLimits, Long.MAX_VALUE);
    }

    /** With the default context limits. */
    public ReadRequest(String key, int r, Duration timeout) {
      this(key, r, timeout, CausalContextCodec.Limits.DEFAULT);
    }
  }

  /** Internal messages: adapted replica replies and the timeout. */
  public interface Command {}

  private record ReadReplied(ReplicaEntity.ReadReply reply) implements Command {}

  private record RepairReplied(ReplicaEntity.Replicated reply) implements Command {}

  private enum Timeout implements Command {
    INSTANCE
  }

  private enum AskBehindAgain implements Command {
    INSTANCE
  }

  /** How long to wait before asking replicas that were still catching up again. */
  private static final Duration BEHIND_RETRY = Duration.ofMillis(200);

  private final ReadRequest request;
  private final ReplicaDirectory directory;
  private final RequestMetrics metrics;
  private final ActorRef<ReadResult> replyTo;
  private final ReadQuorum quorum;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ReplicaEntity.ReadReply> adapter;
  private final ReadReplyParts parts = new ReadReplyParts();
  private final PeerBytes peerBytes;
  private boolean answered;
  private boolean repairing;
  private int repairsPending;

  public static Behavior<Command> create(
      ReadRequest request,
      ReplicaDirectory directory,
      List<ReplicaId> replicas,
      ActorRef<ReadResult> replyTo) {
    return create(request, directory, replicas, replyTo, new RequestMetrics());
  }

  /** A coordinator that counts the replicas it read-repairs in {@code metrics}. */
  public static Behavior<Command> create(
      ReadRequest request,
      ReplicaDirectory directory,
      List<ReplicaId> replicas,
      ActorRef<ReadResult> replyTo,
      RequestMetrics metrics) {
    return create(request, directory, replicas, replyTo, metrics, PeerBytes.unlimited());
  }

  /**
   * A coordinator whose read repairs count against the node's bound on bytes queued to each peer
   * ({@code peerBytes}): a repair the bound refuses is not sent (anti-entropy repairs the replica
   * later).
   */
  public static Behavior<Command> create(
      ReadRequest request,
      ReplicaDirectory directory,
      List<ReplicaId> replicas,
      ActorRef<ReadResult> replyTo,
      RequestMetrics metrics,
      PeerBytes peerBytes) {
    return Behaviors.setup(
        ctx -> {
          if (new ReadQuorum(request.r(), replicas.size()).impossible()) {
            replyTo.tell(
                new Outcome.Unavailable(
                    0,
                    request.r(),
                    replicas.size(),
                    List.of(),
                    Quorum.fewReplicasReason(replicas.size())));
            return Behaviors.stopped();
          }
          return Behaviors.withTimers(
              timers ->
                  new ReadCoordinator(
                      ctx, timers, request, directory, replicas, replyTo, metrics, peerBytes));
        });
  }

  private ReadCoordinator(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ReadRequest request,
      ReplicaDirectory directory,
      List<ReplicaId> replicas,
      ActorRef<ReadResult> replyTo,
      RequestMetrics metrics,
      PeerBytes peerBytes) {
    super(ctx);
    this.peerBytes = peerBytes;
    this.request = request;
    this.directory = directory;
    this.metrics = metrics;
    this.replyTo = replyTo;
    this.quorum = new ReadQuorum(request.r(), replicas.size());
    this.timers = timers;
    timers.startSingleTimer(Timeout.INSTANCE, request.timeout());
    this.adapter = ctx.messageAdapter(ReplicaEntity.ReadReply.class, ReadReplied::new);
    for (ReplicaId replica : replicas) {
      directory.tell(replica, new ReplicaEntity.Read(request.key(), adapter));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ReadReplied.class, this::onReadReplied)
        .onMessage(RepairReplied.class, this::onRepairReplied)
        .onMessageEquals(Timeout.INSTANCE, this::onTimeout)
        .onMessageEquals(AskBehindAgain.INSTANCE, this::onAskBehindAgain)
        .build();
  }

  private Behavior<Command> onReadReplied(ReadReplied message) {
    Optional<ReplicaEntity.ReadReply> whole = parts.accept(message.reply());
    if (whole.isEmpty()) {
      return this; // more parts of a large object to come
    }
    ReplicaEntity.ReadReply reply = whole.get();
    if (!reply.ok()) {
      getContext()
          .getLog()
          .warn(
              "read {}: replica {} on {} failed: {}",
              LogText.escape(request.key()),
              reply.replica(),
              reply.node(),
              LogText.escape(reply.error()));
      quorum.fail(reply.replica());
    } else {
      Optional<DvvSet<Sibling>> object =
          Optional.ofNullable(reply.object()).map(StoredObjectCodec::decode);
      if (reply.syncing()) {
        quorum.replyBehind(reply.replica(), reply.node(), object);
      } else {
        quorum.reply(reply.replica(), reply.node(), object);
      }
    }
    if (!answered && quorum.met()) {
      answered = true;
      replyTo.tell(result(quorum.merged()));
    } else if (!answered && quorum.impossible()) {
      if (quorum.behindCount() > 0) {
        // replicas catching up after a move do not count yet: ask them again shortly (until the
        // request's timeout) rather than answer 503 at once
        if (!timers.isTimerActive(AskBehindAgain.INSTANCE)) {
          timers.startSingleTimer(AskBehindAgain.INSTANCE, BEHIND_RETRY);
        }
        return this;
      }
      answerUnavailable("replicas failed to read");
    }
    return quorum.allAnswered() && !repairing ? repairAndStop() : this;
  }

  private Behavior<Command> onAskBehindAgain() {
    if (answered) {
      return this;
    }
    for (String replica : quorum.takeBehind()) {
      directory.tell(ReplicaId.parse(replica), new ReplicaEntity.Read(request.key(), adapter));
    }
    return this;
  }

  private Behavior<Command> onRepairReplied(RepairReplied message) {
    repairsPending--;
    return repairsPending <= 0 ? Behaviors.stopped() : this;
  }

  private Behavior<Command> onTimeout() {
    if (!answered) {
      int behind = quorum.behindCount();
      answerUnavailable(
          "timed out after "
              + request.timeout().toMillis()
              + " ms"
              + (behind > 0
                  ? " (" + behind + " of the replicas that answered still catch up)"
                  : ""));
      return Behaviors.stopped();
    }
    // a second timeout ends the wait for repair acks
    return repairsPending > 0 ? Behaviors.stopped() : repairAndStop();
  }

  /** Sends the merged object to every replica that answered behind it; stops when they acked. */
  private Behavior<Command> repairAndStop() {
    if (!answered) {
      return Behaviors.stopped();
    }
    DvvSet<Sibling> merged = quorum.merged();
    List<String> stale = ReadRepairPlan.staleReplicas(merged, quorum.objects());
    if (stale.isEmpty()) {
      return Behaviors.stopped();
    }
    // a merge larger than one message carries goes in parts, each acked (ObjectParts)
    List<byte[]> objectParts =
        ObjectParts.split(StoredObjectCodec.encode(merged), request.maxPartBytes());
    ActorRef<ReplicaEntity.Replicated> adapter =
        getContext().messageAdapter(ReplicaEntity.Replicated.class, RepairReplied::new);
    int sent = 0;
    for (String replica : stale) {
      ReplicaId id = ReplicaId.parse(replica);
      Optional<String> node = directory.remoteNodeOf(id);
      for (byte[] part : objectParts) {
        // a peer whose queue is full gets no repair now (counted as a refusal of the bound);
        // anti-entropy brings it up to date later
        if (node.isPresent() && !peerBytes.tryAcquire(node.get(), part.length)) {
          break;
        }
        directory.tell(id, new ReplicaEntity.Replicate(request.key(), part, adapter));
        sent++;
      }
    }
    if (sent == 0) {
      return Behaviors.stopped();
    }
    metrics.readRepairSent(stale.size());
    repairing = true;
    repairsPending = sent;
    timers.startSingleTimer(Timeout.INSTANCE, request.timeout());
    getContext().getLog().debug("read {}: repairing {}", LogText.escape(request.key()), stale);
    return this;
  }

  private ReadResult result(DvvSet<Sibling> merged) {
    // identical values (one write applied twice after a coordinator failover) are shown once; the
    // context still covers both
    List<Sibling> live = merged.values().stream().filter(v -> !v.tombstone()).distinct().toList();
    String context =
        merged.isEmpty() ? null : CausalContextCodec.contextOf(merged, request.contextLimits());
    if (live.isEmpty()) {
      return new ReadResult.NotFound(context, quorum.repliedNodes());
    }
    return new ReadResult.Found(live, context, quorum.repliedNodes());
  }

  private void answerUnavailable(String reason) {
    answered = true;
    replyTo.tell(
        new Outcome.Unavailable(
            quorum.replies(), request.r(), quorum.replicasCount(), quorum.repliedNodes(), reason));
  }
}
