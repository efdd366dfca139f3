package io.ringstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BenchReportTest {

  /** Latencies 1 ms, 2 ms, ... 1000 ms, recorded in microseconds. */
  private static Histogram oneToThousandMs() {
    Histogram h = new Histogram(3);
    for (int ms = 1; ms <= 1000; ms++) {
      h.recordValue(ms * 1000L);
    }
    return h;
  }

  @ParameterizedTest(name = "p{0} of 1..1000 ms is about {1} ms")
  @CsvSource({"50, 500", "95, 950", "99, 990", "99.9, 999", "100, 1000"})
  void percentilesAreInMilliseconds(double percentile, double expectedMs) {
    BenchReport.OperationReport op =
        BenchReport.OperationReport.of(Operation.READ, oneToThousandMs(), Map.of(), 10);
    double actual =
        switch (String.valueOf(percentile)) {
          case "50.0" -> op.p50Ms();
          case "95.0" -> op.p95Ms();
          case "99.0" -> op.p99Ms();
          case "99.9" -> op.p999Ms();
          default -> op.maxMs();
        };
    assertEquals(expectedMs, actual, expectedMs * 0.002, "p" + percentile);
  }

  @Test
  void countsThroughputAndErrors() {
    BenchReport.OperationReport op =
        BenchReport.OperationReport.of(
            Operation.UPDATE,
            oneToThousandMs(),
            Map.of("http-503", 3L, "HttpTimeoutException", 2L),
            4);
    assertEquals(1000, op.count());
    assertEquals(250.0, op.throughput(), 1e-9, "1000 ops in 4 s");
    assertEquals(5, op.errorCount());
    assertEquals(
        List.of("HttpTimeoutException", "http-503"),
        List.copyOf(op.errors().keySet()),
        "sorted kinds");
  }

  @Test
  void anEmptyHistogramReportsZeros() {
    BenchReport.OperationReport op =
        BenchReport.OperationReport.of(
            Operation.READ, new Histogram(3), Map.of("ConnectException", 7L), 1);
    assertEquals(0, op.count());
    assertEquals(0, op.p99Ms());
    assertEquals(0, op.maxMs());
    assertEquals(7, op.errorCount());
  }

  private static BenchReport report() {
    BenchReport.OperationReport read =
        BenchReport.OperationReport.of(Operation.READ, oneToThousandMs(), Map.of(), 2);
    BenchReport.OperationReport update =
        BenchReport.OperationReport.of(
            Operation.UPDATE, oneToThousandMs(), Map.of("http-503", 4L), 2);
    return new BenchReport(
        "http 127.0.0.1:8080", List.of(BenchReport.Phase.of("A", 2, 0, 3, List.of(read, update))));
  }

  @Test
  void aPhaseSumsItsOperations() {
    BenchReport.Phase phase = report().phases().get(0);
    assertEquals(2000, phase.operations());
    assertEquals(1000.0, phase.throughput(), 1e-9);
    assertEquals(4, phase.errors());
    assertTrue(report().anySucceededInEveryPhase());
  }

  @Test
  void textHasARowPerOperationAndTheErrorKinds() {
    String text = report().toText();
    assertTrue(
        text.contains(
            "workload A: 2000 ops in 2.0 s = 1000 ops/s, 4 errors, 3 reads with siblings"),
        text);
    assertTrue(
        text.contains(
            "OP           COUNT      OPS/S    P50 ms    P95 ms    P99 ms  P99.9 ms    MAX ms   ERRORS"),
        text);
    assertTrue(
        text.matches("(?s).*\\n  READ          1000        500 +500\\.\\d+ +950\\.\\d+ .*"), text);
    assertTrue(text.contains("          error http-503: 4"), text);
  }

  @Test
  void jsonHasTheSameFigures() throws Exception {
    JsonNode json = new ObjectMapper().readTree(report().toJson());
    JsonNode phase = json.path("phases").get(0);
    assertEquals("A", phase.path("workload").asText());
    assertEquals(2000, phase.path("operations").asLong());
    JsonNode update = phase.path("byOperation").get(1);
    assertEquals("UPDATE", update.path("operation").asText());
    assertEquals(990, update.path("p99Ms").asDouble(), 2);
    assertEquals(4, update.path("errors").path("http-503").asLong());
  }

  @Test
  void aPhaseWithNothingSucceededMakesTheRunFail() {
    BenchReport.OperationReport failed =
        BenchReport.OperationReport.of(
            Operation.INSERT, new Histogram(3), Map.of("ConnectException", 10L), 1);
    BenchReport report =
        new BenchReport("x", List.of(BenchReport.Phase.of("load", 1, 0, 0, List.of(failed))));
    assertEquals(false, report.anySucceededInEveryPhase());
  }
}
