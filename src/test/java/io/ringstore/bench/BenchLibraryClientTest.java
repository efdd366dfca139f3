package io.ringstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.testing.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench --http-client library} against a real in-JVM node: the load phase and workload A run
 * through the HTTP client library, every operation answered without an error.
 */
class BenchLibraryClientTest {
  @TempDir static Path dir;
  private static TestNode node;
  private static int port;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
                TestNode.config(
                    dir.resolve("data"),
                    1,
                    1,
                    1,
                    // a niced test JVM on a loaded machine has stalled writes for seconds
                    "ringstore.requests.timeout = 25s\npekko.http.server.request-timeout = 28s"))
            .joinSelf();
    port = node.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void loadThenARunThroughTheLibraryWithoutErrors() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        BenchCommand.run(
            new String[] {
              "--nodes", "127.0.0.1:" + port,
              "--http-client", "library",
              "--workload", "load,A",
              "--records", "50",
              "--connections", "2",
              "--duration", "1s",
              "--timeout-ms", "20000",
              "--json"
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String report = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, status, "exit status; stderr: " + err.toString(StandardCharsets.UTF_8));
    JsonNode json = new ObjectMapper().readTree(report);
    List<JsonNode> errors = json.findValues("errors");
    assertFalse(errors.isEmpty(), "a JSON report with error counts: " + report);
    for (JsonNode e : errors) {
      assertTrue(e.isNumber() ? e.asLong() == 0 : e.isEmpty(), "no operation failed: " + report);
    }
    assertTrue(json.findValues("count").stream().anyMatch(c -> c.asLong() > 0), report);
  }
}
