package io.ringstore.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CheckCommand}'s option parsing: defaults, every option (the nemesis's against a local
 * cluster's files in a temporary directory), and the errors that exit 2.
 */
class CheckCommandTest {
  private static final Path NO_CLUSTER = Path.of("/nonexistent/ringstore-check-test");

  @TempDir Path clusterDir;

  /**
   * The files {@code bin/ringstore cluster start 3 --base-http-port 18080} leaves (pids made up).
   */
  private void localCluster() throws IOException {
    for (int i = 1; i <= 3; i++) {
      Files.writeString(clusterDir.resolve("node-" + i + ".pid"), (1000 + i) + "\n");
      Files.writeString(clusterDir.resolve("node-" + i + ".http"), (18079 + i) + "\n");
    }
  }

  @Test
  void defaults() throws Exception {
    CheckCommand.Command c = CheckCommand.parse(new String[] {"--nodes", "127.0.0.1:8080"});
    assertEquals(
        CheckOptions.defaults(List.of("127.0.0.1:8080")), c.options(), "the documented defaults");
    assertFalse(c.json(), "text by default");
    assertEquals(null, c.nemesis(), "no nemesis by default");
    assertEquals(null, c.minAvailability(), "no minimum availability by default");
  }

  @Test
  void nemesisOptions() throws Exception {
    localCluster();
    CheckCommand.Command c =
        CheckCommand.parse(
            new String[] {
              "--nemesis",
              "kill,pause",
              "--nemesis-interval",
              "4s-8s",
              "--nemesis-down=2500ms-3s",
              "--cluster-dir",
              clusterDir.toString(),
              "--random-seed",
              "42",
              "--min-availability",
              "99.5",
              "--duration",
              "90s",
              "--clients",
              "6",
              "--keys-per-client",
              "8"
            },
            null);
    CheckCommand.NemesisPlan plan = c.nemesis();
    assertEquals(
        new Nemesis.Settings(
            List.of(Nemesis.Kind.KILL, Nemesis.Kind.PAUSE),
            new Nemesis.Range(Duration.ofSeconds(4), Duration.ofSeconds(8)),
            new Nemesis.Range(Duration.ofMillis(2500), Duration.ofSeconds(3)),
            42),
        plan.settings(),
        "the settings");
    assertEquals(clusterDir, plan.clusterDir(), "--cluster-dir");
    assertEquals(
        List.of(target(1), target(2), target(3)), plan.targets(), "the nodes of the local cluster");
    assertEquals(
        List.of("127.0.0.1:18080", "127.0.0.1:18081", "127.0.0.1:18082"),
        c.options().nodes(),
        "without --nodes, the check sends to the local cluster's nodes");
    assertEquals(99.5, c.minAvailability(), "--min-availability");
    assertEquals(6, c.options().clients(), "the other options still apply");
  }

  private NemesisTarget target(int i) {
    return new NemesisTarget(
        "node-" + i,
        "127.0.0.1:" + (18079 + i),
        clusterDir.resolve("node-" + i + ".pid"),
        clusterDir.resolve("node-" + i + ".log"));
  }

  @Test
  void nemesisDefaults() throws Exception {
    localCluster();
    CheckCommand.Command c =
        CheckCommand.parse(
            new String[] {"--nemesis", "pause", "--nodes", "localhost:18080"},
            clusterDir.toString());
    Nemesis.Settings settings = c.nemesis().settings();
    assertEquals(List.of(Nemesis.Kind.PAUSE), settings.kinds(), "pause only");
    assertEquals(
        new Nemesis.Range(Duration.ofSeconds(4), Duration.ofSeconds(8)),
        settings.interval(),
        "interval");
    assertEquals(
        new Nemesis.Range(Duration.ofSeconds(3), Duration.ofSeconds(8)), settings.down(), "down");
    assertEquals(
        clusterDir, c.nemesis().clusterDir(), "$RINGSTORE_CLUSTER_DIR when no --cluster-dir");
    assertEquals(List.of("localhost:18080"), c.options().nodes(), "--nodes as given");
    assertEquals("4s-8s", settings.interval().toString(), "a range as written");
    assertEquals(
        "3s",
        new Nemesis.Range(Duration.ofSeconds(3), Duration.ofSeconds(3)).toString(),
        "one value");
  }

