package io.ringstore.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringstore.coordinator.RequestMetrics.Operation;
import io.ringstore.coordinator.RequestMetrics.OperationSnapshot;
import io.ringstore.coordinator.RequestMetrics.RequestOutcome;
import io.ringstore.storage.Sibling;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestMetricsTest {
  private static final long MS = 1_000_000L;

  static Stream<Arguments> readOutcomes() {
    Sibling a = Sibling.value("a".getBytes(), "text/plain");
    Sibling b = Sibling.value("b".getBytes(), "text/plain");
    return Stream.of(
        Arguments.of(
            "one value", new ReadResult.Found(List.of(a), "c", List.of("n")), RequestOutcome.OK),
        Arguments.of(
            "siblings",
            new ReadResult.Found(List.of(a, b), "c", List.of("n")),
            RequestOutcome.SIBLINGS),
        Arguments.of(
            "not found", new ReadResult.NotFound(null, List.of()), RequestOutcome.NOT_FOUND),
        Arguments.of(
            "unavailable",
            new Outcome.Unavailable(1, 2, 3, List.of("n"), "r"),
            RequestOutcome.UNAVAILABLE),
        Arguments.of("rejected", new Outcome.Rejected("bad"), RequestOutcome.REJECTED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readOutcomes")
  void readResultsMapToTheirHttpOutcome(String name, ReadResult result, RequestOutcome expected) {
    assertEquals(expected, RequestMetrics.outcomeOf(result), name);
  }

  @Test
  void writesCountHintsAndSloppyQuorumsOnlyWhenAcknowledgedWithHints() {
    RequestMetrics metrics = new RequestMetrics();
    metrics.recordWrite(Operation.PUT, new WriteResult.Written("c", List.of("a", "b")), MS);
    metrics.recordWrite(
        Operation.PUT, new WriteResult.Written("c", List.of("a"), List.of("x for 1:2"), false), MS);
    metrics.recordWrite(
        Operation.DELETE,
        new WriteResult.Written("c", List.of("a"), List.of("x for 1:2"), true),
        MS);
    metrics.recordWrite(Operation.PUT, new Outcome.Unavailable(1, 2, 3, List.of("a"), "r"), MS);
    RequestMetrics.Snapshot s = metrics.snapshot();
    assertEquals(2, s.writesWithHints(), "two acknowledged writes left hints");
    assertEquals(1, s.sloppyWrites(), "one of them counted its hint toward W");
    assertEquals(
        2L, s.operations().get(Operation.PUT).outcomes().get(RequestOutcome.OK), "two PUTs ok");
    assertEquals(
        1L,
        s.operations().get(Operation.PUT).outcomes().get(RequestOutcome.UNAVAILABLE),
        "one PUT unavailable");
    assertEquals(
        1L,
        s.operations().get(Operation.DELETE).outcomes().get(RequestOutcome.OK),
        "one DELETE ok");
  }

  @Test
  void aTimedOutAskIsUnavailableAndAnyOtherFailureAnError() {
    RequestMetrics metrics = new RequestMetrics();
    metrics.recordFailure(Operation.GET, new CompletionException(new TimeoutException("ask")), MS);
    metrics.recordFailure(Operation.GET, new IllegalStateException("bug"), MS);
    var outcomes = metrics.snapshot().operations().get(Operation.GET).outcomes();
    assertEquals(1L, outcomes.get(RequestOutcome.UNAVAILABLE), "a wrapped timeout: 503");
    assertEquals(1L, outcomes.get(RequestOutcome.ERROR), "anything else: 500");
  }

  @Test
  void latenciesFallIntoCumulativeBucketsWithInclusiveUpperBounds() {
    RequestMetrics metrics = new RequestMetrics();
    metrics.record(Operation.GET, RequestOutcome.OK, 0); // le 0.0005
    metrics.record(Operation.GET, RequestOutcome.OK, MS); // exactly 1 ms: le 0.001
    metrics.record(Operation.GET, RequestOutcome.OK, MS + 1); // just over: le 0.0025
    metrics.record(Operation.GET, RequestOutcome.OK, 30_000 * MS); // 30 s: only +Inf
    metrics.record(Operation.GET, RequestOutcome.OK, -5); // a clock step: as 0
    OperationSnapshot get = metrics.snapshot().operations().get(Operation.GET);
    assertArrayEquals(
        new long[] {2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5},
        get.cumulativeBuckets(),
        "cumulative counts per bound, +Inf last");
    assertEquals(5, get.count(), "count");
    assertEquals(30.002000001, get.sumSeconds(), 1e-9, "sum of latencies in seconds");
    assertEquals(
        0,
        metrics.snapshot().operations().get(Operation.PUT).count(),
        "other operations untouched");
  }

  @Test
  void readRepairsAddUp() {
    RequestMetrics metrics = new RequestMetrics();
    metrics.readRepairSent(2);
    metrics.readRepairSent(1);
    assertEquals(3, metrics.snapshot().replicasReadRepaired(), "replicas repaired");
  }
}
