package io.ringstore.check;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Nemesis} does to a node's process: look at it, signal it, start it again. The real
 * one is {@link LocalProcessControl} (Linux: {@code /proc}, {@code kill}); tests of the nemesis use
 * a fake.
 */
interface ProcessControl {

  /**
   * A running process as the nemesis found it before breaking it: enough to start it again exactly.
   *
   * @param pid its process id
   * @param commandLine its argv, as in {@code /proc/PID/cmdline}
   * @param cwd its working directory (its command line may hold paths relative to it)
   */
  record ProcessInfo(long pid, List<String> commandLine, Path cwd) {
    public ProcessInfo {
      commandLine = List.copyOf(commandLine);
      Objects.requireNonNull(cwd, "cwd");
      if (commandLine.isEmpty()) {
        throw new IllegalArgumentException("pid " + pid + " has an empty command line");
      }
    }
  }

  /**
   * The command line and working directory of running process {@code pid}; fails if it is not
   * running.
   */
  ProcessInfo inspect(long pid) throws IOException;

  /** Whether {@code pid} is running (a zombie is not; a stopped process is). */
  boolean isAlive(long pid);

  /** {@code kill -9}. */
  void kill(long pid) throws IOException;

  /** {@code kill -STOP}. */
  void pause(long pid) throws IOException;

  /** {@code kill -CONT}. */
  void resume(long pid) throws IOException;

  /**
   * Starts {@code previous}'s command line again in its working directory, detached (its own
   * session, stdin from {@code /dev/null}), with its output and errors appended to {@code log};
   * returns the new pid.
   */
  long start(ProcessInfo previous, Path log) throws IOException;
}