  @Test
  void theClusterDirectoryDefaultsToDataCluster() {
    CheckCommand.UsageException e =
        assertThrows(
            CheckCommand.UsageException.class,
            () -> CheckCommand.parse(new String[] {"--nemesis", "kill"}, null),
            "no cluster here");
    assertTrue(e.getMessage().contains("data/cluster"), e.getMessage());
  }

  @Test
  void everyOption() throws Exception {
    CheckCommand.Command c =
        CheckCommand.parse(
            new String[] {
              "--nodes",
              "a:1,b.example:8081",
              "--duration",
              "90s",
              "--clients",
              "3",
              "--keys-per-client",
              "5",
              "--r",
              "quorum",
              "--w=ALL",
              "--timeout-ms",
              "1500",
              "--converge-timeout",
              "2m",
              "--value-size",
              "64",
              "--json"
            });
    assertEquals(
        new CheckOptions(
            List.of("a:1", "b.example:8081"),
            3,
            5,
            Duration.ofSeconds(90),
            "quorum",
            "all",
            Duration.ofMillis(1500),
            Duration.ofMinutes(2),
            64),
        c.options(),
        "every option parsed");
    assertTrue(c.json(), "--json");
  }

  record Bad(String why, String[] args, String message) {
    @Override
    public String toString() {
      return why;
    }
  }

