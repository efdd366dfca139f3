package io.ringstore.multijvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The node JVMs of one test, as a JUnit 5 extension: register it with {@code @RegisterExtension}
 * and every node it created is stopped after each test (or after all, for a static field) whether
 * the test passed or not; when the test failed, the tail of every node's log is printed first.
 *
 * <p>Nodes run from the project root ({@code -Dringstore.home}, set by failsafe, else {@code
 * user.dir}) through {@code bin/ringstore start}, which needs {@code target/ringstore-node.jar}:
 * {@code mvn verify} builds it in {@code package}, before failsafe runs. Logs go to {@code
 * target/multi-jvm-logs/<test class>/<test method>/<node>.log} and are kept after the run. JVM
 * options come from {@code -Dringstore.it.javaOpts} (default: small heap, serial GC, C1 only).
 */
public final class LocalCluster
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  static final String DEFAULT_JAVA_OPTS =
      "-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError";
  private static final Set<Integer> HANDED_OUT_PORTS = ConcurrentHashMap.newKeySet();
  private static final Duration POLL_PAUSE = Duration.ofMillis(200);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Path home;
  private final String javaOpts;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<AutoCloseable> closeAfterNodes = new ArrayList<>();
  private Path logDir;

  public LocalCluster() {
    this.home =
        Path.of(System.getProperty("ringstore.home", System.getProperty("user.dir")))
            .toAbsolutePath()
            .normalize();
    this.javaOpts = System.getProperty("ringstore.it.javaOpts", DEFAULT_JAVA_OPTS);
    this.logDir = home.resolve("target/multi-jvm-logs/unnamed");
  }

  public Path home() {
    return home;
  }

  /**
   * A new node on free ports with its data in {@code dataDir} (put it under a {@code @TempDir});
   * not started yet, so that its own cluster address can be among its options.
   */
  public NodeProcess newNode(String name, Path dataDir) {
    return newNode(name, dataDir, NodeHost.LOOPBACK);
  }

  /**
   * A new node as {@link #newNode(String, Path)}, running on {@code host} (its address and command
   * prefix, e.g. a network namespace of {@link NetworkNamespaces}).
   */
  public synchronized NodeProcess newNode(String name, Path dataDir, NodeHost host) {
    Path jar = home.resolve("target/ringstore-node.jar");
    if (!Files.isRegularFile(jar)) {
      // the launcher would run `mvn package` itself: never from inside a test run
      throw new IllegalStateException(jar + " is missing: run `mvn -B verify` (package builds it)");
    }
    int http = freePort();
    int cluster = freePort();
    NodeProcess node =
        new NodeProcess(
            name, home, dataDir, logDir.resolve(name + ".log"), http, cluster, javaOpts, host);
    nodes.add(node);
    return node;
  }

  public synchronized List<NodeProcess> nodes() {
    return List.copyOf(nodes);
  }

  /**
   * Closes {@code resource} at the end of the test, after every node is stopped (pass or fail), in
   * the reverse order of registration: for what the nodes run in, such as {@link
   * NetworkNamespaces}.
   */
  public synchronized <T extends AutoCloseable> T closeAfterNodes(T resource) {
    closeAfterNodes.add(resource);
    return resource;
  }

  /**
   * Retries {@code assertion} until it passes; at the deadline the last failure is thrown. Fails at
   * once if a node that was running at the start dies meanwhile (with its log tail). Between tries
   * it waits on the nodes' exits, not a sleep.
   */
  public void awaitAssert(Duration timeout, Runnable assertion) {
    awaitAssert(timeout, nodes().stream().filter(NodeProcess::isAlive).toList(), assertion);
  }

  /**
   * As {@link #awaitAssert(Duration, Runnable)}, but only the death of one of {@code mustStayUp}
   * fails the wait at once: for waits during which another node is expected to exit.
   */
  public void awaitAssert(Duration timeout, List<NodeProcess> mustStayUp, Runnable assertion) {
    List<NodeProcess> running = mustStayUp.stream().filter(NodeProcess::isAlive).toList();
    CompletableFuture<?> anyExit =
        CompletableFuture.anyOf(
            running.stream().map(n -> n.process().onExit()).toArray(CompletableFuture[]::new));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError | RuntimeException e) {
        if (System.nanoTime() - deadline >= 0) {
          AssertionError failure =
              new AssertionError(
                  "still failing after " + timeout.toSeconds() + " s: " + e.getMessage(), e);
          throw failure;
        }
      }
      if (!running.isEmpty() && completesWithin(anyExit, POLL_PAUSE)) {
        NodeProcess dead = running.stream().filter(n -> !n.isAlive()).findFirst().orElseThrow();
        throw new AssertionError(dead.name() + " died while waiting\n" + dead.logTail(80));
      } else if (running.isEmpty()) {
        completesWithin(new CompletableFuture<>(), POLL_PAUSE);
      }
    }
  }

  /**
   * Stops every node gracefully, the last started first, each with SIGTERM and SIGKILL if it is not
   * gone within 30 s: one by one, each leaving member still finds a converged cluster to leave (all
   * at once, the last leader waits out Pekko's cluster-exiting timeout).
   */
  public synchronized void stopAll() {
    List<NodeProcess> reversed = new ArrayList<>(nodes);
    Collections.reverse(reversed);
    reversed.forEach(NodeProcess::stop);
  }

  /**
   * Stops every node at once: SIGTERM to all, then SIGKILL to those not gone within 30 s in all.
   */
  public synchronized void stopAllNow() {
    nodes.forEach(NodeProcess::signalStop);
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    nodes.forEach(n -> n.awaitStopped(deadline));
  }

  /** Every node's log tail, for a failure report. */
  public synchronized String logTails(int lines) {
    StringBuilder out = new StringBuilder();
    nodes.forEach(n -> out.append(n).append('\n').append(n.logTail(lines)).append('\n'));
    return out.toString();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    logDir = logDirFor(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    logDir = logDirFor(context);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    finish(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    finish(context);
  }

  private synchronized void finish(ExtensionContext context) {
    try {
      if (context.getExecutionException().isPresent() && !nodes.isEmpty()) {
        System.err.println(
            "[multi-jvm] " + context.getDisplayName() + " failed; node logs:\n" + logTails(60));
      }
    } finally {
      try {
        // a failed test may have left nodes paused or partitioned: stop them all together
        if (context.getExecutionException().isPresent()) {
          stopAllNow();
        } else {
          stopAll();
        }
      } finally {
        try {
          nodes.forEach(
              n -> {
                if (n.isAlive()) {
                  n.kill9();
                }
              });
          nodes.clear();
        } finally {
          closeResources();
        }
      }
    }
  }

  private void closeResources() {
    RuntimeException failure = null;
    for (int i = closeAfterNodes.size() - 1; i >= 0; i--) {
      try {
        closeAfterNodes.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("cannot close " + closeAfterNodes.get(i), e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    closeAfterNodes.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private Path logDirFor(ExtensionContext context) {
    Path dir =
        home.resolve("target/multi-jvm-logs")
            .resolve(context.getRequiredTestClass().getSimpleName());
    if (context.getTestMethod().isPresent()) {
      dir = dir.resolve(context.getRequiredTestMethod().getName());
    }
    try {
      if (Files.isDirectory(dir)) {
        try (var old = Files.list(dir)) {
          for (Path log : old.filter(p -> p.toString().endsWith(".log")).toList()) {
            Files.delete(log);
          }
        }
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Lets {@code duration} pass (a nemesis timing, not a wait for a condition) while watching the
   * running nodes of {@code watched}: one that exits meanwhile fails the test at once, with its log
   * tail.
   */
  public static void hold(Duration duration, List<NodeProcess> watched) {
    List<NodeProcess> running = watched.stream().filter(NodeProcess::isAlive).toList();
    CompletableFuture<Object> anyExit =
        CompletableFuture.anyOf(
            running.stream().map(n -> n.process().onExit()).toArray(CompletableFuture[]::new));
    try {
      anyExit.get(duration.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      // an exit is reported below
    }
    NodeProcess dead = running.stream().filter(n -> !n.isAlive()).findFirst().orElseThrow();
    throw new AssertionError(
        dead.name() + " exited while the test held its nemesis timing\n" + dead.logTail(80));
  }

  /** A port free on 127.0.0.1 now, never handed out before in this JVM. */
  static int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = socket.getLocalPort();
        if (HANDED_OUT_PORTS.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
      }
    }
    throw new IllegalStateException("no new free port after 100 attempts");
  }

  private static boolean completesWithin(CompletableFuture<?> future, Duration timeout) {
    try {
      future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
