package io.ringstore.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Report}: availability to up nodes, outside faults, marked and observed windows as computed
 * by {@link HistoryChecker}, and how the text and JSON show them; the minimum availability.
 */
class ReportTest {
  private static final long S = 1_000_000_000L;
  private static final String N1 = "127.0.0.1:8080";
  private static final String N2 = "127.0.0.1:8081";

  /**
   * A history on two nodes: node 2 killed from 10 s to 20 s (a marked window naming it), the
   * monitor saw it down from 11 s to 22 s (its restart took longer) and the cluster unhealthy until
   * 24 s.
   */
  private static Report report() {
    HistoryChecker checker = new HistoryChecker(0);
    checker.record(Op.write("k", 1, 1 * S, 2 * S, true, "204").to(N1)); // before: ok
    checker.record(Op.read("k", 1, 3 * S, 4 * S, true, "200").to(N2)); // before: ok
    checker.record(Op.read("k", 1, 9 * S, 11 * S, false, "timeout").to(N2)); // to the victim
    checker.record(Op.write("k", 2, 12 * S, 13 * S, true, "204").to(N1)); // during, to an up node
    checker.record(Op.write("k", 3, 14 * S, 15 * S, false, "503").to(N1)); // during, to an up node
    checker.record(
        Op.read("k", 2, 15 * S, 16 * S, false, "connection-refused").to(N2)); // to the victim
    checker.record(
        Op.read("k", 2, 21 * S, 21 * S, false, "503").to(N2)); // restarting: monitor saw it
    checker.record(Op.read("k", 2, 23 * S, 23 * S, true, "200").to(N2)); // observed window only
    checker.record(Op.read("k", 2, 26 * S, 27 * S, true, "200").to(N2)); // after
    checker.fault(new FaultWindow("kill node-2", N2, 10 * S, 20 * S));
    checker.nodeDown(new FaultWindow(N2 + " down or not ready", N2, 11 * S, 22 * S));
    checker.observed(new FaultWindow(N2 + " not answering (connection-refused)", 11 * S, 24 * S));
    checker.finalValue("k", 2);
    checker.loadEnded(30 * S);
    checker.converged(31 * S);
    return checker.analyze();
  }

  @Test
  void availabilityToUpNodesLeavesOutWhatWasSentToADownNodeFailedOrNot() {
    Report report = report();
    assertEquals(new Report.Availability(9, 5), report.availability(), "every load operation");
    assertEquals(
        new Report.Availability(6, 5),
        report.availabilityToUpNodes(),
        "without the 3 sent to node 2 while killed or restarting");
    assertEquals(
        new Report.Availability(4, 1),
        report.availabilityDuringFaults(),
        "overlapping the marked window");
    assertEquals(
        new Report.Availability(3, 3),
        report.availabilityOutsideFaults(),
        "overlapping neither the marked nor the observed window");
    assertEquals(
        List.of(
            new Report.Fault(
                "kill node-2",
                N2,
                10.0,
                20.0,
                new Report.Availability(4, 1),
                new Report.Availability(2, 1))),
        report.faults(),
        "the marked window");
    assertEquals(
        List.of(
            new Report.Fault(
                N2 + " not answering (connection-refused)",
                null,
                11.0,
                24.0,
                new Report.Availability(6, 2),
                new Report.Availability(3, 2))),
        report.observedFaults(),
        "the observed window");
    assertTrue(report.passed(), "no minimum: availability does not fail it");
  }

  @Test
  void theMinimumAvailabilityToUpNodesFailsTheCheckWhenNotReached() {
    Report report = report();
    record Case(Double min, boolean met) {}
    for (Case c :
        List.of(
            new Case(null, true),
            new Case(80.0, true),
            new Case(5.0 * 100 / 6, true),
            new Case(84.0, false),
            new Case(99.0, false),
            new Case(0.0, true))) {
      Report r = report.withMinAvailabilityToUpNodes(c.min());
      assertEquals(c.met(), r.availabilityMet(), "minimum " + c.min());
      assertEquals(c.met(), r.passed(), "passed with minimum " + c.min());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> report.withMinAvailabilityToUpNodes(100.5),
        "over 100");
  }

