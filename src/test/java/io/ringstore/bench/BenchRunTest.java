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
    return BenchCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
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
    int status = bench("--nodes", node.address(), "--workload", "load,A", "--records", "300",
        "--value-size", "64", "--connections", "4", "--duration", "500ms", "--http-client", client, "--json");
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
    assertEquals(reads, node.gets.get(), "no update needed a read: the load phase gave every key's context");
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("ringstore bench: workload A for 0 s"),
        "each phase announced on stderr (no progress line: the phase is shorter than a second)");
  }

  @Test
  void aFixedRateRunSendsExactlyTheScheduledOperations() throws Exception {
    int status = bench("--nodes", node.address(), "--workload", "load,C", "--records", "50",
        "--connections", "4", "--duration", "500ms", "--target", "400", "--json");
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    JsonNode c = phase(new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8)), 1);
    assertEquals(200, count(c, "READ"), "200 slots in 0.5 s at 400 ops/s");
    assertEquals(400, c.path("targetOpsPerSecond").asLong());
  }

  @Test
  void readModifyWriteReadsBeforeEachUpdate() throws Exception {
    int status = bench("--nodes", node.address(), "--workload", "load,A", "--records", "20",
        "--connections", "2", "--duration", "500ms", "--target", "200", "--read-modify-write", "--json");
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    JsonNode a = phase(new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8)), 1);
    long reads = count(a, "READ");
    long updates = count(a, "UPDATE");
    assertEquals(100, reads + updates);
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
    int status = bench("--nodes", "127.0.0.1:" + port, "--workload", "C", "--records", "10",
        "--connections", "2", "--duration", "500ms");   // the default socket client
    assertEquals(1, status, err.toString(StandardCharsets.UTF_8));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("error ConnectException"),
        out.toString(StandardCharsets.UTF_8));
  }
}
