package io.ringstore.coordinator;

import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.CausalContextCodec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
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
 * timeout passes first or W can no longer be met. If the coordinating replica fails, the next one takes
 * over. Stays until every replica answered or the timeout, then stops (DESIGN invariant 1: a write is
 * reported written only after W real acks).
 */
public final class WriteCoordinator extends AbstractBehavior<WriteCoordinator.Command> {

  /**
   * A validated write: {@code context} is an encoded causal context or null; {@code sloppy} lets hints
   * on distinct fallback members count toward W.
   */
  public record WriteRequest(
      String key, Sibling value, String context, boolean contextFromReplica, int w,
      Duration timeout, boolean sloppy) {
    public WriteRequest(
        String key, Sibling value, String context, boolean contextFromReplica, int w,
        Duration timeout) {
      this(key, value, context, contextFromReplica, w, timeout, false);
    }
  }

  /** Internal messages: adapted replica replies and the timeout. */
  public interface Command {}

  private record PutReplied(ReplicaEntity.PutReply reply) implements Command {}

  private record ReplicateReplied(ReplicaEntity.Replicated reply) implements Command {}

  private enum Timeout implements Command { INSTANCE }

  private final WriteRequest request;
  private final ReplicaDirectory directory;
  private final ActorRef<WriteResult> replyTo;
  private final List<ReplicaId> replicas;
  private final Deque<ReplicaId> coordinatorCandidates;
  private final WriteQuorum quorum;
  private final ActorRef<ReplicaEntity.PutReply> putAdapter;
  private final ActorRef<ReplicaEntity.Replicated> replicateAdapter;
  private ReplicaId coordinatingReplica;
  /** The causal context of the coordinated object; null until the coordinating replica stored it. */
  private String context;
  private boolean answered;

  public static Behavior<Command> create(
      WriteRequest request, ReplicaDirectory directory, List<ReplicaId> replicas,
      ActorRef<WriteResult> replyTo) {
    return Behaviors.setup(ctx -> {
      if (new WriteQuorum(request.w(), replicas.size()).impossible()) {
        replyTo.tell(new Outcome.Unavailable(0, request.w(), replicas.size(), List.of(),
            "the key has " + replicas.size() + " replica(s) in the cluster now"));
        return Behaviors.stopped();
      }
      return Behaviors.withTimers(timers ->
          new WriteCoordinator(ctx, timers, request, directory, replicas, replyTo));
    });
  }

  private WriteCoordinator(
      ActorContext<Command> ctx, TimerScheduler<Command> timers, WriteRequest request,
      ReplicaDirectory directory, List<ReplicaId> replicas, ActorRef<WriteResult> replyTo) {
    super(ctx);
    this.request = request;
    this.directory = directory;
    this.replyTo = replyTo;
    this.replicas = replicas;
    this.coordinatorCandidates = new ArrayDeque<>(replicas);
    this.quorum = new WriteQuorum(request.w(), replicas.size());
    this.putAdapter = ctx.messageAdapter(ReplicaEntity.PutReply.class, PutReplied::new);
    this.replicateAdapter = ctx.messageAdapter(ReplicaEntity.Replicated.class, ReplicateReplied::new);
    timers.startSingleTimer(Timeout.INSTANCE, request.timeout());
    sendToNextCoordinator();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(PutReplied.class, this::onPutReplied)
        .onMessage(ReplicateReplied.class, this::onReplicateReplied)
        .onMessageEquals(Timeout.INSTANCE, this::onTimeout)
        .build();
  }

  private void sendToNextCoordinator() {
    coordinatingReplica = coordinatorCandidates.pollFirst();
    if (coordinatingReplica == null) {
      return;
    }
    Sibling v = request.value();
    directory.entity(coordinatingReplica).tell(new ReplicaEntity.CoordinatePut(
        request.key(), v.data(), v.contentType(), v.tombstone(), request.context(),
        request.contextFromReplica(), putAdapter));
  }

  private Behavior<Command> onPutReplied(PutReplied message) {
    ReplicaEntity.PutReply reply = message.reply();
    if (coordinatingReplica == null || !reply.replica().equals(coordinatingReplica.id())) {
      return this;
    }
    if (!reply.ok()) {
      getContext().getLog().warn("write {}: coordinating replica {} on {} failed: {}",
          request.key(), reply.replica(), reply.node(), reply.error());
      quorum.fail(reply.replica());
      sendToNextCoordinator();
      return checkDone();
    }
    quorum.ack(reply.replica(), reply.node());
    String context = CausalContextCodec.encode(StoredObjectCodec.decode(reply.object()).join());
    for (ReplicaId other : replicas) {
      if (!other.equals(coordinatingReplica)) {
        directory.entity(other).tell(
            new ReplicaEntity.Replicate(request.key(), reply.object(), replicateAdapter));
      }
    }
    coordinatorCandidates.clear();
    this.context = context;
    return checkDone();
  }

  private Behavior<Command> onReplicateReplied(ReplicateReplied message) {
    ReplicaEntity.Replicated reply = message.reply();
    if (reply.ok()) {
      quorum.ack(reply.replica(), reply.node());
    } else {
      quorum.fail(reply.replica());
    }
    return checkDone();
  }

  private Behavior<Command> checkDone() {
    if (!answered && quorum.met() && context != null) {
      answered = true;
      replyTo.tell(new WriteResult.Written(context, quorum.ackedNodes()));
    } else if (!answered && quorum.impossible()) {
      answerUnavailable("replicas failed to store the write");
    }
    return quorum.allAnswered() ? Behaviors.stopped() : this;
  }

  private Behavior<Command> onTimeout() {
    if (!answered) {
      answerUnavailable("timed out after " + request.timeout().toMillis() + " ms");
    }
    return Behaviors.stopped();
  }

  private void answerUnavailable(String reason) {
    answered = true;
    replyTo.tell(new Outcome.Unavailable(
        quorum.acks(), quorum.required(), quorum.replicas(), quorum.ackedNodes(), reason));
  }
}
