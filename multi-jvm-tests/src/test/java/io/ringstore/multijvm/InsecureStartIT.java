package io.ringstore.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secure by default once off loopback (issue 11, item 4), through the real launcher: {@code
 * bin/ringstore start} on a non-loopback address without TLS and authentication exits with status 2
 * and says how to fix it on stderr, before the actor system starts, so nothing binds and nothing is
 * sent. The address is 192.0.2.1 (TEST-NET-1, never assigned to a machine). A node whose HTTP and
 * Artery sockets are bound to 127.0.0.1 but which advertises 192.0.2.1 is refused too (it would
 * otherwise start), and starts with {@code --insecure}, warning at start-up about what is missing;
 * it never sends to 192.0.2.1 (one node, joined to itself). The loopback quick start is what every
 * other IT runs.
 */
class InsecureStartIT {
  private static final Duration REFUSED = Duration.ofSeconds(60);
  private static final Duration READY = Duration.ofSeconds(90);
  private static final Duration STOP = Duration.ofSeconds(30);
  private static final String TEST_NET = "192.0.2.1";

  @TempDir Path tmp;

  private final Path home = new LocalCluster().home();
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopEveryProcess() {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroy();
        if (!NodeProcess.awaitExit(p, STOP)) {
          p.destroyForcibly();
          NodeProcess.awaitExit(p, STOP);
        }
      }
    }
  }

  @Test
  @Timeout(value = 120)
  void aNonLoopbackHostWithoutProtectionIsRefusedBeforeAnythingBinds() {
    Path dataDir = tmp.resolve("data");
    Launch launch =
        start(
            "--host",
            TEST_NET,
            "--http-port",
            Integer.toString(LocalCluster.freePort()),
            "--cluster-port",
            Integer.toString(LocalCluster.freePort()),
            "--data-dir",
            dataDir.toString());

    assertTrue(
        NodeProcess.awaitExit(launch.process, REFUSED),
        () -> "refused within " + REFUSED.toSeconds() + " s\n" + launch.output());
    assertEquals(2, launch.process.exitValue(), launch::output);
    String stderr = launch.stderr();
    assertTrue(
        stderr.contains(
            "ringstore: refusing to start on 192.0.2.1 (not a loopback address) without"
                + " internode TLS, HTTPS and authentication."),
        stderr);
    assertTrue(
        stderr.contains("bin/ringstore certs DIR --nodes 192.0.2.1")
            && stderr.contains("--config DIR/ringstore.conf")
            && stderr.contains("pass --insecure"),
        "the message says how: " + stderr);
    assertNothingStarted(launch, dataDir);
  }

  @Test
  @Timeout(value = 240)
  void aLoopbackBoundNodeAdvertisingANonLoopbackAddressIsRefusedAndStartsOnlyWithInsecure()
      throws IOException {
    int httpPort = LocalCluster.freePort();
    int clusterPort = LocalCluster.freePort();
    Path config =
        Files.writeString(
            tmp.resolve("advertised.conf"),
            """
        # bound to loopback, advertised to other members as TEST-NET: without the check it would start
        pekko.remote.artery.canonical.hostname = "%s"
        pekko.remote.artery.bind.hostname = "127.0.0.1"
        """
                .formatted(TEST_NET),
            StandardCharsets.UTF_8);
    Path dataDir = tmp.resolve("data");
    List<String> options =
        List.of(
            "--config",
            config.toString(),
            "--http-port",
            Integer.toString(httpPort),
            "--cluster-port",
            Integer.toString(clusterPort),
            "--data-dir",
            dataDir.toString());

    Launch refused = start(options.toArray(String[]::new));
    assertTrue(NodeProcess.awaitExit(refused.process, REFUSED), refused::output);
    assertEquals(2, refused.process.exitValue(), refused::output);
    assertTrue(
        refused.stderr().contains("refusing to start on 192.0.2.1 (not a loopback address)"),
        refused::output);
    assertNothingStarted(refused, dataDir);

    List<String> insecure = new ArrayList<>(options);
    insecure.add("--insecure");
    Launch warned = start(insecure.toArray(String[]::new));
    awaitReady(warned, new NodeHttp("127.0.0.1", httpPort));
    String warning =
        warned
            .output()
            .lines()
            .filter(l -> l.contains("running on 192.0.2.1 (not a loopback address) WITHOUT"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no start-up warning\n" + warned.output()));
    assertTrue(
        warning.contains("WARN")
            && warning.contains("internode TLS, HTTPS and authentication")
            && warning.contains("HTTP port " + httpPort)
            && warning.contains("cluster port " + clusterPort),
        warning);
  }

  private void assertNothingStarted(Launch launch, Path dataDir) {
    String output = launch.output();
    assertFalse(
        output.contains("Remoting started")
            || output.contains("Slf4jLogger started")
            || output.contains("listening"),
        "no actor system, no Artery, no HTTP:\n" + output);
    assertFalse(Files.exists(dataDir), "the data directory was never created");
  }

  private void awaitReady(Launch launch, NodeHttp http) {
    long deadline = System.nanoTime() + READY.toNanos();
    while (true) {
      assertTrue(launch.process.isAlive(), () -> "exited before ready\n" + launch.output());
      var ready = http.probe("/health/ready", Duration.ofSeconds(1));
      if (ready.isPresent() && ready.get().status() == 200) {
        return;
      }
      assertTrue(System.nanoTime() - deadline < 0, () -> "not ready\n" + launch.output());
      NodeProcess.awaitExit(launch.process, Duration.ofMillis(200));
    }
  }

  /** {@code bin/ringstore start} with stdout and stderr in files of their own. */
  private Launch start(String... options) {
    Path jar = home.resolve("target/ringstore-node.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run `mvn -B verify` (package builds it)");
    }
    List<String> command =
        new ArrayList<>(List.of(home.resolve("bin/ringstore").toString(), "start"));
    command.addAll(List.of(options));
    int n = started.size() + 1;
    Path stdout = tmp.resolve("launch-" + n + ".out");
    Path stderr = tmp.resolve("launch-" + n + ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder
        .environment()
        .put(
            "RINGSTORE_JAVA_OPTS",
            System.getProperty("ringstore.it.javaOpts", LocalCluster.DEFAULT_JAVA_OPTS));
    try {
      Process process = builder.start();
      started.add(process);
      return new Launch(process, stdout, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    }
  }

  private record Launch(Process process, Path stdoutFile, Path stderrFile) {
    String stderr() {
      return read(stderrFile);
    }

    String output() {
      return "--- stdout ---\n" + read(stdoutFile) + "--- stderr ---\n" + read(stderrFile);
    }

    private static String read(Path file) {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(cannot read " + file + ": " + e + ")";
      }
    }
  }
}
