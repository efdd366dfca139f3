package io.ringstore.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.check.FaultWindowTracker.Observation;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link FaultWindowTracker}: sequences of poll rounds and the windows they must give. */
class FaultWindowTrackerTest {
  private static final long S = 1_000_000_000L;
  private static final String A = "127.0.0.1:8080";
  private static final String B = "127.0.0.1:8081";
  private static final String C = "127.0.0.1:8082";
  private static final String A_CLUSTER = "127.0.0.1:25520";
  private static final String B_CLUSTER = "127.0.0.1:25521";
  private static final String C_CLUSTER = "127.0.0.1:25522";

  private static Observation ready(String node, String self, String... unreachable) {
    return Observation.ready(node, self, List.of(unreachable));
  }

  /** Every node ready, every member reachable. */
  private static List<Observation> healthy() {
    return List.of(ready(A, A_CLUSTER), ready(B, B_CLUSTER), ready(C, C_CLUSTER));
  }

  record Case(
      String name,
      Consumer<FaultWindowTracker> rounds,
      long finishAt,
      List<FaultWindow> windows,
      List<FaultWindow> nodesDown) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "all healthy: no window",
            t -> {
              t.observe(0, healthy());
              t.observe(S, healthy());
            },
            2 * S,
            List.of(),
            List.of()),
        new Case(
            "a node stops answering, then answers ready: one window, one node down",
            t -> {
              t.observe(0, healthy());
              t.observe(
                  S,
                  List.of(
                      ready(A, A_CLUSTER),
                      Observation.noAnswer(B, "connection-refused"),
                      ready(C, C_CLUSTER)));
              t.observe(
                  2 * S,
                  List.of(
                      ready(A, A_CLUSTER),
                      Observation.noAnswer(B, "connection-refused"),
                      ready(C, C_CLUSTER)));
              t.observe(3 * S, healthy());
            },
            4 * S,
            List.of(new FaultWindow(B + " not answering (connection-refused)", S, 3 * S)),
            List.of(new FaultWindow(B + " down or not ready", B, S, 3 * S))),
        new Case(
            "what is seen is listed per node, each problem once with its details, in the order first "
                + "seen; unreachable members named by their HTTP endpoint once known",
            t -> {
              t.observe(0, healthy());
              t.observe(
                  S,
                  List.of(
                      ready(A, A_CLUSTER),
                      Observation.noAnswer(B, "timeout"),
                      ready(C, C_CLUSTER)));
              t.observe(
                  S + 1,
                  List.of(
                      ready(A, A_CLUSTER),
                      Observation.noAnswer(B, "connection-refused"),
                      ready(C, C_CLUSTER)));
              t.observe(
                  2 * S,
                  List.of(
                      ready(A, A_CLUSTER, B_CLUSTER),
                      Observation.noAnswer(B, "timeout"),
                      ready(C, C_CLUSTER, B_CLUSTER)));
              t.observe(
                  3 * S,
                  List.of(
                      ready(A, A_CLUSTER, B_CLUSTER),
                      Observation.notReady(B, "503"),
                      ready(C, C_CLUSTER)));
              t.observe(
                  4 * S,
                  List.of(
                      ready(A, A_CLUSTER, B_CLUSTER), ready(B, B_CLUSTER), ready(C, C_CLUSTER)));
              t.observe(5 * S, healthy());
            },
            6 * S,
            List.of(
                new FaultWindow(
                    B
                        + " not answering (timeout, connection-refused), unreachable, not ready (503)",
                    S,
                    5 * S)),
            List.of(new FaultWindow(B + " down or not ready", B, S, 4 * S))),
        new Case(
            "a member no node has named as itself keeps its cluster address",
            t -> {
              t.observe(0, List.of(ready(A, A_CLUSTER, "10.0.0.9:25520")));
              t.observe(S, List.of(ready(A, A_CLUSTER)));
            },
            2 * S,
            List.of(new FaultWindow("10.0.0.9:25520 unreachable", 0, S)),
            List.of()),
        new Case(
            "overlapping faults make one window, until every node is healthy",
            t -> {
              t.observe(0, healthy());
              t.observe(
                  S,
                  List.of(
                      ready(A, A_CLUSTER),
                      Observation.noAnswer(B, "timeout"),
                      ready(C, C_CLUSTER)));
              t.observe(
                  2 * S,
                  List.of(
                      ready(A, A_CLUSTER),
                      Observation.noAnswer(B, "timeout"),
                      Observation.notReady(C, "503")));
              t.observe(
                  3 * S,
                  List.of(
                      ready(A, A_CLUSTER), ready(B, B_CLUSTER), Observation.notReady(C, "503")));
              t.observe(4 * S, healthy());
            },
            5 * S,
            List.of(
                new FaultWindow(
                    B + " not answering (timeout); " + C + " not ready (503)", S, 4 * S)),
            List.of(
                new FaultWindow(B + " down or not ready", B, S, 3 * S),
                new FaultWindow(C + " down or not ready", C, 2 * S, 4 * S))),
        new Case(
            "two faults apart make two windows",
            t -> {
              t.observe(0, List.of(ready(A, A_CLUSTER), Observation.notReady(B, "503")));
              t.observe(S, List.of(ready(A, A_CLUSTER), ready(B, B_CLUSTER)));
              t.observe(
                  2 * S,
                  List.of(
                      Observation.noAnswer(A, "connect-timeout"), ready(B, B_CLUSTER, A_CLUSTER)));
              t.observe(3 * S, List.of(ready(A, A_CLUSTER), ready(B, B_CLUSTER)));
            },
            4 * S,
            List.of(
                new FaultWindow(B + " not ready (503)", 0, S),
                new FaultWindow(A + " not answering (connect-timeout), unreachable", 2 * S, 3 * S)),
            List.of(
                new FaultWindow(B + " down or not ready", B, 0, S),
                new FaultWindow(A + " down or not ready", A, 2 * S, 3 * S))),
        new Case(
            "a fault still open when the monitor stops closes then",
            t -> {
              t.observe(0, healthy());
              t.observe(
                  S,
                  List.of(
                      ready(A, A_CLUSTER),
                      ready(B, B_CLUSTER),
                      Observation.noAnswer(C, "timeout")));
            },
            7 * S,
            List.of(new FaultWindow(C + " not answering (timeout)", S, 7 * S)),
            List.of(new FaultWindow(C + " down or not ready", C, S, 7 * S))),
        new Case(
            "a node missing from a round (no longer polled) changes nothing",
            t -> {
              t.observe(0, List.of(ready(A, A_CLUSTER), Observation.noAnswer(B, "timeout")));
              t.observe(S, List.of(ready(A, A_CLUSTER)));
            },
            2 * S,
            List.of(new FaultWindow(B + " not answering (timeout)", 0, S)),
            List.of(new FaultWindow(B + " down or not ready", B, 0, 2 * S))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void roundsBecomeWindows(Case c) {
    FaultWindowTracker tracker = new FaultWindowTracker();
    c.rounds().accept(tracker);
    tracker.finish(c.finishAt());
    assertEquals(c.windows(), tracker.windows(), c.name() + ": the observed windows");
    assertEquals(c.nodesDown(), tracker.nodesDown(), c.name() + ": the node-down windows");
  }

  @Test
  void aWindowIsOpenOnlyWhileSomethingIsWrong() {
    FaultWindowTracker tracker = new FaultWindowTracker();
    tracker.observe(0, healthy());
    assertFalse(tracker.faultOpen(), "healthy");
    tracker.observe(S, List.of(Observation.notReady(A, "503")));
    assertTrue(tracker.faultOpen(), "A not ready");
    assertEquals(List.of(), tracker.windows(), "not listed while open");
    tracker.observe(2 * S, healthy());
    assertFalse(tracker.faultOpen(), "healthy again");
    assertEquals(1, tracker.windows().size(), "listed once closed");
  }

  @Test
  void roundsGoForwardAndNothingIsObservedAfterTheEnd() {
    FaultWindowTracker tracker = new FaultWindowTracker();
    tracker.observe(5 * S, healthy());
    assertThrows(
        IllegalArgumentException.class, () -> tracker.observe(4 * S, healthy()), "backwards");
    tracker.finish(6 * S);
    tracker.finish(9 * S);
    assertThrows(
        IllegalStateException.class, () -> tracker.observe(7 * S, healthy()), "after finish");
  }
}
