package io.ringstore.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.ring.KeyHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * "Ready means writable" (issue 16): a cold {@code bin/ringstore cluster start 3} (conf/local-
 * cluster.conf: N=3, R=W=2), and the moment the launcher returns a burst of 300 PUTs at the default
 * W, 16 at a time, spread over the three nodes, to distinct keys covering all 64 partitions: every
 * one is acknowledged ({@code 204}). Before the readiness probe, 5-15 of them answered {@code 503
 * (timed out after 2000 ms)} in most runs. The launcher's nodes, logs and data are in {@code
 * target/multi-jvm-logs/ClusterStartWritesIT/<test>/cluster} and stopped with {@code cluster stop}
 * after the test (killed if that fails).
 */
class ClusterStartWritesIT {
  private static final int NODES = 3;
  private static final int PARTITIONS = 64;
  private static final int PUTS = 300;
  private static final int CONCURRENCY = 16;
  private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(180);

  private final Path home =
      Path.of(System.getProperty("ringstore.home", System.getProperty("user.dir")))
          .toAbsolutePath()
          .normalize();
  private Path clusterDir;

  @Test
  @Timeout(value = 300)
  void everyWriteOfABurstRightAfterClusterStartIsAcknowledged(TestInfo test) throws Exception {
    Path dir =
        home.resolve("target/multi-jvm-logs/ClusterStartWritesIT")
            .resolve(test.getTestMethod().orElseThrow().getName());
    deleteRecursively(dir);
    Files.createDirectories(dir);
    clusterDir = dir.resolve("cluster");
    int baseHttp = freeBlock(NODES);
    int baseCluster = freeBlock(NODES);

    Process launcher =
        launcher(
                dir.resolve("launcher.log"),
                "cluster",
                "start",
                String.valueOf(NODES),
                "--base-http-port",
                String.valueOf(baseHttp),
                "--base-cluster-port",
                String.valueOf(baseCluster))
            .start();
    assertTrue(
        launcher.waitFor(LAUNCH_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
        "cluster start returned within " + LAUNCH_TIMEOUT.toSeconds() + " s");
    assertEquals(
        0, launcher.exitValue(), () -> "cluster start succeeded:\n" + log(dir, "launcher.log"));

    System.out.println("[ClusterStartWritesIT] cluster start returned at " + Instant.now());
    List<NodeHttp> nodes = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      nodes.add(new NodeHttp("127.0.0.1", baseHttp + i));
    }
    List<String> keys = keysCoveringEveryPartition(PUTS);
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
    List<Future<NodeHttp.Response>> answers = new ArrayList<>();
    try {
      for (int i = 0; i < keys.size(); i++) {
        NodeHttp node = nodes.get(i % NODES);
        String key = keys.get(i);
        answers.add(
            pool.submit(
                () ->
                    node.put("/kv/" + key, ("value of " + key).getBytes(StandardCharsets.UTF_8))));
      }
      List<String> failures = new ArrayList<>();
      for (int i = 0; i < answers.size(); i++) {
        NodeHttp.Response answer = answers.get(i).get(60, TimeUnit.SECONDS);
        if (answer.status() != 204) {
          failures.add(
              keys.get(i)
                  + " (partition "
                  + KeyHash.partitionOf(keys.get(i), PARTITIONS)
                  + ") via node-"
                  + (i % NODES + 1)
                  + ": "
                  + answer);
        }
      }
      System.out.println(
          "[ClusterStartWritesIT] burst done at "
              + Instant.now()
              + ": "
              + failures.size()
              + " of "
              + PUTS
              + " not acknowledged");
      assertEquals(
          List.of(),
          failures,
          failures.size() + " of " + PUTS + " writes right after cluster start not acknowledged");
    } finally {
      pool.shutdownNow();
    }
  }

  @AfterEach
  void stopTheCluster() throws Exception {
    if (clusterDir == null || !Files.isDirectory(clusterDir)) {
      return;
    }
    Process stop = launcher(clusterDir.resolveSibling("stop.log"), "cluster", "stop").start();
    if (!stop.waitFor(120, TimeUnit.SECONDS)) {
      stop.destroyForcibly();
    }
    try (Stream<Path> files = Files.list(clusterDir)) {
      for (Path pidFile : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  private ProcessBuilder launcher(Path log, String... args) {
    List<String> command = new ArrayList<>();
    command.add(home.resolve("bin/ringstore").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.put("RINGSTORE_CLUSTER_DIR", clusterDir.toString());
    env.put(
        "RINGSTORE_JAVA_OPTS",
        System.getProperty("ringstore.it.javaOpts", LocalCluster.DEFAULT_JAVA_OPTS));
    return builder;
  }

  /**
   * {@code count} distinct keys, every partition's first before any partition's second, and so on:
   * all 64 partitions are written.
   */
  static List<String> keysCoveringEveryPartition(int count) {
    int perPartition = (count + PARTITIONS - 1) / PARTITIONS;
    Map<Integer, List<String>> byPartition = new TreeMap<>();
    int filled = 0;
    for (long i = 0; filled < PARTITIONS; i++) {
      String key = "burst-" + i;
      List<String> bucket =
          byPartition.computeIfAbsent(KeyHash.partitionOf(key, PARTITIONS), p -> new ArrayList<>());
      if (bucket.size() < perPartition) {
        bucket.add(key);
        if (bucket.size() == perPartition) {
          filled++;
        }
      }
    }
    List<String> keys = new ArrayList<>(count);
    for (int round = 0; round < perPartition; round++) {
      for (List<String> bucket : byPartition.values()) {
        if (keys.size() < count) {
          keys.add(bucket.get(round));
        }
      }
    }
    return keys;
  }

  /** A base port with {@code size} consecutive ports free on 127.0.0.1 now. */
  private static int freeBlock(int size) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = LocalCluster.freePort();
      if (base + size > 65535) {
        continue;
      }
      boolean free = true;
      for (int i = 1; i < size && free; i++) {
        free = isFree(base + i);
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no " + size + " consecutive free ports");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String log(Path dir, String name) {
    try {
      return Files.readString(dir.resolve(name));
    } catch (IOException e) {
      return "(no " + name + ": " + e + ")";
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
