package io.ringstore.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link HistoryChecker}: hand-written histories of single-writer keys and the verdicts they must
 * get.
 */
class HistoryCheckerTest {
  private static final long S = 1_000_000_000L; // one second in nanos
  private static final String K = "k";

  /** One case: a history fed into a fresh checker, and the stale reads and lost writes expected. */
  record Case(
      String name, Consumer<HistoryChecker> history, int staleReads, List<String> lostKeys) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "a read after an acked write that sees it is fine",
            h -> {
              h.record(Op.write(K, 1, 1 * S, 2 * S, true, "204"));
              h.record(Op.read(K, 1, 3 * S, 4 * S, true, "200"));
              h.finalValue(K, 1);
            },
            0,
            List.of()),
        new Case(
            "a read after an acked write that sees an older value is stale",
            h -> {
              h.record(Op.write(K, 1, 1 * S, 2 * S, true, "204"));
              h.record(Op.write(K, 2, 3 * S, 4 * S, true, "204"));
              h.record(Op.read(K, 1, 5 * S, 6 * S, true, "200"));
              h.finalValue(K, 2);
            },
            1,
            List.of()),
        new Case(
            "a 404 after an acked write is stale",
            h -> {
              h.record(Op.write(K, 1, 1 * S, 2 * S, true, "204"));
              h.record(Op.read(K, 0, 3 * S, 4 * S, true, "404"));
              h.finalValue(K, 1);
            },
            1,
            List.of()),
        new Case(
            "siblings containing the write (max seq over siblings) are not stale",
            h -> {
              h.record(Op.write(K, 2, 1 * S, 2 * S, true, "204"));
              h.record(Op.read(K, 2, 3 * S, 4 * S, true, "300"));
              h.finalValue(K, 2);
            },
            0,
            List.of()),
        new Case(
            "siblings carrying a later write than the acked one are not stale",
            h -> {
              h.record(Op.write(K, 2, 1 * S, 2 * S, true, "204"));
              h.record(Op.write(K, 3, 3 * S, 4 * S, false, "503"));
              h.record(Op.read(K, 3, 5 * S, 6 * S, true, "300"));
              h.finalValue(K, 3);
            },
            0,
            List.of()),
        new Case(
            "a read concurrent with the write may miss it",
            h -> {
              h.record(Op.write(K, 1, 1 * S, 3 * S, true, "204"));
              h.record(Op.read(K, 0, 2 * S, 4 * S, true, "404"));
              h.finalValue(K, 1);
            },
            0,
            List.of()),
        new Case(
            "a read that started exactly when the ack came is concurrent, not stale",
            h -> {
              h.record(Op.write(K, 1, 1 * S, 3 * S, true, "204"));
              h.record(Op.read(K, 0, 3 * S, 4 * S, true, "404"));
              h.finalValue(K, 1);
            },
            0,
            List.of()),
        new Case(
            "an unacknowledged write seen later is fine",
            h -> {
              h.record(Op.write(K, 1, 1 * S, 2 * S, true, "204"));
              h.record(Op.write(K, 2, 3 * S, 4 * S, false, "timeout"));
              h.record(Op.read(K, 2, 5 * S, 6 * S, true, "200"));
              h.finalValue(K, 2);
            },
            0,
            List.of()),
        new Case(
            "a failed write is indeterminate: never seeing it is fine too",
            h -> {
              h.record(Op.write(K, 1, 1 * S, 2 * S, true, "204"));
              h.record(Op.write(K, 2, 3 * S, 4 * S, false, "503"));
              h.record(Op.read(K, 1, 5 * S, 6 * S, true, "200"));
              h.finalValue(K, 1);
            },
            0,
            List.of()),
        new Case(
            "a failed read is never stale",
            h -> {
              h.record(Op.write(K, 1, 1 * S, 2 * S, true, "204"));
              h.record(Op.read(K, 0, 3 * S, 4 * S, false, "503"));
              h.finalValue(K, 1);
            },
            0,
            List.of()),
        new Case(
            "a final value below the last acked write is a lost write",
            h -> {
              h.record(Op.write(K, 1, 1 * S, 2 * S, true, "204"));
              h.record(Op.write(K, 2, 3 * S, 4 * S, true, "204"));
              h.finalValue(K, 1);
            },
            0,
            List.of(K)),
        new Case(
            "a key found nowhere after an acked write is a lost write",
            h -> {
              h.record(Op.write(K, 1, 1 * S, 2 * S, true, "204"));
              h.finalValue(K, 0);
            },
            0,
            List.of(K)),
        new Case(
            "a final value above the last acked write (a failed one survived) is not lost",
            h -> {
              h.record(Op.write(K, 1, 1 * S, 2 * S, true, "204"));
              h.record(Op.write(K, 2, 3 * S, 4 * S, false, "timeout"));
              h.finalValue(K, 2);
            },
            0,
            List.of()),
        new Case(
            "a key with only failed writes has nothing to lose",
            h -> {
              h.record(Op.write("a", 1, 1 * S, 2 * S, true, "204"));
              h.finalValue("a", 1);
              h.record(Op.write(K, 1, 1 * S, 2 * S, false, "503"));
              h.finalValue(K, 0);
            },
            0,
            List.of()),
        new Case(
            "keys are judged separately",
            h -> {
              h.record(Op.write("a", 5, 1 * S, 2 * S, true, "204"));
              h.record(Op.write("b", 1, 10 * S, 11 * S, true, "204"));
              h.record(Op.read("b", 0, 3 * S, 4 * S, true, "404"));
              h.finalValue("a", 5);
              h.finalValue("b", 1);
            },
            0,
            List.of()),
        new Case(
            "a stale final read counts",
            h -> {
              h.record(Op.write(K, 3, 1 * S, 2 * S, true, "204"));
              h.record(Op.finalRead(K, 2, 30 * S, 31 * S, true, "200"));
              h.finalValue(K, 3);
            },
            1,
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void verdicts(Case c) {
    HistoryChecker checker = new HistoryChecker(0);
    c.history().accept(checker);
    checker.loadEnded(20 * S);
    checker.converged(21 * S);
    Report report = checker.analyze();
    assertEquals(
        c.staleReads(),
        report.staleReads(),
        () -> c.name() + ": stale reads in " + report.toText());
    assertEquals(
        c.lostKeys(),
        report.lostWriteKeys(),
        () -> c.name() + ": lost writes in " + report.toText());
    assertEquals(
        c.staleReads() == 0 && c.lostKeys().isEmpty(),
        report.passed(),
        () -> c.name() + ": verdict");
  }

  @Test
  void staleReadExampleSaysWhatWasSeenAndExpected() {
    HistoryChecker checker = new HistoryChecker(0);
    checker.record(Op.write(K, 7, 1 * S, 2 * S, true, "204"));
    checker.record(Op.read(K, 6, 3 * S, 4 * S, true, "300"));
    checker.finalValue(K, 7);
    checker.loadEnded(5 * S);
    checker.converged(5 * S);
    Report.StaleRead stale = checker.analyze().staleReadExamples().get(0);
    assertEquals(
        new Report.StaleRead(K, "read", 3.0, "300", 6, 7), stale, "the stale read's example");
  }

  @Test
  void availabilityOverallAndDuringFaults() {
    HistoryChecker checker = new HistoryChecker(0);
    checker.record(Op.write(K, 1, 1 * S, 2 * S, true, "204")); // before the fault
    checker.record(Op.read(K, 1, 9 * S, 11 * S, false, "timeout")); // overlaps its start
    checker.record(Op.write(K, 2, 12 * S, 13 * S, true, "204")); // inside
    checker.record(Op.read(K, 2, 14 * S, 15 * S, false, "connection-refused")); // inside
    checker.record(Op.read(K, 2, 25 * S, 26 * S, true, "200")); // after
    checker.record(Op.finalRead(K, 2, 40 * S, 41 * S, false, "503")); // not load: not counted
    checker.fault(new FaultWindow("kill -9 node-2", 10 * S, 20 * S));
    checker.finalValue(K, 2);
    checker.loadEnded(30 * S);
    checker.converged(32 * S);
    Report report = checker.analyze();
    assertEquals(
        new Report.Availability(5, 3), report.availability(), "overall: load operations only");
    assertEquals(
        new Report.Availability(3, 1),
        report.availabilityDuringFaults(),
        "during faults: the operations overlapping the window");
    assertEquals(
        List.of(
            new Report.Fault(
                "kill -9 node-2",
                null,
                10.0,
                20.0,
                new Report.Availability(3, 1),
                new Report.Availability(3, 1))),
        report.faults(),
        "the fault window as reported");
    assertEquals(2.0, report.convergence().seconds(), "converged 2 s after the load ended");
    assertEquals(
        1L,
        report.opsByOutcome().get("final-read 503"),
        "outcomes count final reads: " + report.opsByOutcome());
    assertEquals(2L, report.opsByOutcome().get("write 204"), "outcomes by type and status");
    assertEquals(4, report.writesAttempted() + report.readsAttempted() - 1, "load operations");
  }

  @Test
  void notConvergedFailsTheCheckAndNamesTheKeys() {
    HistoryChecker checker = new HistoryChecker(0);
    checker.record(Op.write("a", 1, 1 * S, 2 * S, true, "204"));
    checker.record(Op.write("b", 1, 1 * S, 2 * S, true, "204"));
    checker.finalValue("a", 1);
    checker.finalValue("b", 1);
    checker.loadEnded(3 * S);
    checker.notConverged(Map.of("b", "replica 1:2 did not answer"));
    Report report = checker.analyze();
    assertFalse(report.convergence().converged(), "not converged");
    assertEquals(List.of("b"), report.convergence().notConverged(), "the key not converged");
    assertFalse(report.passed(), "a check that did not converge fails");
    assertTrue(report.toText().contains("NO; keys not converged: b"), report.toText());
    assertTrue(
        report.toText().contains("b: replica 1:2 did not answer"),
        "the reason: " + report.toText());
  }

  @Test
  void aCheckWhoseConvergenceWasNeverCheckedFails() {
    HistoryChecker checker = new HistoryChecker(0);
    checker.key("a");
    checker.loadEnded(S);
    Report report = checker.analyze();
    assertEquals(List.of("a"), report.convergence().notConverged(), "every key is unverified");
    assertFalse(report.passed(), "unverified is not passed");
  }

  @Test
  void aRunWithNoAcknowledgedWriteFails() {
    HistoryChecker checker = new HistoryChecker(0);
    checker.record(Op.read(K, 0, 1 * S, 2 * S, false, "400"));
    checker.record(Op.write(K, 1, 3 * S, 4 * S, false, "503"));
    checker.finalValue(K, 0);
    checker.loadEnded(5 * S);
    checker.converged(5 * S);
    Report report = checker.analyze();
    assertFalse(report.passed(), "nothing acknowledged, nothing checked: " + report.toText());
    assertTrue(report.toText().contains("nothing was checked"), report.toText());
  }

  @Test
  void analyzeBeforeTheLoadEndedIsRefused() {
    assertThrows(
        IllegalStateException.class, () -> new HistoryChecker(0).analyze(), "no verdict mid-load");
  }

  @Test
  void reportAsJson() throws Exception {
    HistoryChecker checker = new HistoryChecker(0);
    checker.record(Op.write(K, 1, 1 * S, 2 * S, true, "204"));
    checker.finalValue(K, 1);
    checker.loadEnded(3 * S);
    checker.converged(4 * S);
    var json = new ObjectMapper().readTree(checker.analyze().toJson());
    assertTrue(json.path("passed").asBoolean(), "passed in " + json);
    assertEquals(1, json.path("writesAcknowledged").asInt(), "acked in " + json);
    assertEquals(1.0, json.path("availability").path("ratio").asDouble(), "ratio in " + json);
    assertEquals(
        1.0, json.path("convergence").path("seconds").asDouble(), "converge seconds in " + json);
    assertTrue(json.path("lostWrites").isArray(), "lost writes list in " + json);
  }
}
