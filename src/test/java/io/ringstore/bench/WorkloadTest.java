package io.ringstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadTest {

  @ParameterizedTest(name = "workload {0}, draw {1} -> {2}")
  @CsvSource({
    "LOAD, 0.0,   INSERT",
    "LOAD, 0.99, INSERT",
    "A,    0.0,   READ",
    "A,    0.49, READ",
    "A, 0.5,  UPDATE",
    "A, 0.999, UPDATE",
    "B,    0.94,  READ",
    "B,    0.95, UPDATE",
    "C,    0.0,   READ",
    "C,    0.999, READ"
  })
  void aDrawPicksTheOperation(Workload workload, double u, Operation expected) {
    assertEquals(expected, workload.operation(u), workload + " at " + u);
  }

  @ParameterizedTest(name = "workload {0}: about {1} % reads")
  @CsvSource({"A, 50", "B, 95", "C, 100", "LOAD, 0"})
  void theMixMatchesTheProportions(Workload workload, int readPercent) {
    SplittableRandom random = new SplittableRandom(3);
    Map<Operation, Integer> counts = new EnumMap<>(Operation.class);
    int draws = 100_000;
    for (int i = 0; i < draws; i++) {
      counts.merge(workload.operation(random.nextDouble()), 1, Integer::sum);
    }
    double reads = 100.0 * counts.getOrDefault(Operation.READ, 0) / draws;
    assertTrue(
        Math.abs(reads - readPercent) < 1.0,
        workload + ": " + reads + " % reads, expected " + readPercent);
    if (workload != Workload.LOAD) {
      assertEquals(0, counts.getOrDefault(Operation.INSERT, 0), workload + " inserts nothing");
    }
  }

  @ParameterizedTest(name = "''{0}'' parses as {1}")
  @CsvSource({"load, LOAD", "LOAD, LOAD", "a, A", "A, A", "b, B", "C, C"})
  void namesParse(String name, Workload expected) {
    assertEquals(expected, Workload.parse(name));
  }
}
