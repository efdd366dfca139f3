package io.ringstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Short runs of the whole command against a {@link FakeKvNode}. */
class BenchRunTest {
  private FakeKvNode node;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void start() {
    node = new FakeKvNode();
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private int bench(String... args) throws InterruptedException {
    return BenchCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private JsonNode phase(JsonNode report, int i) {
    return report.path("phases").get(i);
  }

  private static long count(JsonNode phase, String operation) {
    for (JsonNode op : phase.path("byOperation")) {
      if (op.path("operation").asText().equals(operation)) {
        return op.path("count").asLong();
      }
    }
    return 0;
  }

  @ParameterizedTest(name = "--http-client {0}, chunked responses: {1}")
  @CsvSource({"socket, false", "socket, true", "jdk, false"})
  void loadThenAInsertsEveryRecordThenReadsAndUpdatesWithoutErrors(String client, boolean chunked)
      throws Exception {
    if (chunked) {
      node.close();
      node = new FakeKvNode(true);
    }
    int status =
        bench(
            "--nodes",
            node.address(),
            "--workload",
            "load,A",
            "--records",
            "300",
            "--value-size",
            "64",
            "--connections",
            "4",
            "--duration",
            "500ms",
            "--http-client",
            client,
            "--json");
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    JsonNode load = phase(report, 0);
    assertEquals("load", load.path("workload").asText());
    assertEquals(300, count(load, "INSERT"), "every record inserted once");
    assertEquals(0, load.path("errors").asLong());
    assertEquals(300, node.size());
    JsonNode a = phase(report, 1);
    long reads = count(a, "READ");
    long updates = count(a, "UPDATE");
    assertEquals(0, a.path("errors").asLong(), "no errors: " + a);
    assertTrue(reads > 10 && updates > 10, "both reads and updates ran: " + reads + "/" + updates);
    assertEquals(0, count(a, "INSERT"));
    assertEquals(300, node.size(), "updates touch loaded records only");
    assertEquals(300 + updates, node.puts.get(), "one PUT per insert and per update");
    assertEquals(updates, node.putsWithContext.get(), "each update sent the context it last saw");
    assertEquals(
        reads, node.gets.get(), "no update needed a read: the load phase gave every key's context");
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("ringstore bench: workload A for 0 s"),
        "each phase announced on stderr (no progress line: the phase is shorter than a second)");
  }

  @Test
  void aFixedRateRunSendsExactlyTheScheduledOperations() throws Exception {
    int status =
        bench(
            "--nodes",
            node.address(),
            "--workload",
            "load,C",
            "--records",
            "50",
            "--connections",
            "4",
            "--duration",
            "1s",
            "--target",
            "40",
            "--json");
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    JsonNode c = phase(new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8)), 1);
    // a rate the fake node keeps up with (a slot every 100 ms per connection): operations are
    // counted
    // only when sent within the window, so a rate it could not keep up with would count fewer
    assertEquals(40, count(c, "READ"), "40 slots in 1 s at 40 ops/s");
    assertEquals(40, c.path("targetOpsPerSecond").asLong());
  }

  @Test
  void aFixedRateTheNodeCannotKeepUpWithCountsOnlyWhatWasScheduledInTheMeasuredWindow()
      throws Exception {
    assertEquals(
        0,
        bench(
            "--nodes",
            node.address(),
            "--workload",
            "load",
            "--records",
            "20",
            "--connections",
            "1"));
    out.reset();
    // one connection to a node that takes 5 ms per read: about 200 reads/s against 1,000 scheduled
    node.getServiceNanos = 5_000_000;
    long started = System.nanoTime();
    int status =
        bench(
            "--nodes",
            node.address(),
            "--workload",
            "C",
            "--records",
            "20",
            "--connections",
            "1",
            "--target",
            "1000",
            "--warmup",
            "600ms",
            "--duration",
            "300ms",
            "--json");
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    JsonNode c = phase(new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8)), 0);
    // the worker was still working through the warm-up's schedule when the window closed: none of
    // the
    // reads it got answers to was scheduled in the measured window, so none is counted
    assertEquals(0, count(c, "READ"), "warm-up operations are not counted: " + c);
    assertEquals(1, status, "a phase without a measured success exits 1");
    // and the run stops at the end of the window, not after the backlog (~2.4 s more)
    assertTrue(tookMs < 1_600, "stopped at the end of the window, took " + tookMs + " ms");
  }

  @Test
  void readModifyWriteReadsBeforeEachUpdate() throws Exception {
    int status =
        bench(
            "--nodes",
            node.address(),
            "--workload",
            "load,A",
            "--records",
            "20",
            "--connections",
            "2",
            "--duration",
            "1s",
            "--target",
            "20",
            "--read-modify-write",
            "--json");
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    JsonNode a = phase(new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8)), 1);
    long reads = count(a, "READ");
    long updates = count(a, "UPDATE");
    assertEquals(20, reads + updates, "every slot of the window sent and answered");
    assertEquals(reads + updates, node.gets.get(), "a GET per read and per update");
    assertEquals(updates, node.putsWithContext.get());
  }

  @Test
  void nothingSucceedingExitsOne() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    } catch (IOException e) {
      throw e;
    }
    int status =
        bench(
            "--nodes",
            "127.0.0.1:" + port,
            "--workload",
            "C",
            "--records",
            "10",
            "--connections",
            "2",
            "--duration",
            "500ms"); // the default socket client
    assertEquals(1, status, err.toString(StandardCharsets.UTF_8));
    assertTrue(
        out.toString(StandardCharsets.UTF_8).contains("error ConnectException"),
        out.toString(StandardCharsets.UTF_8));
  }
}
