package io.ringstore.multijvm;

import static io.ringstore.multijvm.FaultCluster.put204;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN invariant 8 with real node JVMs on a 3-node cluster (N=3, W=2): a damaged file is never
 * silent. One node is killed with kill -9 three times and one of its files damaged each time: a
 * flipped byte in the middle of its RocksDB write-ahead log, a flipped byte in a table file, 16 KiB
 * of noise over the hint journal's headers. Each time its start is refused (exit status 4, the file
 * and {@code --repair} named, nothing served), and {@code --repair} starts it: logged at ERROR,
 * counted in {@code /metrics}, and by the time it reports ready its replica of every written key
 * holds the value again (brought back from the other replicas). Before this, the node started with
 * the damage and reported ready, having silently dropped the acknowledged writes after the flipped
 * byte.
 */
class DamagedFilesIT {
  private static final Duration EXIT = Duration.ofSeconds(60);
  private static final int KEYS = 150;

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 420)
  void damagedFilesStopTheStartAndRepairBringsThePartitionsBack() throws IOException {
    FaultCluster faults = FaultCluster.start(cluster, tmp, 3);
    NodeProcess coordinator = faults.node(1);
    NodeProcess victim = faults.node(3);
    String[] options = {
      "--config", tmp.resolve("faults.conf").toString(), "--seed", coordinator.clusterAddress()
    };

    Map<String, String> expected = new LinkedHashMap<>();
    for (int i = 0; i < KEYS; i++) {
      String key = "damaged-" + i;
      String value = "value " + i + " " + "v".repeat(300);
      put204(coordinator, key, value, "w=all", null);
      expected.put(key, value);
    }
    expected.forEach((key, value) -> faults.assertReplicaHolds(coordinator, victim, key, value));
    Path rocksdb = victim.dataDir().resolve("rocksdb");

    // 1. a flipped byte in the middle of the write-ahead log
    victim.kill9();
    Path wal = largest(rocksdb, ".log");
    flipByte(wal, Files.size(wal) / 2);
    refusedNaming(victim, options, "RocksDB write-ahead log", wal);
    repaired(victim, options, "rocksdb-wal", "repaired the damaged RocksDB write-ahead log");
    expected.forEach((key, value) -> faults.assertReplicaHolds(victim, victim, key, value));

    // 2. a flipped byte in a table file (the repair's replay flushed one)
    victim.kill9();
    Path sst = largest(rocksdb, ".sst");
    flipByte(sst, Files.size(sst) / 3);
    refusedNaming(victim, options, "RocksDB table file (SST)", sst);
    repaired(victim, options, "rocksdb-sst", "repaired the damaged RocksDB table file (SST)");
    expected.forEach((key, value) -> faults.assertReplicaHolds(victim, victim, key, value));

    // 3. noise over the hint journal's headers
    victim.kill9();
    Path journal = victim.dataDir().resolve("hints/journal.mv.db");
    byte[] noise = new byte[16 * 1024];
    new Random(15).nextBytes(noise);
    try (RandomAccessFile raf = new RandomAccessFile(journal.toFile(), "rw")) {
      raf.write(noise);
    }
    refusedNaming(victim, options, "hint journal", journal);
    repaired(victim, options, "hint-journal", "repaired the damaged hint journal");
    NodeHttp.Response hints = victim.http().get("/admin/hints");
    assertEquals(200, hints.status(), () -> "hinted handoff runs after the repair: " + hints);
  }

  private static void refusedNaming(NodeProcess node, String[] options, String part, Path file) {
    long offset = logSize(node);
    node.start(options);
    int status = node.awaitExitStatus(EXIT);
    String log = logSince(node, offset);
    assertEquals(4, status, () -> "exit status of a start on a damaged " + part + "\n" + log);
    assertTrue(
        log.contains("refusing to start: the " + part + " ")
            && log.contains(file.getFileName().toString()),
        () -> "the message names the " + part + " " + file + "\n" + log);
    assertTrue(
        log.contains("At risk: ")
            && log.lines()
                .anyMatch(l -> l.startsWith("    bin/ringstore start ") && l.endsWith(" --repair")),
        () -> "the message says what is at risk and the command\n" + log);
    assertTrue(
        !log.contains("HTTP gateway") && !log.contains("Cluster Node ["),
        () -> "nothing started\n" + log);
  }

  private static void repaired(NodeProcess node, String[] options, String part, String logged) {
    long offset = logSize(node);
    String[] withRepair =
        Stream.concat(Stream.of(options), Stream.of("--repair")).toArray(String[]::new);
    node.start(withRepair).awaitReady(FaultCluster.READY);
    String log = logSince(node, offset);
    assertTrue(
        log.lines().anyMatch(l -> l.contains("ERROR") && l.contains(logged)),
        () -> "the repair is logged at ERROR: " + logged + "\n" + log);
    String metrics = node.http().get("/metrics").text();
    assertTrue(
        metrics.contains("ringstore_storage_repairs_total{part=\"" + part + "\"} 1"),
        () -> "the repair is counted\n" + metrics);
  }

  private static Path largest(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(suffix))
          .max(Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow(() -> new AssertionError("no " + suffix + " file in " + dir));
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0x5a);
    }
  }

  private static long logSize(NodeProcess node) {
    return node.logFile().toFile().length();
  }

  private static String logSince(NodeProcess node, long offset) {
    try {
      byte[] all = Files.readAllBytes(node.logFile());
      return new String(
          all,
          (int) Math.min(offset, all.length),
          (int) Math.max(0, all.length - offset),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
