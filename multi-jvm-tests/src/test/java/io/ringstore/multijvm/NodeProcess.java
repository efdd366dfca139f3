package io.ringstore.multijvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * One ringstore node JVM started through the launcher, {@code bin/ringstore start}, with fixed
 * ports (picked free by {@link LocalCluster}), a data directory and a log file that collects its
 * stdout and stderr across restarts. The launcher execs the JVM, so {@link #pid()} is the node
 * JVM's own pid and signals reach it directly. A node can be started again after {@link #kill9()}
 * or {@link #stop()}: same ports, same data directory, same options.
 *
 * <p>Every started process is also tracked for a JVM shutdown hook that kills it, as a last resort
 * when the test JVM exits without its {@code @AfterEach}/{@code @AfterAll} having run.
 */
public final class NodeProcess {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL_PAUSE = Duration.ofMillis(200);

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    LIVE.forEach(
                        p -> {
                          p.descendants().forEach(ProcessHandle::destroyForcibly);
                          p.destroyForcibly();
                        }),
                "ringstore-multijvm-reaper"));
  }

  private final String name;
  private final Path home;
  private final Path dataDir;
  private final Path logFile;
  private final int httpPort;
  private final int clusterPort;
  private final String javaOpts;
  private final NodeHost host;
  private volatile NodeHttp http;
  private List<String> options = List.of();
  private Process process;
  private boolean paused;

  NodeProcess(
      String name,
      Path home,
      Path dataDir,
      Path logFile,
      int httpPort,
      int clusterPort,
      String javaOpts,
      NodeHost host) {
    this.name = name;
    this.home = home;
    this.dataDir = dataDir;
    this.logFile = logFile;
    this.httpPort = httpPort;
    this.clusterPort = clusterPort;
    this.javaOpts = javaOpts;
    this.host = host;
    this.http = new NodeHttp(host.address(), httpPort);
  }

  public String name() {
    return name;
  }

  public int httpPort() {
    return httpPort;
  }

  public int clusterPort() {
    return clusterPort;
  }

  /**
   * Where this node runs: its address ({@code 127.0.0.1} unless placed elsewhere) and command
   * prefix.
   */
  public NodeHost host() {
    return host;
  }

  /**
   * This node's cluster address as {@code --seed} and the admin API name it: {@code host:port},
   * e.g. {@code 127.0.0.1:port}.
   */
  public String clusterAddress() {
    return host.address() + ":" + clusterPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path logFile() {
    return logFile;
  }

  public NodeHttp http() {
    return http;
  }

  /**
   * Talks HTTPS to this node from now on (its readiness polls too), trusting the CAs of {@code
   * tls}: for a node whose gateway serves HTTPS ({@code ringstore.http.tls}).
   */
  public NodeProcess useHttps(SSLContext tls) {
    this.http = new NodeHttp(host.address(), httpPort, tls);
    return this;
  }

  /** Sends HTTP Basic credentials with every request from now on ({@code /health} needs none). */
  public NodeProcess useCredentials(String user, String password) {
    this.http = http.as(user, password);
    return this;
  }

  /**
   * Starts the node with these launcher options (besides the ports, host and data dir, which are
   * this node's own), e.g. {@code "--config", "conf/cluster.conf", "--seed",
   * other.clusterAddress()}.
   */
  public synchronized NodeProcess start(String... launcherOptions) {
    options = List.of(launcherOptions);
    return start();
  }

  /** Starts (or starts again) the node with the options of the last start. */
  public synchronized NodeProcess start() {
    if (isAlive()) {
      throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
    }
    List<String> command = new ArrayList<>(host.commandPrefix());
    command.addAll(
        List.of(
            home.resolve("bin/ringstore").toString(),
            "start",
            "--host",
            host.address(),
            "--http-port",
            Integer.toString(httpPort),
            "--cluster-port",
            Integer.toString(clusterPort),
            "--data-dir",
            dataDir.toString()));
    command.addAll(host.launcherOptions());
    command.addAll(options);
    try {
      Files.createDirectories(logFile.getParent());
      Files.writeString(
          logFile,
          "=== " + name + ": " + String.join(" ", command) + System.lineSeparator(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(home.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      Map<String, String> env = builder.environment();
      env.put("RINGSTORE_JAVA_OPTS", javaOpts);
      Process started = builder.start();
      LIVE.add(started);
      started.onExit().thenRun(() -> LIVE.remove(started));
      process = started;
      paused = false;
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /**
   * The node JVM's pid: the launcher execs java, and so does a command prefix such as {@code ip
   * netns exec}, so it is the process started here.
   */
  public synchronized long pid() {
    requireStarted();
    return process.pid();
  }

  /**
   * Polls {@code GET /health/ready} until it answers 200, failing at the deadline or as soon as the
   * process exits (with the tail of its log). Between polls it waits on the process's exit, so a
   * node that dies is noticed at once.
   */
  public NodeProcess awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Process current;
    synchronized (this) {
      requireStarted();
      current = process;
    }
    while (true) {
      if (!current.isAlive()) {
        throw new AssertionError(
            name
                + " exited with status "
                + current.exitValue()
                + " before it was ready\n"
                + logTail(80));
      }
      var ready = http.probe("/health/ready", Duration.ofSeconds(1));
      if (ready.isPresent() && ready.get().status() == 200) {
        return this;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError(
            name
                + " not ready after "
                + timeout.toSeconds()
                + " s (last answer: "
                + ready.map(NodeHttp.Response::toString).orElse("no connection")
                + ")\n"
                + logTail(80));
      }
      awaitExit(current, POLL_PAUSE);
    }
  }

  /** Waits for the node to exit by itself (a refused start) and returns its exit status. */
  public int awaitExitStatus(Duration timeout) {
    Process current;
    synchronized (this) {
      requireStarted();
      current = process;
    }
    if (!awaitExit(current, timeout)) {
      throw new AssertionError(
          name + " still runs after " + timeout.toSeconds() + " s\n" + logTail(40));
    }
    return current.exitValue();
  }

  /** SIGKILL: the JVM dies at once, with no shutdown hook and no flush. Waits until it is gone. */
  public synchronized void kill9() {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    if (!awaitExit(process, STOP_TIMEOUT)) {
      throw new AssertionError(name + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
    }
    paused = false;
  }

  /**
   * SIGTERM (the node leaves the cluster and shuts down), then SIGKILL if it is not gone in 30 s.
   */
  public synchronized void stop() {
    signalStop();
    awaitStopped(System.nanoTime() + STOP_TIMEOUT.toNanos());
  }

  /**
   * First half of {@link #stop()}: sends SIGTERM (resuming a paused node first so it can act on
   * it).
   */
  synchronized void signalStop() {
    if (!isAlive()) {
      return;
    }
    if (paused) {
      resume();
    }
    process.destroy();
  }

  /** Second half of {@link #stop()}: waits until the deadline (nanoTime), then SIGKILL. */
  synchronized void awaitStopped(long deadlineNanos) {
    if (process == null) {
      return;
    }
    long left = Math.max(0, deadlineNanos - System.nanoTime());
    if (!awaitExit(process, Duration.ofNanos(left))) {
      System.err.println(
          "[multi-jvm] " + name + " did not stop within the deadline after SIGTERM: kill -9");
      kill9();
    }
  }

  /** SIGSTOP: the JVM freezes (no heartbeats, no answers) until {@link #resume()}. */
  public synchronized void pause() {
    signal("STOP");
    paused = true;
  }

  /** SIGCONT after {@link #pause()}. */
  public synchronized void resume() {
    signal("CONT");
    paused = false;
  }

  /** The last {@code lines} lines of this node's log, framed for a test report. */
  public String logTail(int lines) {
    StringBuilder out =
        new StringBuilder("----- last " + lines + " lines of " + logFile + " -----\n");
    try {
      List<String> all =
          Files.exists(logFile) ? Files.readAllLines(logFile, StandardCharsets.UTF_8) : List.of();
      all.subList(Math.max(0, all.size() - lines), all.size())
          .forEach(l -> out.append(l).append('\n'));
    } catch (IOException | UncheckedIOException e) {
      out.append("(cannot read the log: ").append(e).append(")\n");
    }
    return out.append("----- end of ").append(name).append(" log -----").toString();
  }

  @Override
  public String toString() {
    return name
        + "["
        + (host.equals(NodeHost.LOOPBACK) ? "" : host.address() + ", ")
        + "http "
        + httpPort
        + ", cluster "
        + clusterPort
        + (process == null
            ? ", not started"
            : ", pid " + process.pid() + (isAlive() ? "" : ", exited"))
        + "]";
  }

  private void signal(String signal) {
    requireStarted();
    if (!process.isAlive()) {
      throw new IllegalStateException(name + " is not running: cannot send SIG" + signal);
    }
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        kill.destroyForcibly();
        throw new IllegalStateException(
            "kill -"
                + signal
                + " "
                + process.pid()
                + " failed: "
                + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + signal, e);
    }
  }

  private void requireStarted() {
    if (process == null) {
      throw new IllegalStateException(name + " was never started");
    }
  }

  /** Waits up to {@code timeout} for the process to exit; true when it has. */
  static boolean awaitExit(Process p, Duration timeout) {
    try {
      p.onExit().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for pid " + p.pid(), e);
    }
  }

  synchronized Process process() {
    return process;
  }
}
