package io.ringstore.check;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The nemesis of {@code bin/ringstore check --nemesis}: it breaks the nodes of a local cluster
 * (started by {@code bin/ringstore cluster start}) one at a time while the check runs, and marks
 * each fault's exact window on the check ({@link Marks}), named {@code "kill node-i"} or {@code
 * "pause node-i"}.
 *
 * <p>The schedule, all drawn from one seeded {@link Random} (the same seed, targets and settings
 * give the same faults): wait a quiet interval (drawn from {@link Settings#interval()}), wait until
 * every node answers {@code /health/ready} (at most {@link #READY_TIMEOUT}: no fault while another
 * node is not back), pick any node and a fault kind, then
 *
 * <ul>
 *   <li><b>kill</b>: read the node's command line and working directory ({@code /proc/PID/cmdline},
 *       {@code /proc/PID/cwd}), {@code kill -9} it, wait the down time (drawn from {@link
 *       Settings#down()}), start exactly that command line again in that directory (on the same
 *       data directory), its output appended to its log, and write the new pid to its pid file;
 *   <li><b>pause</b>: {@code SIGSTOP} it, wait the down time, {@code SIGCONT} it;
 * </ul>
 *
 * then wait until the node answers {@code /health/ready} again (at most {@link #READY_TIMEOUT}) and
 * only then close the window: the window covers the time the node was down or not ready because of
 * the fault. The next quiet interval starts then. When the run ends (its duration is up, it is
 * interrupted, or an action failed), and whenever {@link #healAll()} is called (e.g. from a
 * shutdown hook on Ctrl-C), every victim is resumed or restarted and the open window closed: the
 * nemesis never leaves a node stopped or dead. A node that does not come back ready in time stops
 * the nemesis (an error).
 *
 * <p>Thread-safe: {@link #run} on one thread, {@link #healAll()} from any other.
 */
final class Nemesis {
  static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
  static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration POLL = Duration.ofMillis(500);

  /** The kinds of faults. */
  enum Kind {
    KILL("kill"),
    PAUSE("pause");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }

    /** {@code kill} or {@code pause}. */
    static Kind parse(String label) {
      for (Kind k : values()) {
        if (k.label.equals(label)) {
          return k;
        }
      }
      throw new IllegalArgumentException("a nemesis fault is kill or pause, got '" + label + "'");
    }
  }

  /** A range of durations to draw from, both ends included (millisecond precision). */
  record Range(Duration min, Duration max) {
    Range {
      Objects.requireNonNull(min, "min");
      Objects.requireNonNull(max, "max");
      if (min.isNegative() || min.isZero()) {
        throw new IllegalArgumentException(
            "a nemesis duration must be positive, got " + min.toMillis() + " ms");
      }
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "a range ends before it starts: "
                + min.toMillis()
                + " ms to "
                + max.toMillis()
                + " ms");
      }
    }

    Duration pick(Random random) {
      return min.plusMillis(random.nextLong(max.toMillis() - min.toMillis() + 1));
    }

    boolean contains(Duration d) {
      return d.compareTo(min) >= 0 && d.compareTo(max) <= 0;
    }

    @Override
    public String toString() {
      return seconds(min) + (min.equals(max) ? "" : "-" + seconds(max));
    }
  }

  /**
   * What the nemesis does.
   *
   * @param kinds the kinds of faults it picks from (each equally likely), distinct, at least one
   * @param interval the quiet time before each fault
   * @param down how long a victim stays killed or paused before its restart or SIGCONT
   * @param seed the seed of its choices
   */
  record Settings(List<Kind> kinds, Range interval, Range down, long seed) {
    static final Range DEFAULT_INTERVAL = new Range(Duration.ofSeconds(4), Duration.ofSeconds(8));
    static final Range DEFAULT_DOWN = new Range(Duration.ofSeconds(3), Duration.ofSeconds(8));

    Settings {
      kinds = List.copyOf(kinds);
      if (kinds.isEmpty() || kinds.stream().distinct().count() != kinds.size()) {
        throw new IllegalArgumentException(
            "the nemesis needs distinct faults (kill, pause), got " + kinds);
      }
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(down, "down");
    }
  }

  /** Where the nemesis marks its fault windows: {@link ConsistencyCheck.Handle} in the command. */
  interface Marks {
    void markFault(String name, String node);

    void endFault();
  }

  /** Whether a node answers {@code /health/ready} with 200. */
  interface Readiness {
    boolean ready(String endpoint);
  }

  /** The nemesis's clock and its waits (the schedule's timing, not conditions); fake in tests. */
  interface Pacer {
    long nanoTime();

    void sleep(Duration duration) throws InterruptedException;

    Pacer SYSTEM =
        new Pacer() {
          @Override
          public long nanoTime() {
            return System.nanoTime();
          }

          @Override
          public void sleep(Duration duration) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
          }
        };
  }

  /** The node broken now and how to bring it back. */
  private record Victim(NemesisTarget target, Kind kind, ProcessControl.ProcessInfo process) {}

  private final List<NemesisTarget> targets;
  private final Settings settings;
  private final ProcessControl control;
  private final Readiness readiness;
  private final Marks marks;
  private final Pacer pacer;
  private final Consumer<String> log;
  private final Random random;
  private final List<String> errors = new ArrayList<>();
  private Victim victim;
  private boolean windowOpen;
  private boolean closed;
  private int faults;

  Nemesis(
      List<NemesisTarget> targets,
      Settings settings,
      ProcessControl control,
      Readiness readiness,
      Marks marks,
      Pacer pacer,
      Consumer<String> log) {
    this.targets = List.copyOf(targets);
    if (this.targets.isEmpty()) {
      throw new IllegalArgumentException("the nemesis needs at least one node");
    }
    this.settings = settings;
    this.control = control;
    this.readiness = readiness;
    this.marks = marks;
    this.pacer = pacer;
    this.log = log;
    this.random = new Random(settings.seed());
  }

  /**
   * Checks that every target's pid file names a running process whose command line can be read: the
   * nemesis could restart each. Throws with what is wrong otherwise.
   */
  static void verify(List<NemesisTarget> targets, ProcessControl control) throws IOException {
    for (NemesisTarget t : targets) {
      long pid = t.pid();
      if (!control.isAlive(pid)) {
        throw new IOException(
            t.name() + " (pid " + pid + " in " + t.pidFile() + ") is not running");
      }
      control.inspect(pid);
    }
  }

  /**
   * Breaks nodes, one at a time, until {@code total} has passed (a fault still open then is healed
   * at once), or until interrupted, {@link #healAll()} is called or an action fails. Always heals
   * before returning.
   */
  void run(Duration total) {
    runUntil(pacer.nanoTime() + total.toNanos());
  }

  /**
   * {@link #run}, until {@code end} on the pacer's clock ({@link System#nanoTime()} for the real
   * one).
   */
  void runUntil(long end) {
    boolean interrupted = false;
    try {
      while (hold(settings.interval().pick(random), end)) {
        Optional<NemesisTarget> notReady = awaitAllReady(end);
        if (notReady.isPresent()) {
          error(
              notReady.get().name()
                  + " was not ready for "
                  + READY_TIMEOUT.toSeconds()
                  + " s before a fault; no "
                  + "more faults (see "
                  + notReady.get().logFile()
                  + ")");
          break;
        }
        if (end - pacer.nanoTime() <= 0) {
          break;
        }
        NemesisTarget target = targets.get(random.nextInt(targets.size()));
        Kind kind = settings.kinds().get(random.nextInt(settings.kinds().size()));
        Duration down = settings.down().pick(random);
        if (!begin(target, kind, down)) {
          break;
        }
        boolean loadGoesOn = hold(down, end);
        heal();
        boolean ready = !loadGoesOn || awaitReady(target, end);
        endWindow();
        if (!ready) {
          error(
              target.name()
                  + " was not ready "
                  + READY_TIMEOUT.toSeconds()
                  + " s after its "
                  + (kind == Kind.KILL ? "restart" : "SIGCONT")
                  + "; no more faults (see "
                  + target.logFile()
                  + ")");
          break;
        }
      }
    } catch (InterruptedException e) {
      interrupted = true;
    } catch (IOException | RuntimeException e) {
      error("stopped: " + e);
    } finally {
      healAll();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Resumes or restarts the current victim, if any, closes the open window, and stops the nemesis:
   * no fault starts after this. Idempotent; never throws (a failure is recorded in {@link
   * #errors()}).
   */
  synchronized void healAll() {
    closed = true;
    boolean interrupted =
        Thread.interrupted(); // file channels refuse to work on an interrupted thread
    try {
      heal();
    } catch (IOException | RuntimeException e) {
      error("could not heal: " + e);
    }
    try {
      endWindow();
    } catch (RuntimeException e) {
      error("could not close the fault window: " + e);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** What went wrong, in order; empty when nothing did. */
  synchronized List<String> errors() {
    return List.copyOf(errors);
  }

  /** How many faults were started. */
  synchronized int faults() {
    return faults;
  }

  private synchronized boolean begin(NemesisTarget target, Kind kind, Duration down)
      throws IOException {
    if (closed) {
      return false;
    }
    long pid = target.pid();
    ProcessControl.ProcessInfo process = control.inspect(pid); // before breaking it
    marks.markFault(kind.label() + " " + target.name(), target.endpoint());
    windowOpen = true;
    victim = new Victim(target, kind, process);
    faults++;
    if (kind == Kind.KILL) {
      control.kill(pid);
      log.accept(
          String.format(
              Locale.ROOT,
              "kill -9 %s (pid %d); restart in %s",
              target.name(),
              pid,
              seconds(down)));
    } else {
      control.pause(pid);
      log.accept(
          String.format(
              Locale.ROOT,
              "SIGSTOP %s (pid %d); SIGCONT in %s",
              target.name(),
              pid,
              seconds(down)));
    }
    return true;
  }

  /** Brings the victim back (once: a failed restart is an error, not retried). */
  private synchronized void heal() throws IOException {
    Victim v = victim;
    if (v == null) {
      return;
    }
    victim = null;
    long pid = v.process().pid();
    if (v.kind() == Kind.PAUSE) {
      control.resume(pid);
      log.accept("SIGCONT " + v.target().name() + " (pid " + pid + ")");
      return;
    }
    awaitExit(v.target(), pid);
    long restarted = control.start(v.process(), v.target().logFile());
    v.target().pid(restarted);
    log.accept(
        "restarted "
            + v.target().name()
            + ": pid "
            + restarted
            + ", output appended to "
            + v.target().logFile());
  }

  private synchronized void endWindow() {
    if (windowOpen) {
      windowOpen = false;
      marks.endFault();
    }
  }

  /** Waits (uninterruptibly: it runs when healing) for a killed process to be gone. */
  private void awaitExit(NemesisTarget target, long pid) throws IOException {
    long deadline = pacer.nanoTime() + EXIT_TIMEOUT.toNanos();
    boolean interrupted = false;
    try {
      while (control.isAlive(pid)) {
        if (pacer.nanoTime() - deadline >= 0) {
          throw new IOException(
              target.name()
                  + " (pid "
                  + pid
                  + ") still runs "
                  + EXIT_TIMEOUT.toSeconds()
                  + " s after kill -9: not restarted");
        }
        try {
          pacer.sleep(Duration.ofMillis(50));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Waits until {@code target} is ready (true), {@link #READY_TIMEOUT} passed (false) or the run
   * ended (true).
   */
  private boolean awaitReady(NemesisTarget target, long end) throws InterruptedException {
    long deadline = pacer.nanoTime() + READY_TIMEOUT.toNanos();
    while (!readiness.ready(target.endpoint())) {
      long now = pacer.nanoTime();
      if (now - end >= 0) {
        return true;
      }
      if (now - deadline >= 0) {
        return false;
      }
      pacer.sleep(min(POLL, Duration.ofNanos(end - now)));
    }
    log.accept(target.name() + " ready");
    return true;
  }

  /**
   * Waits until every target is ready (empty), or the run ended (empty), or {@link #READY_TIMEOUT}
   * passed (the first target not ready then): one node at a time also means no fault while a node
   * broken by someone else, or still starting, is not back.
   */
  private Optional<NemesisTarget> awaitAllReady(long end) throws InterruptedException {
    long deadline = pacer.nanoTime() + READY_TIMEOUT.toNanos();
    boolean logged = false;
    while (true) {
      Optional<NemesisTarget> notReady =
          targets.stream().filter(t -> !readiness.ready(t.endpoint())).findFirst();
      long now = pacer.nanoTime();
      if (notReady.isEmpty() || now - end >= 0) {
        return Optional.empty();
      }
      if (now - deadline >= 0) {
        return notReady;
      }
      if (!logged) {
        log.accept("waiting for " + notReady.get().name() + " to be ready before the next fault");
        logged = true;
      }
      pacer.sleep(min(POLL, Duration.ofNanos(end - now)));
    }
  }

  /** Sleeps {@code duration}, cut short at {@code end}; whether the run goes on after it. */
  private boolean hold(Duration duration, long end) throws InterruptedException {
    long left = end - pacer.nanoTime();
    if (left <= 0) {
      return false;
    }
    pacer.sleep(min(duration, Duration.ofNanos(left)));
    return end - pacer.nanoTime() > 0;
  }

  private synchronized void error(String message) {
    errors.add(message);
    log.accept("ERROR " + message);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0
        ? d.toSeconds() + "s"
        : String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1e3);
  }
}
