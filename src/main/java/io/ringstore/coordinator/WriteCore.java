package io.ringstore.coordinator;

import io.ringstore.config.LogText;
import io.ringstore.replica.PutError;
import io.ringstore.replica.ReplicaId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The decisions of one write, as riak_kv's {@code put_core} beside its put fsm: which replica
 * coordinates (the next one when it fails, refuses or stays silent), acks per distinct node, strict
 * or sloppy W, which replicas are owed a hint and which fallback holds it, and the outcome. Each
 * event returns a new core and the {@link WriteAction}s its {@link WriteCoordinator} performs; a
 * core is never changed once returned. Pure apart from the {@link WriteLinks} it is handed, which
 * answer (and count) whether a message may be queued to a node. Upholds DESIGN invariant 1: written
 * only after W real acks, or W acks and hints persisted on distinct fallback members when the write
 * is sloppy; a hint this node keeps itself never counts.
 */
public final class WriteCore {

  /**
   * How long to wait before asking replicas that were still catching up to apply the write again.
   */
  static final Duration SYNCING_RETRY = Duration.ofMillis(200);

  /** Where a write stands. */
  public enum Phase {
    /** A replica was asked to apply the write and has not answered. */
    COORDINATING,
    /**
     * No replica holds the request: refusals while catching up are retried, or the timeout ends it.
     */
    UNCOORDINATED,
    /** A replica applied the write: the object is replicated, and hinted where it is not acked. */
    REPLICATING,
    /** The request timed out after hints were sent: only their holders' answers are awaited. */
    DRAINING,
    /** Nothing is left to do: the coordinator stops. */
    DONE
  }

  /** A core after an event and what its coordinator does now; {@link #done()} means stop. */
  public record Step(WriteCore core, List<WriteAction> actions) {
    public Step {
      actions = List.copyOf(actions);
    }

    public boolean done() {
      return core.phase == Phase.DONE;
    }
  }

  private final WritePlan plan;
  private final Duration ackTimeout;
  private final WriteQuorum quorum;
  private final WriteCandidates candidates;
  private final Set<String> acked;
  private final WriteHints hints;
  private Phase phase;
  private WriteResult answer;
  private byte[] object;
  private String context;
  private boolean hintsDue;
  private boolean ackTimeoutExtended;
  private boolean tombstoneMarked;

  /** The actions of the transition under way (only ever set on a fresh copy). */
  private List<WriteAction> out;

  private WriteCore(WritePlan plan) {
    this.plan = plan;
    Duration ack = null;
    if (plan.replicaAckTimeout() != null) {
      Duration half = plan.timeout().dividedBy(2);
      ack = plan.replicaAckTimeout().compareTo(half) < 0 ? plan.replicaAckTimeout() : half;
    }
    this.ackTimeout = ack;
    this.quorum = new WriteQuorum(plan.w(), plan.replicas().size(), plan.sloppy());
    this.candidates = new WriteCandidates(plan.candidates());
    this.acked = new HashSet<>();
    this.hints = new WriteHints(plan.fallbacks(), plan.selfNode());
    this.phase = Phase.UNCOORDINATED;
  }

  private WriteCore(WriteCore from) {
    this.plan = from.plan;
    this.ackTimeout = from.ackTimeout;
    this.quorum = from.quorum.copy();
    this.candidates = from.candidates.copy();
    this.acked = new HashSet<>(from.acked);
    this.hints = from.hints.copy();
    this.phase = from.phase;
    this.answer = from.answer;
    this.object = from.object;
    this.context = from.context;
    this.hintsDue = from.hintsDue;
    this.ackTimeoutExtended = from.ackTimeoutExtended;
    this.tombstoneMarked = from.tombstoneMarked;
    this.out = new ArrayList<>();
  }

  /**
   * A write begins: unavailable at once when W cannot be met by the key's replicas; else the
   * request timeout and the replica-ack timeout are armed and the first candidate is asked to
   * coordinate, with half that ack timeout to apply it ({@link #applyBudget}).
   */
  public static Step start(WritePlan plan, WriteLinks links) {
    WriteCore next = new WriteCore(new WriteCore(plan));
    int replicas = plan.replicas().size();
    if (new WriteQuorum(plan.w(), replicas).impossible()) {
      next.answer(
          new Outcome.Unavailable(
              0, plan.w(), replicas, List.of(), Quorum.fewReplicasReason(replicas)));
      next.phase = Phase.DONE;
      return next.step();
    }
    next.out.add(new WriteAction.ArmTimeout(plan.timeout()));
    long firstApplyWithin = 0;
    if (next.ackTimeout != null) {
      next.out.add(new WriteAction.ArmAckTimer(next.ackTimeout));
      firstApplyWithin = applyBudget(next.ackTimeout);
    }
    next.sendToNextCoordinator(firstApplyWithin, links);
    return next.step();
  }

