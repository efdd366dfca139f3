package io.ringstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BenchCommandTest {

  @Test
  void defaults() throws Exception {
    BenchCommand.Command command = BenchCommand.parse(new String[0]);
    BenchOptions o = command.options();
    assertEquals("http", o.mode());
    assertEquals(List.of("127.0.0.1:8080"), o.nodes());
    assertEquals(List.of(Workload.A), o.workloads());
    assertEquals(100_000, o.records());
    assertEquals(KeyChooser.Distribution.ZIPFIAN, o.distribution());
    assertEquals(1024, o.valueSize());
    assertEquals(UpdateMode.CONTEXT, o.updates());
    assertEquals(0, o.targetOpsPerSecond(), "unthrottled");
    assertNull(o.r(), "the node's default r");
    assertEquals(false, command.json());
    assertEquals("socket", o.httpClient());
  }

  @Test
  void everyOptionParses() throws Exception {
    BenchOptions o =
        BenchCommand.parse(
                new String[] {
                  "--nodes",
                  "127.0.0.1:8080, 127.0.0.1:8081",
                  "--workload",
                  "load,A,c",
                  "--records=500",
                  "--distribution",
                  "uniform",
                  "--value-size",
                  "100",
                  "--threads",
                  "32",
                  "--duration",
                  "2m",
                  "--warmup",
                  "1500ms",
                  "--target",
                  "5000",
                  "--r",
                  "quorum",
                  "--w",
                  "ALL",
                  "--timeout-ms",
                  "900",
                  "--random-seed",
                  "9",
                  "--read-modify-write",
                  "--http-client",
                  "jdk",
                  "--json"
                })
            .options();
    assertEquals(List.of("127.0.0.1:8080", "127.0.0.1:8081"), o.nodes());
    assertEquals(List.of(Workload.LOAD, Workload.A, Workload.C), o.workloads());
    assertEquals(500, o.records());
    assertEquals(KeyChooser.Distribution.UNIFORM, o.distribution());
    assertEquals(100, o.valueSize());
    assertEquals(32, o.connections(), "--threads is --connections");
    assertEquals(Duration.ofMinutes(2), o.duration());
    assertEquals(Duration.ofMillis(1500), o.warmup());
    assertEquals(5000, o.targetOpsPerSecond());
    assertEquals("quorum", o.r());
    assertEquals("all", o.w());
    assertEquals(Duration.ofMillis(900), o.requestTimeout());
    assertEquals(9, o.randomSeed());
    assertEquals(UpdateMode.READ_MODIFY_WRITE, o.updates());
    assertEquals("jdk", o.httpClient());
  }

  @Test
  void theHttpClientLibraryIsAConnectionKind() throws Exception {
    BenchOptions o =
        BenchCommand.parse(
                new String[] {
                  "--nodes", "127.0.0.1:8080,127.0.0.1:8081", "--http-client", "Library"
                })
            .options();
    assertEquals("library", o.httpClient(), "--http-client library, case-insensitive");
    assertEquals("http", o.mode(), "over the nodes' HTTP ports");
    assertEquals(List.of("127.0.0.1:8080", "127.0.0.1:8081"), o.nodes(), "every node a URL");
  }

  @ParameterizedTest(name = "--updates {0}")
  @CsvSource({
    "context, CONTEXT",
    "blind, BLIND",
    "read-modify-write, READ_MODIFY_WRITE",
    "rmw, READ_MODIFY_WRITE"
  })
  void updateModes(String value, UpdateMode expected) throws Exception {
    assertEquals(
        expected, BenchCommand.parse(new String[] {"--updates", value}).options().updates());
  }

  @ParameterizedTest(name = "{0} -> exit 2: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--nodes localhost                 | a node must be host:port",
        "--nodes 127.0.0.1:0               | port out of range",
        "--workload D                      | workload must be load, A, B or C",
        "--workload A,,B                   | workload must be load, A, B or C",
        "--records 0                       | records must be 1..",
        "--records many                    | --records needs a whole number",
        "--distribution hotspot            | --distribution must be zipfian or uniform",
        "--value-size 0                    | value size must be 1..",
        "--value-size 2000000              | value size must be 1..",
        "--connections 0                   | connections must be 1..1024",
        "--connections 99999999999         | --connections is too large",
        "--duration 0s                     | duration must be positive",
        "--duration soon                   | needs a duration like",
        "--target -5                       | --target needs a whole number",
        "--r most                          | r must be a number, one, quorum or all",
        "--timeout-ms 0                    | request timeout must be 1..60000 ms",
        "--updates sometimes               | --updates must be context, blind or read-modify-write",
        "--mode grpc                       | mode must be http or java",
        "--http-client netty               | http client must be socket, jdk or library",
        "--mode java                       | --mode java needs --seed",
        "--frobnicate 1                    | unknown option '--frobnicate'",
        "extra                             | unexpected argument 'extra'",
        "--records                         | --records needs a value"
      })
  void badOptionsExitWithTwoAndTheUsage(String args, String message) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        BenchCommand.run(
            args.trim().split(" +"),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String stderr = err.toString(StandardCharsets.UTF_8);
    assertEquals(2, status, args + ": " + stderr);
    assertTrue(stderr.contains(message), args + " should say '" + message + "', said: " + stderr);
    assertTrue(stderr.contains("usage: bin/ringstore bench"), "the usage follows the message");
    assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing on stdout");
  }

  @Test
  void helpPrintsTheUsageAndExitsZero() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status =
        BenchCommand.run(
            new String[] {"--help"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
    assertEquals(0, status);
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: bin/ringstore bench"));
  }
}
