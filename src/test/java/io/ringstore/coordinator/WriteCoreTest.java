package io.ringstore.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.replica.PutError;
import io.ringstore.replica.ReplicaId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The write core's transitions without an actor: each case starts a write, feeds it events (replica
 * replies, timeouts, hint answers) and checks the outcome, the phase it ends in and the actions it
 * asked for along the way.
 */
class WriteCoreTest {

  private static final String KEY = "user/42";
  private static final ReplicaId R0 = new ReplicaId(7, 0);
  private static final ReplicaId R1 = new ReplicaId(7, 1);
  private static final ReplicaId R2 = new ReplicaId(7, 2);
  private static final List<ReplicaId> REPLICAS = List.of(R0, R1, R2);
  private static final List<String> NODES = List.of("n0:1", "n1:1", "n2:1");
  private static final String F1 = "f1:1";
  private static final String F2 = "f2:1";
  private static final byte[] OBJECT = {1, 2, 3};
  private static final String CONTEXT = "ctx";
  private static final Duration TIMEOUT = Duration.ofMillis(1000);
  private static final Duration ACK_TIMEOUT = Duration.ofMillis(200);

  /** Bounds that refuse the replicas and fallbacks named, and allow everything else. */
  private record Links(Set<ReplicaId> fullReplicas, Set<String> unusableFallbacks)
      implements WriteLinks {
    static final Links OPEN = new Links(Set.of(), Set.of());

    @Override
    public boolean mayQueueTo(ReplicaId replica, long bytes) {
      return !fullReplicas.contains(replica);
    }

    @Override
    public boolean mayHoldHint(String fallback, long bytes) {
      return !unusableFallbacks.contains(fallback);
    }
  }

  private static WritePlan plan(int w, boolean sloppy, List<String> fallbacks, String self) {
    return new WritePlan(
        KEY,
        10,
        false,
        w,
        sloppy,
        REPLICAS,
        REPLICAS,
        fallbacks,
        Optional.ofNullable(self),
        3,
        TIMEOUT,
        ACK_TIMEOUT);
  }

  private static WritePlan plan(int w, boolean sloppy) {
    return plan(w, sloppy, List.of(F1, F2), NODES.get(0));
  }

  /** One event fed to the core. */
  private interface Event extends Function<WriteCore, WriteCore.Step> {}

  private static Event applied(int i) {
    return c ->
        c.coordinatorReplied(
            REPLICAS.get(i).id(), NODES.get(i), OBJECT, CONTEXT, null, null, Links.OPEN);
  }

  private static Event refused(int i, PutError error, String reason) {
    return c ->
        c.coordinatorReplied(
            REPLICAS.get(i).id(), NODES.get(i), null, null, error, reason, Links.OPEN);
  }

  private static Event replicated(int i, boolean ok) {
    return c -> c.replicated(REPLICAS.get(i).id(), NODES.get(i), ok);
  }

  private static Event ackTimeout(WriteLinks links) {
    return c -> c.replicaAckTimeout(false, links);
  }

  private static final Event ACK_TIMEOUT_PASSES = ackTimeout(Links.OPEN);
  private static final Event STALLED_ACK_TIMEOUT = c -> c.replicaAckTimeout(true, Links.OPEN);
  private static final Event REQUEST_TIMEOUT = c -> c.requestTimeout(Links.OPEN);
  private static final Event RETRY = c -> c.retrySyncing(Links.OPEN);

  private static Event hint(ReplicaId target, boolean accepted) {
    return c -> c.hintReplied(target, accepted, accepted ? null : "full");
  }

  /** A write from its start through {@code events}, with every action it asked for. */
  private record Run(WriteCore core, List<WriteAction> actions) {
    static Run of(WritePlan plan, WriteLinks links, Event... events) {
      WriteCore.Step step = WriteCore.start(plan, links);
      List<WriteAction> actions = new ArrayList<>(step.actions());
      for (Event event : events) {
        step = event.apply(step.core());
        actions.addAll(step.actions());
      }
      return new Run(step.core(), actions);
    }