  /**
   * The budget ({@code CoordinatePut.applyWithinMillis}) of the first coordinating replica, which
   * is replaced at the replica-ack timeout if it has not answered by then: half of that timeout,
   * counted by the replica from when it received the request; the other half is left for the
   * request to get there and the reply to come back. The coordinator waits its whole timeout before
   * it moves on.
   */
  static long applyBudget(Duration replicaAckTimeout) {
    return Math.max(1, replicaAckTimeout.toMillis() / 2);
  }

  /**
   * The coordinating replica answered a {@code CoordinatePut}: {@code error} null when it applied
   * the write ({@code object} as stored, {@code context} for the client). Replies of replicas that
   * no longer coordinate, or after the object exists, change nothing.
   */
  public Step coordinatorReplied(
      String replica,
      String node,
      byte[] object,
      String context,
      PutError error,
      String reason,
      WriteLinks links) {
    if (!awaitsCoordinator(replica)) {
      return unchanged();
    }
    WriteCore next = new WriteCore(this);
    next.onCoordinatorReplied(replica, node, object, context, error, reason, links);
    return next.step();
  }

  /** Whether {@code replica} is the coordinating replica and its answer is awaited. */
  public boolean awaitsCoordinator(String replica) {
    return phase == Phase.COORDINATING && candidates.current().id().equals(replica);
  }

  private void onCoordinatorReplied(
      String replica,
      String node,
      byte[] stored,
      String storedContext,
      PutError error,
      String reason,
      WriteLinks links) {
    if (error == null) {
      applied(replica, node, stored, storedContext, links);
    } else {
      switch (error) {
        case EXPIRED -> {
          log(
              false,
              "write "
                  + LogText.escape(plan.key())
                  + ": coordinating replica "
                  + replica
                  + " got the write too late, trying the next one");
          sendToNextCoordinator(0, links);
        }
        case TOO_MANY_SIBLINGS -> reject(reason, Outcome.Kind.TOO_MANY_SIBLINGS);
        case OBJECT_TOO_LARGE -> reject(reason, Outcome.Kind.OBJECT_TOO_LARGE);
        case CONTEXT_NOT_HELD -> {
          // nothing stored; this replica may be behind the replicas the client read from: ask the
          // next one, and refuse the write only when none holds what the context names
          sendToNextCoordinator(0, links);
          if (phase == Phase.UNCOORDINATED && answer == null && !candidates.anySyncing()) {
            reject(reason, Outcome.Kind.BAD_REQUEST);
          } else {
            retrySyncingIfUncoordinated();
          }
        }
        case SYNCING -> {
          candidates.currentSyncing();
          sendToNextCoordinator(0, links);
          retrySyncingIfUncoordinated();
        }
        default -> {
          log(
              true,
              "write "
                  + LogText.escape(plan.key())
                  + ": coordinating replica "
                  + replica
                  + " on "
                  + node
                  + " failed: "
                  + LogText.escape(reason));
          quorum.fail(replica);
          sendToNextCoordinator(0, links);
          if (phase == Phase.UNCOORDINATED && answer == null && !candidates.anySyncing()) {
            // nobody is left to apply the write (a refusal while syncing is not an answer of the
            // quorum, so W may still look possible)
            answerUnavailable("no replica of the key could apply the write");
          } else {
            retrySyncingIfUncoordinated();
          }
        }
      }
    }
    checkDone();
  }

  private void applied(
      String replica, String node, byte[] stored, String storedContext, WriteLinks links) {
    ack(replica, node);
    object = stored;
    context = storedContext;
    phase = Phase.REPLICATING;
    for (ReplicaId other : plan.replicas()) {
      if (other.equals(candidates.current())) {
        continue;
      }
      if (links.mayQueueTo(other, objectBytes())) {
        out.add(new WriteAction.Replicate(other));
      } else {
        // not sent: this replica has not acked (it gets a hint at the replica-ack timeout)
        quorum.fail(other.id());
      }
    }
    candidates.clearWaiting();
    if (hintsDue) {
      // the replaced coordinators get their hints now; the others were only just sent the object
      // and get a fresh replica-ack timeout
      sendHints(candidates.silent(), links);
      hintsDue = false;
      out.add(new WriteAction.ArmAckTimer(ackTimeout));
    }
  }

  private void retrySyncingIfUncoordinated() {
    if (phase == Phase.UNCOORDINATED && answer == null) {
      out.add(new WriteAction.ArmRetry(SYNCING_RETRY));
    }
  }