  static Stream<Bad> badOptions() {
    return Stream.of(
        new Bad("no --nodes", new String[] {"--clients", "2"}, "--nodes is required"),
        new Bad(
            "a node without a port",
            new String[] {"--nodes", "localhost"},
            "a node must be host:port"),
        new Bad(
            "an empty node in the list",
            new String[] {"--nodes", "a:1,"},
            "a node must be host:port"),
        new Bad("a port out of range", new String[] {"--nodes", "a:70000"}, "port out of range"),
        new Bad(
            "an unknown option",
            new String[] {"--nodes", "a:1", "--frobnicate", "1"},
            "unknown option"),
        new Bad("a missing value", new String[] {"--nodes"}, "--nodes needs a value"),
        new Bad(
            "a stray argument",
            new String[] {"--nodes", "a:1", "extra"},
            "unexpected argument 'extra'"),
        new Bad(
            "clients not a number",
            new String[] {"--nodes", "a:1", "--clients", "many"},
            "--clients needs a whole number"),
        new Bad(
            "zero clients",
            new String[] {"--nodes", "a:1", "--clients", "0"},
            "clients must be 1..1024"),
        new Bad(
            "a bad duration",
            new String[] {"--nodes", "a:1", "--duration", "soon"},
            "--duration needs a duration"),
        new Bad(
            "a zero duration",
            new String[] {"--nodes", "a:1", "--duration", "0s"},
            "duration must be positive"),
        new Bad(
            "a bad r",
            new String[] {"--nodes", "a:1", "--r", "most"},
            "r must be a number, one, quorum or all"),
        new Bad(
            "a timeout above the server's limit",
            new String[] {"--nodes", "a:1", "--timeout-ms", "60001"},
            "request timeout must be 1..60000 ms"),
        new Bad(
            "a zero value size",
            new String[] {"--nodes", "a:1", "--value-size", "0"},
            "value size must be"),
        new Bad(
            "a minimum availability over 100",
            new String[] {"--nodes", "a:1", "--min-availability", "101"},
            "--min-availability needs a percentage 0..100"),
        new Bad(
            "a minimum availability not a number",
            new String[] {"--nodes", "a:1", "--min-availability", "high"},
            "--min-availability needs a percentage"),
        new Bad(
            "a nemesis option without --nemesis",
            new String[] {"--nodes", "a:1", "--nemesis-down", "3s"},
            "--nemesis-down needs --nemesis"),
        new Bad(
            "a seed without --nemesis",
            new String[] {"--nodes", "a:1", "--random-seed", "1"},
            "--random-seed needs --nemesis"),
        new Bad(
            "an unknown fault",
            new String[] {"--nemesis", "partition"},
            "--nemesis: a nemesis fault is kill or pause, got 'partition'"),
        new Bad(
            "a fault twice", new String[] {"--nemesis", "kill,kill"}, "--nemesis lists kill twice"),
        new Bad(
            "a range backwards",
            new String[] {"--nemesis", "kill", "--nemesis-interval", "8s-4s"},
            "--nemesis-interval: a range ends before it starts"),
        new Bad(
            "a range with three ends",
            new String[] {"--nemesis", "kill", "--nemesis-interval", "1s-2s-3s"},
            "--nemesis-interval needs a range like 4s-8s"),
        new Bad(
            "a range with no end",
            new String[] {"--nemesis", "kill", "--nemesis-down", "3s-"},
            "--nemesis-down needs a duration"),
        new Bad(
            "a zero down time",
            new String[] {"--nemesis", "kill", "--nemesis-down", "0s"},
            "--nemesis-down: a nemesis duration must be positive"),
        new Bad(
            "a seed not a number",
            new String[] {"--nemesis", "kill", "--random-seed", "x"},
            "--random-seed needs a whole number"),
        new Bad(
            "no local cluster",
            new String[] {"--nemesis", "kill", "--cluster-dir", NO_CLUSTER.toString()},
            "--nemesis: no cluster directory /nonexistent/ringstore-check-test"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badOptions")
  void badOptionsAreRejectedWithAReason(Bad bad) {
    CheckCommand.UsageException e =
        assertThrows(
            CheckCommand.UsageException.class, () -> CheckCommand.parse(bad.args()), bad.why());
    assertTrue(
        e.getMessage().contains(bad.message()),
        () -> bad.why() + ": message was " + e.getMessage());
  }

  @Test
  void badOptionsExit2WithTheUsageOnStderr() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        CheckCommand.run(
            new String[] {"--clients", "2"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, status, "exit status for bad options");
    String stderr = err.toString(StandardCharsets.UTF_8);
    assertTrue(
        stderr.contains("--nodes is required") && stderr.contains("usage: bin/ringstore check"),
        stderr);
    assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing on stdout");
  }

  @Test
  void aClusterDirectoryWithoutPidFilesOrPortsIsRefused() throws Exception {
    CheckCommand.UsageException empty =
        assertThrows(
            CheckCommand.UsageException.class,
            () ->
                CheckCommand.parse(
                    new String[] {"--nemesis", "kill", "--cluster-dir", clusterDir.toString()},
                    null));
    assertTrue(
        empty.getMessage().contains("no node-i.pid file in " + clusterDir), empty.getMessage());
    Files.writeString(clusterDir.resolve("node-1.pid"), "1001\n");
    CheckCommand.UsageException noPort =
        assertThrows(
            CheckCommand.UsageException.class,
            () ->
                CheckCommand.parse(
                    new String[] {"--nemesis", "kill", "--cluster-dir", clusterDir.toString()},
                    null));
    assertTrue(noPort.getMessage().contains("node-1 has no HTTP port"), noPort.getMessage());
  }

  @Test
  void aNemesisWhoseNodesAreNotRunningExits2BeforeAnyLoad() throws Exception {
    Files.writeString(clusterDir.resolve("node-1.pid"), "999999999\n"); // above any pid_max
    Files.writeString(clusterDir.resolve("node-1.http"), "1\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        CheckCommand.run(
            new String[] {"--nemesis", "kill", "--cluster-dir", clusterDir.toString()},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, status, "exit status");
    String stderr = err.toString(StandardCharsets.UTF_8);
    assertTrue(
        stderr.contains("node-1 (pid 999999999 in ") && stderr.contains("is not running"), stderr);
    assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing on stdout");
  }

  @Test
  void theUsageDocumentsEveryOption() {
    for (String option :
        List.of(
            "--nodes",
            "--duration",
            "--clients",
            "--keys-per-client",
            "--r, --w",
            "--timeout-ms",
            "--converge-timeout",
            "--value-size",
            "--json",
            "--min-availability",
            "--nemesis",
            "--nemesis-interval",
            "--nemesis-down",
            "--cluster-dir",
            "--random-seed")) {
      assertTrue(
          CheckCommand.USAGE.contains("\n  " + option + " "), "the usage explains " + option);
    }
  }

  @Test
  void durations() throws Exception {
    assertEquals(
        Duration.ofSeconds(60),
        CheckCommand.duration("--duration", "60"),
        "a bare number is seconds");
    assertEquals(Duration.ofSeconds(60), CheckCommand.duration("--duration", "60s"), "s");
    assertEquals(Duration.ofMillis(1500), CheckCommand.duration("--duration", "1500ms"), "ms");
    assertEquals(Duration.ofMinutes(2), CheckCommand.duration("--duration", "2m"), "m");
    assertEquals(Duration.ofHours(1), CheckCommand.duration("--duration", "1h"), "h");
  }
}
