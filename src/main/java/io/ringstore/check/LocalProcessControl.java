package io.ringstore.check;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link ProcessControl} on Linux: reads {@code /proc/PID/cmdline}, {@code /proc/PID/cwd} and
 * {@code /proc/PID/stat}, signals with {@code kill}, and starts a process again under {@code
 * setsid} (when installed) so that it is not in the check's process group: a Ctrl-C on the check
 * does not reach it, and it keeps running after the check exits.
 */
final class LocalProcessControl implements ProcessControl {
  private static final Path PROC = Path.of("/proc");
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  private static final long SIGNAL_TIMEOUT_SECONDS = 10;

  @Override
  public ProcessInfo inspect(long pid) throws IOException {
    if (!isAlive(pid)) {
      throw new IOException("no running process with pid " + pid);
    }
    byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
    List<String> argv = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == 0) {
        argv.add(new String(raw, from, i - from, StandardCharsets.UTF_8));
        from = i + 1;
      }
    }
    if (from < raw.length) {
      argv.add(new String(raw, from, raw.length - from, StandardCharsets.UTF_8));
    }
    if (argv.isEmpty()) {
      throw new IOException("pid " + pid + " has no command line (a zombie or a kernel thread)");
    }
    Path cwd = Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("cwd"));
    return new ProcessInfo(pid, argv, cwd);
  }

  @Override
  public boolean isAlive(long pid) {
    char state = state(pid);
    return state != 0 && state != 'Z' && state != 'X';
  }

  @Override
  public void kill(long pid) throws IOException {
    signal(pid, "KILL");
  }

  @Override
  public void pause(long pid) throws IOException {
    signal(pid, "STOP");
  }

  @Override
  public void resume(long pid) throws IOException {
    signal(pid, "CONT");
  }

  @Override
  public long start(ProcessInfo previous, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      command.add(
          SETSID.toString()); // not a group leader (a child of this JVM): execs, keeping the pid
    }
    command.addAll(previous.commandLine());
    Process process =
        new ProcessBuilder(command)
            .directory(previous.cwd().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectErrorStream(true)
            .start();
    return process.pid();
  }

  /**
   * The state letter of {@code pid} in {@code /proc/PID/stat} ({@code R}, {@code S}, {@code T}
   * stopped, {@code Z} zombie, ...), or 0 when there is no such process.
   */
  static char state(long pid) {
    try {
      String stat =
          Files.readString(
              PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
      int close = stat.lastIndexOf(')'); // the command name may hold spaces and parentheses
      return close < 0 || close + 2 >= stat.length() ? 0 : stat.charAt(close + 2);
    } catch (IOException e) {
      return 0;
    }
  }

  private static void signal(long pid, String signal) throws IOException {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
            .redirectErrorStream(true)
            .start();
    // not interruptible: healing runs on an interrupted thread too, and must know whether it worked
    boolean interrupted = false;
    boolean finished = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SIGNAL_TIMEOUT_SECONDS);
    while (!finished && deadline - System.nanoTime() > 0) {
      try {
        finished = kill.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (!finished) {
      kill.destroyForcibly();
      throw new IOException("kill -" + signal + " " + pid + " did not finish");
    }
    if (kill.exitValue() != 0) {
      String output =
          new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      throw new IOException("kill -" + signal + " " + pid + " failed: " + output);
    }
  }
}