  /** Another replica answered a {@code Replicate}: {@code ok} when it stored the object. */
  public Step replicated(String replica, String node, boolean ok) {
    if (phase == Phase.DONE) {
      return unchanged();
    }
    WriteCore next = new WriteCore(this);
    if (ok) {
      next.ack(replica, node);
    } else {
      next.quorum.fail(replica);
    }
    next.checkDone();
    return next.step();
  }

  /** The retry timer after every candidate refused while catching up: they are asked again. */
  public Step retrySyncing(WriteLinks links) {
    if (phase == Phase.DONE) {
      return unchanged();
    }
    WriteCore next = new WriteCore(this);
    if (phase == Phase.UNCOORDINATED && answer == null) {
      next.candidates.retrySyncing();
      next.sendToNextCoordinator(0, links);
    }
    next.checkDone();
    return next.step();
  }

  /**
   * The replica-ack timeout: replicas that have not acked by now get hints; a coordinating replica
   * that has not answered is replaced by the next one (hinted once the object exists). When this
   * JVM stood still since the request went out ({@code jvmStalled}) the timeout fired late and the
   * request may have left only now: the coordinating replica is waited for once more (no duplicate
   * dot).
   */
  public Step replicaAckTimeout(boolean jvmStalled, WriteLinks links) {
    if (phase == Phase.DONE) {
      return unchanged();
    }
    WriteCore next = new WriteCore(this);
    if (phase == Phase.COORDINATING && !ackTimeoutExtended && jvmStalled) {
      next.ackTimeoutExtended = true;
      next.out.add(new WriteAction.ArmAckTimer(ackTimeout));
      return next.step();
    }
    next.hintsDue = true;
    if (phase == Phase.COORDINATING && candidates.anyWaiting()) {
      next.log(
          false,
          "write "
              + LogText.escape(plan.key())
              + ": coordinating replica "
              + candidates.current()
              + " silent, trying the next one");
      next.candidates.currentSilent();
      next.sendToNextCoordinator(0, links);
    }
    if (next.object != null) {
      next.sendHints(plan.replicas(), links);
    }
    next.checkDone();
    return next.step();
  }

  /** A hint holder answered: an accepted hint on a fallback member counts toward a sloppy W. */
  public Step hintReplied(ReplicaId target, boolean accepted, String reason) {
    if (phase == Phase.DONE || !hints.awaits(target)) {
      return unchanged();
    }
    WriteCore next = new WriteCore(this);
    String holder = next.hints.answered(target, accepted);
    if (accepted) {
      if (hints.isFallback(holder)) {
        next.quorum.hinted(holder);
      }
      next.log(
          false,
          "hint stored: key="
              + LogText.escape(plan.key())
              + " target="
              + target
              + " fallback="
              + holder);
    } else {
      next.log(
          true,
          "hint refused: key="
              + LogText.escape(plan.key())
              + " target="
              + target
              + " fallback="
              + holder
              + " reason="
              + LogText.escape(reason));
    }
    next.checkDone();
    return next.step();
  }

  /**
   * The request's timeout: the client is answered if it was not yet. A stored object still owes the
   * replicas that have not acked their hints (the replica-ack timeout restarts when the object
   * comes late, and may not have fired yet): they are sent now, and the holders' answers are
   * awaited one more replica-ack timeout.
   */
  public Step requestTimeout(WriteLinks links) {
    if (phase == Phase.DONE) {
      return unchanged();
    }
    WriteCore next = new WriteCore(this);
    if (answer == null) {
      next.answerUnavailable("timed out after " + plan.timeout().toMillis() + " ms");
    }
    if (phase != Phase.REPLICATING || ackTimeout == null) {
      next.phase = Phase.DONE;
      return next.step();
    }
    next.phase = Phase.DRAINING;
    next.out.add(WriteAction.CancelAckTimer.INSTANCE);
    int pending = next.hints.pendingCount();
    next.sendHints(plan.replicas(), links);
    if (next.hints.pendingCount() == pending) {
      // nothing new sent: hints already on their way are stored whether or not anyone waits
      next.phase = Phase.DONE;
    } else {
      next.out.add(new WriteAction.ArmTimeout(ackTimeout));
    }
    return next.step();
  }

