package io.ringstore.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Nemesis}'s scheduling and bookkeeping against fake processes, a fake clock and fake
 * readiness (a restarted node is ready {@link #STARTUP} after its start, a resumed one at once):
 * one fault at a time, each window marked from the signal until the node is ready again, the quiet
 * and down times in their ranges, a killed node restarted on its exact command line with its pid
 * file updated, and every victim healed at the end, on {@link Nemesis#healAll()} (Ctrl-C) and when
 * an action fails.
 */
class NemesisTest {
  private static final Duration STARTUP = Duration.ofMillis(2500);
  private static final long S = 1_000_000_000L;

  @TempDir Path dir;

  private final FakePacer pacer = new FakePacer();
  private final FakeProcesses processes = new FakeProcesses();
  private final FakeMarks marks = new FakeMarks();
  private final List<String> log = new ArrayList<>();
  private List<NemesisTarget> targets;

  @BeforeEach
  void localCluster() throws IOException {
    targets = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      NemesisTarget t =
          new NemesisTarget(
              "node-" + i,
              "127.0.0.1:1808" + (i - 1),
              dir.resolve("node-" + i + ".pid"),
              dir.resolve("node-" + i + ".log"));
      long pid = 100 + i;
      t.pid(pid);
      processes.add(
          pid,
          List.of(
              "java",
              "-Xmx1g",
              "-jar",
              "ringstore-node.jar",
              "--data-dir",
              "./data/cluster/node-" + i),
          Path.of("/home/user/ringstore"));
      targets.add(t);
    }
  }

  private Nemesis nemesis(List<Nemesis.Kind> kinds, long seed) {
    return new Nemesis(
        targets,
        new Nemesis.Settings(
            kinds, Nemesis.Settings.DEFAULT_INTERVAL, Nemesis.Settings.DEFAULT_DOWN, seed),
        processes,
        this::ready,
        marks,
        pacer,
        log::add);
  }

  /** A restarted node answers ready {@link #STARTUP} after its start; a resumed one at once. */
  private boolean ready(String endpoint) {
    NemesisTarget t =
        targets.stream().filter(n -> n.endpoint().equals(endpoint)).findFirst().orElseThrow();
    try {
      return processes.running(t.pid())
          && pacer.now - processes.startedAt.get(t.pid()) >= STARTUP.toNanos();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void oneFaultAtATimeInItsWindowEveryVictimBackAtTheEnd() throws IOException {
    Nemesis nemesis = nemesis(List.of(Nemesis.Kind.KILL, Nemesis.Kind.PAUSE), 7);
    nemesis.run(Duration.ofSeconds(90));

    assertEquals(List.of(), nemesis.errors(), "no error");
    List<FakeMarks.Window> windows = marks.windows;
    assertTrue(
        windows.size() >= 5,
        "a fault every 4-8 s plus its down time and restart over 90 s: " + windows);
    assertEquals(nemesis.faults(), windows.size(), "one window per fault");
    assertTrue(windows.stream().anyMatch(w -> w.name().startsWith("kill ")), "kills: " + windows);
    assertTrue(windows.stream().anyMatch(w -> w.name().startsWith("pause ")), "pauses: " + windows);
    assertTrue(
        windows.stream()
                .map(FakeMarks.Window::name)
                .map(n -> n.substring(n.indexOf(' ') + 1))
                .distinct()
                .count()
            >= 2,
        "any node may be picked: " + windows);
    for (int i = 0; i < windows.size(); i++) {
      FakeMarks.Window w = windows.get(i);
      NemesisTarget victim = target(w.name().substring(w.name().indexOf(' ') + 1));
      assertTrue(w.name().matches("(kill|pause) node-[123]"), "named kind and node: " + w);
      assertEquals(victim.endpoint(), w.node(), "the window names its node's endpoint: " + w);
      assertTrue(w.end() >= w.start(), "closed: " + w);
      if (i > 0) {
        Duration quiet = Duration.ofNanos(w.start() - windows.get(i - 1).end());
        assertTrue(
            Nemesis.Settings.DEFAULT_INTERVAL.contains(quiet),
            "quiet 4-8 s before a fault: " + quiet);
      }
    }
    assertTrue(
        windows.get(0).start() >= 4 * S && windows.get(0).start() <= 8 * S,
        "quiet first: " + windows);

    List<FakeProcesses.Event> events = processes.events;
    int faults = 0;
    for (int i = 0; i < events.size(); i++) {
      FakeProcesses.Event e = events.get(i);
      if (e.what().equals("kill") || e.what().equals("pause")) {
        faults++;
        FakeProcesses.Event heal = events.get(i + 1);
        assertEquals(
            e.what().equals("kill") ? "start" : "resume",
            heal.what(),
            "healed before anything else: " + events);
        assertEquals(e.node(), heal.node(), "the victim is healed: " + events);
        Duration down = Duration.ofNanos(heal.at() - e.at());
        boolean last = i + 2 >= events.size();
        assertTrue(
            Nemesis.Settings.DEFAULT_DOWN.contains(down)
                || last && down.compareTo(Duration.ofSeconds(8)) <= 0,
            "down 3-8 s (the last may be cut short by the end): " + down);
        FakeMarks.Window w = windows.get(faults - 1);
        assertEquals(e.what() + " " + e.node(), w.name(), "the window of this fault");
        assertEquals(e.at(), w.start(), "the window opens at the signal");
        long readyAfterHeal = w.end() - heal.at();
        if (!last) {
          assertTrue(
              e.what().equals("kill")
                  ? readyAfterHeal >= STARTUP.toNanos()
                      && readyAfterHeal <= STARTUP.toNanos() + Nemesis.POLL.toNanos()
                  : readyAfterHeal == 0,
              "the window closes once the node is ready again: "
                  + readyAfterHeal
                  + " ns after the heal of "
                  + w);
        }
      }
    }
    assertEquals(windows.size(), faults, "every fault has a window");
    assertTrue(
        pacer.now <= 90 * S + Nemesis.POLL.toNanos(), "stops at the end of the load: " + pacer.now);
    for (NemesisTarget t : targets) {
      long pid = t.pid();
      assertTrue(
          processes.running(pid), t.name() + "'s pid file names a running process at the end");
      int i = Integer.parseInt(t.name().substring("node-".length()));
      assertEquals(
          List.of(
              "java",
              "-Xmx1g",
              "-jar",
              "ringstore-node.jar",
              "--data-dir",
              "./data/cluster/node-" + i),
          processes.commandLines.get(pid),
          t.name() + " runs its original command line");
      assertEquals(
          Path.of("/home/user/ringstore"),
          processes.cwds.get(pid),
          t.name() + " in its original directory");
    }
    assertEquals(
        3,
        processes.state.values().stream().filter("running"::equals).count(),
        "3 nodes run at the end, " + "none stopped: " + processes.state);
    assertTrue(
        events.stream()
            .filter(e -> e.what().equals("start"))
            .allMatch(e -> e.log().equals(target(e.node()).logFile())),
        "restarts append to the node's log: " + events);
  }

  @Test
  void theSameSeedGivesTheSameFaults() throws IOException {
    record Run(long seed) {
      List<FakeMarks.Window> windows(Path dir) throws IOException {
        NemesisTest test = new NemesisTest();
        test.dir = Files.createDirectories(dir.resolve("seed-" + seed + "-" + System.nanoTime()));
        test.localCluster();
        test.nemesis(List.of(Nemesis.Kind.KILL, Nemesis.Kind.PAUSE), seed)
            .run(Duration.ofSeconds(60));
        return test.marks.windows;
      }
    }
    List<FakeMarks.Window> first = new Run(11).windows(dir);
    assertEquals(first, new Run(11).windows(dir), "the same seed, the same windows");
    assertNotEquals(first, new Run(12).windows(dir), "another seed, other windows");
  }

  @Test
  void everyNodeIsAVictimSometimesNode1Included() {
    nemesis(List.of(Nemesis.Kind.KILL, Nemesis.Kind.PAUSE), 7).run(Duration.ofMinutes(10));
    assertEquals(
        List.of("node-1", "node-2", "node-3"),
        marks.windows.stream()
            .map(w -> w.name().substring(w.name().indexOf(' ') + 1))
            .distinct()
            .sorted()
            .toList(),
        "victims");
  }

  @ParameterizedTest
  @EnumSource(Nemesis.Kind.class)
  void healAllMidFaultHealsTheVictimOnceAndStopsTheNemesis(Nemesis.Kind kind) throws IOException {
    Nemesis nemesis = nemesis(List.of(kind), 3);
    pacer.onSleep =
        n -> {
          if (n == 2) { // the first fault's down time: as a Ctrl-C would, from another thread
            nemesis.healAll();
          }
        };
    nemesis.run(Duration.ofSeconds(90));
    assertEquals(List.of(), nemesis.errors(), "no error");
    assertEquals(1, nemesis.faults(), "no fault after healAll");
    assertEquals(1, marks.windows.size(), "one window, closed once: " + marks.windows);
    List<String> what = processes.events.stream().map(FakeProcesses.Event::what).toList();
    assertEquals(
        kind == Nemesis.Kind.KILL ? List.of("kill", "start") : List.of("pause", "resume"),
        what,
        "broken once, healed once");
    for (NemesisTarget t : targets) {
      assertTrue(processes.running(t.pid()), t.name() + " runs");
    }
  }

  @Test
  void aFailedKillIsAnErrorAndNothingIsLeftBroken() throws IOException {
    processes.failKill = true;
    Nemesis nemesis = nemesis(List.of(Nemesis.Kind.KILL), 5);
    nemesis.run(Duration.ofSeconds(90));
    assertEquals(
        2, nemesis.errors().size(), "the kill, and the restart refused: " + nemesis.errors());
    assertTrue(nemesis.errors().get(0).contains("kill refused"), nemesis.errors().get(0));
    assertTrue(
        nemesis.errors().get(1).contains("still runs 10 s after kill -9: not restarted"),
        nemesis.errors().get(1));
    assertEquals(1, marks.windows.size(), "its window closed: " + marks.windows);
    assertTrue(
        processes.events.stream().noneMatch(e -> e.what().equals("start")),
        "no second process started");
    assertEquals(3, processes.state.values().stream().filter("running"::equals).count(), "all run");
    assertTrue(log.stream().anyMatch(l -> l.startsWith("ERROR ")), "errors are logged: " + log);
  }

  @Test
  void noFaultBeforeEveryNodeIsReady() {
    Nemesis nemesis =
        new Nemesis(
            targets,
            new Nemesis.Settings(
                List.of(Nemesis.Kind.PAUSE),
                Nemesis.Settings.DEFAULT_INTERVAL,
                Nemesis.Settings.DEFAULT_DOWN,
                1),
            processes,
            endpoint -> !endpoint.equals(target("node-3").endpoint()) || pacer.now >= 30 * S,
            marks,
            pacer,
            log::add);
    nemesis.run(Duration.ofSeconds(60));
    assertEquals(List.of(), nemesis.errors(), "no error");
    assertTrue(
        marks.windows.get(0).start() >= 30 * S,
        "the first fault once node-3 is ready: " + marks.windows);
    assertTrue(
        log.contains("waiting for node-3 to be ready before the next fault"),
        "said why it waits: " + log);
  }

  @Test
  void aClusterThatIsNotReadyGetsNoFault() {
    Nemesis nemesis =
        new Nemesis(
            targets,
            new Nemesis.Settings(
                List.of(Nemesis.Kind.PAUSE),
                Nemesis.Settings.DEFAULT_INTERVAL,
                Nemesis.Settings.DEFAULT_DOWN,
                1),
            processes,
            endpoint -> !endpoint.equals(target("node-2").endpoint()),
            marks,
            pacer,
            log::add);
    nemesis.run(Duration.ofMinutes(10));
    assertEquals(0, nemesis.faults(), "no fault");
    assertEquals(List.of(), marks.windows, "no window");
    assertEquals(1, nemesis.errors().size(), "one error: " + nemesis.errors());
    assertTrue(
        nemesis
            .errors()
            .get(0)
            .startsWith("node-2 was not ready for 120 s before a fault; no more faults"),
        nemesis.errors().get(0));
  }

  @Test
  void aNodeThatDoesNotComeBackStopsTheNemesis() throws IOException {
    Nemesis nemesis =
        new Nemesis(
            targets,
            new Nemesis.Settings(
                List.of(Nemesis.Kind.PAUSE),
                Nemesis.Settings.DEFAULT_INTERVAL,
                Nemesis.Settings.DEFAULT_DOWN,
                1),
            processes,
            endpoint ->
                processes.events.stream()
                    .noneMatch(e -> target(e.node()).endpoint().equals(endpoint)),
            marks,
            pacer,
            log::add); // a node once broken never answers ready again
    nemesis.run(Duration.ofMinutes(10));
    assertEquals(1, nemesis.faults(), "no fault after that");
    assertEquals(1, nemesis.errors().size(), "one error: " + nemesis.errors());
    assertTrue(
        nemesis
            .errors()
            .get(0)
            .matches(
                "node-\\d was not ready 120 s after its SIGCONT; no more faults "
                    + "\\(see .*node-\\d\\.log\\)"),
        nemesis.errors().get(0));
    FakeMarks.Window w = marks.windows.get(0);
    assertTrue(
        w.end() - w.start() >= Nemesis.READY_TIMEOUT.toNanos(),
        "the window lasted while it was not ready");
  }

  private NemesisTarget target(String name) {
    return targets.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  /** A clock that moves only when slept on. */
  static final class FakePacer implements Nemesis.Pacer {
    long now;
    int sleeps;
    IntConsumer onSleep = n -> {};

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleep(Duration duration) {
      now += duration.toNanos();
      onSleep.accept(++sleeps);
    }
  }

  /** Records the windows; fails on a window opened while another is open (one fault at a time). */
  final class FakeMarks implements Nemesis.Marks {
    record Window(String name, String node, long start, long end) {}

    final List<Window> windows = new ArrayList<>();
    private Window open;

    @Override
    public void markFault(String name, String node) {
      assertEquals(null, open, "one window at a time");
      open = new Window(name, node, pacer.now, -1);
    }

    @Override
    public void endFault() {
      assertNotEquals(null, open, "a window is open");
      windows.add(new Window(open.name(), open.node(), open.start(), pacer.now));
      open = null;
    }
  }

  /** Processes in a map: running, stopped or dead. */
  final class FakeProcesses implements ProcessControl {
    record Event(String what, String node, long at, Path log) {}

    final Map<Long, String> state = new HashMap<>();
    final Map<Long, List<String>> commandLines = new HashMap<>();
    final Map<Long, Path> cwds = new HashMap<>();
    final Map<Long, Long> startedAt = new HashMap<>();
    final List<Event> events = new ArrayList<>();
    boolean failKill;
    private long nextPid = 200;

    void add(long pid, List<String> commandLine, Path cwd) {
      state.put(pid, "running");
      commandLines.put(pid, commandLine);
      cwds.put(pid, cwd);
      startedAt.put(pid, -STARTUP.toNanos());
    }

    boolean running(long pid) {
      return "running".equals(state.get(pid));
    }

    private String node(long pid) {
      String dataDir = commandLines.get(pid).get(commandLines.get(pid).size() - 1);
      return dataDir.substring(dataDir.lastIndexOf('/') + 1);
    }

    private void change(long pid, Predicate<String> from, String to, String what)
        throws IOException {
      if (!from.test(state.get(pid))) {
        throw new IOException(what + " " + pid + ": it is " + state.get(pid));
      }
      state.put(pid, to);
      events.add(new Event(what, node(pid), pacer.now, null));
    }

    @Override
    public ProcessInfo inspect(long pid) throws IOException {
      if (!isAlive(pid)) {
        throw new IOException("no process " + pid);
      }
      return new ProcessInfo(pid, commandLines.get(pid), cwds.get(pid));
    }

    @Override
    public boolean isAlive(long pid) {
      return "running".equals(state.get(pid)) || "stopped".equals(state.get(pid));
    }

    @Override
    public void kill(long pid) throws IOException {
      if (failKill) {
        throw new IOException("kill refused");
      }
      change(pid, s -> s != null && !s.equals("dead"), "dead", "kill");
    }

    @Override
    public void pause(long pid) throws IOException {
      change(pid, "running"::equals, "stopped", "pause");
    }

    @Override
    public void resume(long pid) throws IOException {
      change(pid, "stopped"::equals, "running", "resume");
    }

    @Override
    public long start(ProcessInfo previous, Path log) {
      long pid = nextPid++;
      add(pid, previous.commandLine(), previous.cwd());
      startedAt.put(pid, pacer.now);
      events.add(new Event("start", node(pid), pacer.now, log));
      return pid;
    }
  }
}