  @Test
  void textListsEveryFigureAndWindow() {
    String text = report().withMinAvailabilityToUpNodes(99.0).toText();
    for (String expected :
        List.of(
            "ringstore consistency check: FAILED",
            "  availability   55.6 % (5 of 9)",
            "  to up nodes    83.3 % (5 of 6); leaves out the 3 operations sent to a node while it was down, "
                + "paused or not ready",
            "                 NOT MET: at least 99 % required",
            "  outside faults 100.0 % (3 of 3)",
            "  during faults  25.0 % (1 of 4)",
            "                 kill node-2 [10.0 s .. 20.0 s]: 25.0 % (1 of 4); to up nodes 50.0 % (1 of 2)",
            "  observed       1 window (a node not answering /health/ready, not ready, or seen unreachable)",
            "                 127.0.0.1:8081 not answering (connection-refused) [11.0 s .. 24.0 s]: 33.3 % (2 of 6); "
                + "to up nodes 66.7 % (2 of 3)")) {
      assertTrue(text.contains(expected + "\n"), () -> "the text has '" + expected + "':\n" + text);
    }
    assertTrue(
        report()
            .withMinAvailabilityToUpNodes(80.0)
            .toText()
            .contains("met: at least 80 % required"),
        "met");
    assertFalse(report().toText().contains("required"), "no line for the minimum when none is set");
  }

  @Test
  void textWithoutFaults() {
    HistoryChecker checker = new HistoryChecker(0);
    checker.record(Op.write("k", 1, 1 * S, 2 * S, true, "204").to(N1));
    checker.finalValue("k", 1);
    checker.loadEnded(3 * S);
    checker.converged(3 * S);
    String text = checker.analyze().toText();
    assertTrue(text.contains("  to up nodes    100.0 % (1 of 1)\n"), "nothing left out:\n" + text);
    assertTrue(text.contains("  outside faults n/a (no fault marked or observed)\n"), text);
    assertTrue(text.contains("  observed       no fault observed\n"), text);
  }

  @Test
  void jsonCarriesTheWindowsAndTheFigures() throws Exception {
    JsonNode json =
        new ObjectMapper().readTree(report().withMinAvailabilityToUpNodes(99.0).toJson());
    assertFalse(json.path("passed").asBoolean(), "below the minimum: " + json);
    assertFalse(json.path("availabilityMet").asBoolean(), "availabilityMet: " + json);
    assertEquals(99.0, json.path("minAvailabilityToUpNodes").asDouble(), "the minimum: " + json);
    assertEquals(
        6, json.path("availabilityToUpNodes").path("attempted").asInt(), "to up nodes: " + json);
    assertEquals(
        3, json.path("availabilityOutsideFaults").path("succeeded").asInt(), "outside: " + json);
    JsonNode fault = json.path("faults").path(0);
    assertEquals("kill node-2", fault.path("name").asText(), "marked window: " + json);
    assertEquals(N2, fault.path("node").asText(), "its node: " + json);
    assertEquals(10.0, fault.path("fromSeconds").asDouble(), "from: " + json);
    assertEquals(20.0, fault.path("toSeconds").asDouble(), "to: " + json);
    assertEquals(
        0.5, fault.path("availabilityToUpNodes").path("ratio").asDouble(), "to up nodes: " + json);
    JsonNode observed = json.path("observedFaults").path(0);
    assertEquals(
        N2 + " not answering (connection-refused)",
        observed.path("name").asText(),
        "observed: " + json);
    assertFalse(observed.has("node"), "an observed window names no node: " + json);
    assertFalse(
        new ObjectMapper().readTree(report().toJson()).has("minAvailabilityToUpNodes"),
        "no minimum, no field");
  }
}