  /**
   * Asks the next candidate to coordinate ({@code applyWithinMillis}: 0, or its budget). A
   * candidate on a peer whose queued bytes are at their bound is passed over; when every candidate
   * was, and nothing else may still apply the write, the client is answered unavailable and the
   * write ends.
   */
  private void sendToNextCoordinator(long applyWithinMillis, WriteLinks links) {
    switch (candidates.next(plan.coordinateBytes(), links)) {
      case FOUND -> {
        phase = Phase.COORDINATING;
        out.add(new WriteAction.Coordinate(candidates.current(), applyWithinMillis));
      }
      case NONE_UNDER_BOUND -> {
        phase = Phase.UNCOORDINATED;
        if (answer == null && !candidates.anySyncing()) {
          answerUnavailable(
              "the nodes of the key's replicas have too many bytes queued from this node");
          phase = Phase.DONE;
        }
      }
      case NONE_LEFT -> phase = Phase.UNCOORDINATED;
    }
  }

  /** Hands each target that has not acked, nor been asked for a hint yet, to a hint holder. */
  private void sendHints(Collection<ReplicaId> targets, WriteLinks links) {
    for (ReplicaId target : targets) {
      if (acked.contains(target.id()) || !hints.unasked(target)) {
        continue;
      }
      Optional<String> holder = hints.holder(objectBytes(), links);
      if (holder.isEmpty()) {
        log(
            true,
            "write "
                + LogText.escape(plan.key())
                + ": no member can hold the hint for replica "
                + target
                + " (no hint manager runs here); anti-entropy repairs it");
        continue;
      }
      hints.asked(target, holder.get());
      out.add(new WriteAction.StoreHint(target, holder.get()));
    }
  }

  private void checkDone() {
    if (phase == Phase.DONE) {
      return;
    }
    markTombstoneIfEveryReplicaAcked();
    if (answer == null && quorum.met() && context != null) {
      answer(
          new WriteResult.Written(context, quorum.ackedNodes(), hints.describe(), plan.sloppy()));
    } else if (answer == null
        && quorum.impossible()
        && !(plan.sloppy() && hints.pendingCount() > 0)) {
      answerUnavailable("replicas failed to store the write");
    }
    if (answer != null
        && (nothingLeftToDo() || (phase == Phase.DRAINING && hints.pendingCount() == 0))) {
      phase = Phase.DONE;
    }
  }

  /**
   * A delete that all N replicas (on N distinct nodes) acked may be reaped after the grace period:
   * each replica is told (it checks that its stored object is still exactly this tombstone).
   */
  private void markTombstoneIfEveryReplicaAcked() {
    int n = plan.replicationFactor();
    if (tombstoneMarked
        || !plan.tombstone()
        || object == null
        || plan.replicas().size() < n
        || quorum.ackedNodes().size() < n
        || !plan.replicas().stream().allMatch(r -> acked.contains(r.id()))) {
      return;
    }
    tombstoneMarked = true;
    plan.replicas().forEach(r -> out.add(new WriteAction.MarkTombstone(r)));
  }

  /**
   * Every replica acked, or (once hints were due) every replica answered and each one that did not
   * ack got its hint (or no fallback could take one).
   */
  private boolean nothingLeftToDo() {
    if (ackTimeout == null) {
      return quorum.allAnswered();
    }
    boolean covered =
        plan.replicas().stream().allMatch(r -> acked.contains(r.id()) || hints.storedFor(r));
    return hints.pendingCount() == 0 && (covered || (hintsDue && quorum.allAnswered()));
  }

  /** A write a replica refused (nothing was stored anywhere): answered if not yet, and done. */
  private void reject(String reason, Outcome.Kind kind) {
    if (answer == null) {
      answer(new Outcome.Rejected(reason, kind));
    }
    phase = Phase.DONE;
  }

  private void answerUnavailable(String reason) {
    answer(
        new Outcome.Unavailable(
            quorum.acks(), quorum.required(), quorum.replicas(), quorum.ackedNodes(), reason));
  }

  private void answer(WriteResult result) {
    answer = result;
    out.add(new WriteAction.Answer(result));
  }

  private void ack(String replica, String node) {
    acked.add(replica);
    quorum.ack(replica, node);
  }

  private void log(boolean warn, String text) {
    out.add(new WriteAction.Log(warn, text));
  }

  private long objectBytes() {
    return (long) object.length + plan.key().length();
  }

  private Step step() {
    List<WriteAction> actions = out;
    out = null;
    return new Step(this, actions);
  }

  private Step unchanged() {
    return new Step(this, List.of());
  }

  public Phase phase() {
    return phase;
  }

  /** The client's answer, once given. */
  public Optional<WriteResult> answer() {
    return Optional.ofNullable(answer);
  }

  /** The coordinated object as stored (null until a replica applied the write); never modified. */
  public byte[] object() {
    return object;
  }

  /**
   * The replica-ack timeout this write uses (at most half its timeout), null when hints are off.
   */
  public Duration ackTimeout() {
    return ackTimeout;
  }
}
