package io.ringstore.check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node of a local cluster started by {@code bin/ringstore cluster start}, as its files in the
 * cluster directory describe it: {@code node-i.pid} (its pid; the nemesis rewrites it after a
 * restart), {@code node-i.http} (its HTTP port on 127.0.0.1) and {@code node-i.log}.
 *
 * @param name {@code node-i}
 * @param endpoint its HTTP endpoint, {@code 127.0.0.1:PORT}
 */
record NemesisTarget(String name, String endpoint, Path pidFile, Path logFile) {
  private static final Pattern PID_FILE = Pattern.compile("node-(\\d{1,4})\\.pid");

  /** The pid in the pid file now. */
  long pid() throws IOException {
    String text = Files.readString(pidFile, StandardCharsets.UTF_8).trim();
    if (!text.matches("\\d{1,10}")) {
      throw new IOException(pidFile + " does not hold a pid: '" + text + "'");
    }
    return Long.parseLong(text);
  }

  /** Writes {@code pid} to the pid file, as {@code cluster start} does. */
  void pid(long pid) throws IOException {
    Files.writeString(pidFile, pid + "\n", StandardCharsets.UTF_8);
  }

  /**
   * The nodes of the local cluster in {@code clusterDir}, by number: one per {@code node-i.pid}
   * file, which needs its {@code node-i.http} beside it.
   *
   * @throws IOException when the directory cannot be read, holds no pid file, or a node has no
   *     readable HTTP port
   */
  static List<NemesisTarget> discover(Path clusterDir) throws IOException {
    if (!Files.isDirectory(clusterDir)) {
      throw new IOException(
          "no cluster directory "
              + clusterDir
              + " (start one with: bin/ringstore cluster start 3)");
    }
    List<Integer> numbers = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(clusterDir, "node-*.pid")) {
      for (Path file : files) {
        Matcher m = PID_FILE.matcher(file.getFileName().toString());
        if (m.matches()) {
          numbers.add(Integer.parseInt(m.group(1)));
        }
      }
    }
    if (numbers.isEmpty()) {
      throw new IOException(
          "no node-i.pid file in "
              + clusterDir
              + " (start a cluster with: bin/ringstore cluster "
              + "start 3, or give --cluster-dir)");
    }
    numbers.sort(Comparator.naturalOrder());
    List<NemesisTarget> targets = new ArrayList<>();
    for (int i : numbers) {
      Path http = clusterDir.resolve("node-" + i + ".http");
      String port =
          Files.isReadable(http) ? Files.readString(http, StandardCharsets.UTF_8).trim() : "";
      if (!port.matches("\\d{1,5}")) {
        throw new IOException("node-" + i + " has no HTTP port in " + http);
      }
      targets.add(
          new NemesisTarget(
              "node-" + i,
              "127.0.0.1:" + port,
              clusterDir.resolve("node-" + i + ".pid"),
              clusterDir.resolve("node-" + i + ".log")));
    }
    return List.copyOf(targets);
  }
}
