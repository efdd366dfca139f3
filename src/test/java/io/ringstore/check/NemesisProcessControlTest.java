package io.ringstore.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalProcessControl} on real processes ({@code sleep}, {@code sh}; Linux only): inspect,
 * pause, resume and kill one, watching its state in {@code /proc}, and start a command line again
 * in its directory with its output appended to a log, in a session of its own.
 */
@EnabledOnOs(OS.LINUX)
class NemesisProcessControlTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @TempDir Path dir;

  private final LocalProcessControl control = new LocalProcessControl();
  private final List<Long> started = new ArrayList<>();

  @AfterEach
  void killWhatWasStarted() {
    started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  @Test
  void inspectPauseResumeKill() throws Exception {
    Process sleep = new ProcessBuilder("sleep", "60").directory(dir.toFile()).start();
    long pid = sleep.pid();
    started.add(pid);

    ProcessControl.ProcessInfo info = control.inspect(pid);
    assertEquals(List.of("sleep", "60"), info.commandLine(), "argv from /proc/PID/cmdline");
    assertEquals(dir.toRealPath(), info.cwd(), "cwd from /proc/PID/cwd");
    assertTrue(control.isAlive(pid), "running");

    control.pause(pid);
    await(() -> LocalProcessControl.state(pid) == 'T', "stopped (T) after SIGSTOP");
    assertTrue(control.isAlive(pid), "a stopped process is alive");

    control.resume(pid);
    await(() -> LocalProcessControl.state(pid) != 'T', "running again after SIGCONT");

    control.kill(pid);
    await(() -> !control.isAlive(pid), "gone after kill -9");
    assertEquals(137, sleep.waitFor(), "killed by SIGKILL (128 + 9)");
    assertThrows(IOException.class, () -> control.inspect(pid), "nothing to inspect");
    assertThrows(IOException.class, () -> control.resume(pid), "no process to signal");
  }

  @Test
  void startRunsTheCommandLineAgainInItsDirectoryAppendingToTheLogInItsOwnSession()
      throws Exception {
    Path log = dir.resolve("node-1.log");
    Files.writeString(log, "the first run's output\n");
    Path cwd = Files.createDirectories(dir.resolve("work"));
    ProcessControl.ProcessInfo previous =
        new ProcessControl.ProcessInfo(
            1,
            List.of("sh", "-c", "echo started in $(pwd); echo to stderr >&2; exec sleep 60"),
            cwd);

    long pid = control.start(previous, log);
    started.add(pid);

    await(() -> read(log).contains("to stderr"), "output and errors appended to the log");
    assertEquals(
        "the first run's output\nstarted in " + cwd.toRealPath() + "\nto stderr\n",
        read(log),
        "appended after what was there");
    await(
        () -> inspect(pid).commandLine().equals(List.of("sleep", "60")),
        "the same pid runs the command");
    assertEquals(cwd.toRealPath(), control.inspect(pid).cwd(), "in the previous working directory");
    String procStat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] stat =
        procStat.substring(procStat.lastIndexOf(')') + 2).split(" "); // state ppid pgrp session
    assertEquals(Long.toString(pid), stat[3], "its own session (setsid): session id = its pid");
    assertNotEquals(
        Long.toString(ProcessHandle.current().pid()), stat[3], "not the check's session");
    control.kill(pid);
    await(() -> !control.isAlive(pid), "gone after kill -9");
    assertFalse(control.isAlive(pid), "dead");
  }

  private ProcessControl.ProcessInfo inspect(long pid) {
    try {
      return control.inspect(pid);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls {@code condition} for at most {@link #DEADLINE}. */
  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "within " + DEADLINE.toSeconds() + " s: " + what);
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }
}