    long count(WriteAction action) {
      return actions.stream().filter(action::equals).count();
    }
  }

  /**
   * One row: {@code answer} the client's (null: none yet), {@code phase} where the write ends,
   * {@code expected} actions it must have asked for, {@code forbidden} ones it must not have.
   */
  private record Case(
      String name,
      WritePlan plan,
      WriteLinks links,
      List<Event> events,
      WriteResult answer,
      WriteCore.Phase phase,
      List<WriteAction> expected,
      List<WriteAction> forbidden) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static WriteAction coordinate(ReplicaId replica, long budget) {
    return new WriteAction.Coordinate(replica, budget);
  }

  private static WriteAction storeHint(ReplicaId target, String holder) {
    return new WriteAction.StoreHint(target, holder);
  }

  private static WriteResult unavailable(int acks, int required, List<String> nodes, String why) {
    return new Outcome.Unavailable(acks, required, 3, nodes, why);
  }

  private static final String FAILED = "replicas failed to store the write";
  private static final String TIMED_OUT = "timed out after 1000 ms";

  static Stream<Case> cases() {
    List<String> n01 = List.of(NODES.get(0), NODES.get(1));
    List<String> n0 = List.of(NODES.get(0));
    return Stream.of(
        new Case(
            "W met strictly: the first replica's budget is half the ack timeout",
            plan(2, false),
            Links.OPEN,
            List.of(applied(0), replicated(1, true)),
            new WriteResult.Written(CONTEXT, n01, List.of(), false),
            WriteCore.Phase.REPLICATING,
            List.of(
                coordinate(R0, 100), new WriteAction.Replicate(R1), new WriteAction.Replicate(R2)),
            List.of()),
        new Case(
            "W met sloppily: a hint on a fallback counts, then nothing is owed",
            plan(3, true),
            Links.OPEN,
            List.of(applied(0), replicated(1, true), ACK_TIMEOUT_PASSES, hint(R2, true)),
            new WriteResult.Written(CONTEXT, n01, List.of(F1 + " for 7:2"), true),
            WriteCore.Phase.DONE,
            List.of(storeHint(R2, F1)),
            List.of()),
        new Case(
            "a strict W does not count the same hint",
            plan(3, false),
            Links.OPEN,
            List.of(applied(0), replicated(1, true), ACK_TIMEOUT_PASSES, hint(R2, true)),
            null,
            WriteCore.Phase.REPLICATING,
            List.of(storeHint(R2, F1)),
            List.of()),
        new Case(
            "W not met: unavailable with the acks and the required",
            plan(3, false),
            Links.OPEN,
            List.of(applied(0), replicated(1, true), replicated(2, false)),
            unavailable(2, 3, n01, FAILED),
            WriteCore.Phase.REPLICATING,
            List.of(),
            List.of()),
        new Case(
            "W not met by the timeout: unavailable, owed hints sent, then done",
            plan(2, false),
            Links.OPEN,
            List.of(applied(0), REQUEST_TIMEOUT, hint(R1, true), hint(R2, true)),
            unavailable(1, 2, n0, TIMED_OUT),
            WriteCore.Phase.DONE,
            List.of(
                storeHint(R1, F1),
                storeHint(R2, F2),
                WriteAction.CancelAckTimer.INSTANCE,
                new WriteAction.ArmTimeout(ACK_TIMEOUT)),
            List.of()),
        new Case(
            "the coordinating replica fails: the next one coordinates, without a budget",
            plan(2, false),
            Links.OPEN,
            List.of(refused(0, PutError.STORAGE_FAILED, "disk")),
            null,
            WriteCore.Phase.COORDINATING,
            List.of(coordinate(R1, 0)),
            List.of()),
        new Case(
            "the coordinating replica is silent: the next one coordinates, the silent one"
                + " is hinted once the object exists",
            plan(2, false),
            Links.OPEN,
            List.of(ACK_TIMEOUT_PASSES, applied(1), replicated(2, true)),
            new WriteResult.Written(CONTEXT, List.of(NODES.get(1), NODES.get(2)), List.of(), false),
            WriteCore.Phase.REPLICATING,
            List.of(coordinate(R1, 0), storeHint(R0, F1), new WriteAction.ArmAckTimer(ACK_TIMEOUT)),
            List.of(new WriteAction.Replicate(R1))),
        new Case(
            "this JVM stalled: the coordinating replica is waited for once more",
            plan(2, false),
            Links.OPEN,
            List.of(STALLED_ACK_TIMEOUT),
            null,
            WriteCore.Phase.COORDINATING,
            List.of(new WriteAction.ArmAckTimer(ACK_TIMEOUT)),
            List.of(coordinate(R1, 0))),
        new Case(
            "a replica's ack timeout: a hint to the first fallback",
            plan(2, false),
            Links.OPEN,
            List.of(applied(0), replicated(1, true), ACK_TIMEOUT_PASSES),
            new WriteResult.Written(CONTEXT, n01, List.of(), false),
            WriteCore.Phase.REPLICATING,
            List.of(storeHint(R2, F1)),
            List.of(storeHint(R2, F2))),
        new Case(
            "an unavailable fallback is passed over for the next",
            plan(1, false),
            new Links(Set.of(), Set.of(F1)),
            List.of(applied(0), ackTimeout(new Links(Set.of(), Set.of(F1)))),
            new WriteResult.Written(CONTEXT, n0, List.of(), false),
            WriteCore.Phase.REPLICATING,
            List.of(storeHint(R1, F2), storeHint(R2, F2)),
            List.of(storeHint(R1, F1))),
        new Case(
            "several hints on one fallback count once toward a sloppy W",
            plan(3, true, List.of(F1), null),
            Links.OPEN,
            List.of(
                applied(0), ACK_TIMEOUT_PASSES, hint(R1, true), hint(R2, true), REQUEST_TIMEOUT),
            unavailable(1, 3, n0, TIMED_OUT),
            WriteCore.Phase.DONE,
            List.of(storeHint(R1, F1), storeHint(R2, F1)),
            List.of()),
        new Case(
            "no fallback: this node keeps the hints, and they do not count",
            plan(2, true, List.of(F1), NODES.get(0)),
            new Links(Set.of(), Set.of(F1)),
            List.of(
                applied(0),
                ackTimeout(new Links(Set.of(), Set.of(F1))),
                hint(R1, true),
                hint(R2, true),
                REQUEST_TIMEOUT),
            unavailable(1, 2, n0, TIMED_OUT),
            WriteCore.Phase.DONE,
            List.of(storeHint(R1, NODES.get(0)), storeHint(R2, NODES.get(0))),
            List.of()),
        new Case(
            "no fallback and no hint manager here: no hint, a warning",
            plan(1, false, List.of(F1), null),
            new Links(Set.of(), Set.of(F1)),
            List.of(applied(0), ackTimeout(new Links(Set.of(), Set.of(F1)))),
            new WriteResult.Written(CONTEXT, n0, List.of(), false),
            WriteCore.Phase.REPLICATING,
            List.of(
                new WriteAction.Log(
                    true,
                    "write user/42: no member can hold the hint for"
                        + " replica "
                        + R1
                        + " (no hint manager runs here); anti-entropy repairs it")),
            List.of(storeHint(R1, F1))),
        new Case(
            "a refused hint is not offered again, not even at the timeout",
            plan(1, false),
            Links.OPEN,
            List.of(
                applied(0), ACK_TIMEOUT_PASSES, hint(R1, false), hint(R2, true), REQUEST_TIMEOUT),
            new WriteResult.Written(CONTEXT, n0, List.of(), false),
            WriteCore.Phase.DONE,
            List.of(storeHint(R1, F1)),
            List.of(storeHint(R1, F2))),
        new Case(
            "late replies after the answer do not change it; the failed replica is owed a"
                + " hint at the timeout",
            plan(2, false),
            Links.OPEN,
            List.of(
                applied(0),
                replicated(1, true),
                replicated(2, false),
                refused(1, PutError.STORAGE_FAILED, "late"),
                applied(2),
                REQUEST_TIMEOUT),
            new WriteResult.Written(CONTEXT, n01, List.of(), false),
            WriteCore.Phase.DRAINING,
            List.of(storeHint(R2, F1)),
            List.of(coordinate(R1, 0), coordinate(R2, 0))),
        new Case(
            "too many siblings: rejected at once, no other replica asked",
            plan(2, false),
            Links.OPEN,
            List.of(refused(0, PutError.TOO_MANY_SIBLINGS, "resolve them")),
            new Outcome.Rejected("resolve them", Outcome.Kind.TOO_MANY_SIBLINGS),
            WriteCore.Phase.DONE,
            List.of(),
            List.of(coordinate(R1, 0))),
        new Case(
            "a context no replica holds: rejected as a bad request after all three",
            plan(2, false),
            Links.OPEN,
            List.of(
                refused(0, PutError.CONTEXT_NOT_HELD, "read first"),
                refused(1, PutError.CONTEXT_NOT_HELD, "read first"),
                refused(2, PutError.CONTEXT_NOT_HELD, "read first")),
            new Outcome.Rejected("read first", Outcome.Kind.BAD_REQUEST),
            WriteCore.Phase.DONE,
            List.of(coordinate(R1, 0), coordinate(R2, 0)),
            List.of()),
        new Case(
            "every replica syncing: asked again after a pause",
            plan(2, false),
            Links.OPEN,
            List.of(
                refused(0, PutError.SYNCING, null),
                refused(1, PutError.SYNCING, null),
                refused(2, PutError.SYNCING, null),
                RETRY),
            null,
            WriteCore.Phase.COORDINATING,
            List.of(new WriteAction.ArmRetry(WriteCore.SYNCING_RETRY), coordinate(R0, 0)),
            List.of()),
        new Case(
            "an expired request: the next replica coordinates, nothing failed",
            plan(3, false),
            Links.OPEN,
            List.of(
                refused(0, PutError.EXPIRED, null),
                applied(1),
                replicated(0, true),
                replicated(2, true)),
            new WriteResult.Written(
                CONTEXT, List.of(NODES.get(1), NODES.get(0), NODES.get(2)), List.of(), false),
            WriteCore.Phase.DONE,
            List.of(coordinate(R1, 0)),
            List.of()),
        new Case(
            "W above the replicas: unavailable at once, nobody asked",
            plan(4, false),
            Links.OPEN,
            List.of(),
            new Outcome.Unavailable(
                0, 4, 3, List.of(), "the key has 3 replica(s) in the cluster now"),
            WriteCore.Phase.DONE,
            List.of(),
            List.of(coordinate(R0, 100))),
        new Case(
            "every replica's node at its bound: unavailable at once",
            plan(1, false),
            new Links(Set.copyOf(REPLICAS), Set.of()),
            List.of(),
            unavailable(
                0,
                1,
                List.of(),
                "the nodes of the key's replicas have too many bytes queued from this node"),
            WriteCore.Phase.DONE,
            List.of(),
            List.of(coordinate(R0, 100))),
        new Case(
            "a replicate to a node at its bound is not sent and counts as failed",
            plan(3, false),
            new Links(Set.of(R2), Set.of()),
            List.of(
                c ->
                    c.coordinatorReplied(
                        R0.id(),
                        NODES.get(0),
                        OBJECT,
                        CONTEXT,
                        null,
                        null,
                        new Links(Set.of(R2), Set.of()))),
            unavailable(1, 3, n0, FAILED),
            WriteCore.Phase.REPLICATING,
            List.of(new WriteAction.Replicate(R1)),
            List.of(new WriteAction.Replicate(R2))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void transitions(Case c) {
    Run run = Run.of(c.plan(), c.links(), c.events().toArray(Event[]::new));
    assertEquals(Optional.ofNullable(c.answer()), run.core().answer(), c.name() + ": the answer");
    assertEquals(c.phase(), run.core().phase(), c.name() + ": the phase it ends in");
    assertTrue(
        run.actions().stream().filter(a -> a instanceof WriteAction.Answer).count() <= 1,
        c.name() + ": the client is answered at most once, got " + run.actions());
    for (WriteAction action : c.expected()) {
      assertTrue(run.count(action) > 0, c.name() + ": expected " + action + " in " + run.actions());
    }
    for (WriteAction action : c.forbidden()) {
      assertEquals(0, run.count(action), c.name() + ": unexpected " + action);
    }
  }

  @Test
  void aCoreIsNeverChangedByAnEvent() {
    WriteCore started = WriteCore.start(plan(2, false), Links.OPEN).core();
    WriteCore.Step replied = applied(0).apply(started);
    assertEquals(WriteCore.Phase.COORDINATING, started.phase(), "the earlier core still waits");
    assertEquals(Optional.empty(), started.answer(), "the earlier core has no answer");
    assertEquals(WriteCore.Phase.REPLICATING, replied.core().phase(), "the new core replicates");
    WriteCore done =
        Run.of(
                plan(1, false),
                Links.OPEN,
                applied(0),
                REQUEST_TIMEOUT,
                hint(R1, true),
                hint(R2, true))
            .core();
    assertEquals(WriteCore.Phase.DONE, done.phase(), "timed out, every hint stored: done");
    WriteCore.Step late = replicated(1, true).apply(done);
    assertSame(done, late.core(), "an event after the end changes nothing");
    assertTrue(late.actions().isEmpty(), "and asks for nothing");
  }

  @Test
  void hintsOffTheWriteEndsWhenEveryReplicaAnswered() {
    WritePlan plan =
        new WritePlan(
            KEY,
            10,
            false,
            2,
            false,
            REPLICAS,
            REPLICAS,
            List.of(F1),
            Optional.empty(),
            3,
            TIMEOUT,
            null);
    Run run = Run.of(plan, Links.OPEN, applied(0), replicated(1, true));
    assertFalse(run.core().phase() == WriteCore.Phase.DONE, "one replica has not answered yet");
    assertFalse(
        run.actions().contains(new WriteAction.ArmAckTimer(ACK_TIMEOUT)),
        "no replica-ack timeout without hints");
    Run all = Run.of(plan, Links.OPEN, applied(0), replicated(1, true), replicated(2, false));
    assertEquals(WriteCore.Phase.DONE, all.core().phase(), "every replica answered: done");
  }

  @Test
  void aDeleteAckedByEveryReplicaMarksItsTombstoneOnEach() {
    WritePlan plan =
        new WritePlan(
            KEY,
            10,
            true,
            2,
            false,
            REPLICAS,
            REPLICAS,
            List.of(F1),
            Optional.empty(),
            3,
            TIMEOUT,
            ACK_TIMEOUT);
    Run two = Run.of(plan, Links.OPEN, applied(0), replicated(1, true));
    assertFalse(two.actions().contains(new WriteAction.MarkTombstone(R0)), "two acks of three");
    Run all = Run.of(plan, Links.OPEN, applied(0), replicated(1, true), replicated(2, true));
    for (ReplicaId r : REPLICAS) {
      assertEquals(1, all.count(new WriteAction.MarkTombstone(r)), "marked once on " + r);
    }
    assertEquals(WriteCore.Phase.DONE, all.core().phase(), "every replica acked: done");
  }
}
