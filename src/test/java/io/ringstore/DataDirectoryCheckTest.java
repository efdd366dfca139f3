package io.ringstore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.ringstore.cluster.NodeUid;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.replica.ReplicaId;
import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import io.ringstore.storage.DamageRepair;
import io.ringstore.storage.DamagedFileException;
import io.ringstore.storage.RocksDbStorage;
import io.ringstore.transfer.TransferTracker;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up check of a data directory (DESIGN invariant 8): {@code --repair} reaches the
 * setting; a damaged write-ahead log stops the start with a message naming the file, what is at
 * risk and the command; the repair moves it aside and retires the node uid; a repaired node is
 * ready only once every partition it replicates has synced.
 */
class DataDirectoryCheckTest {
  @TempDir Path tmp;

  private Config config(String... extra) {
    String[] args =
        Stream.concat(Stream.of("--data-dir", tmp.toString()), Stream.of(extra))
            .toArray(String[]::new);
    return NodeConfig.load(LaunchOptions.parse(args));
  }

  @Test
  void theRepairFlagReachesTheSetting() {
    assertFalse(config().getBoolean("ringstore.storage.repair-damaged-files"));
    assertTrue(config("--repair").getBoolean("ringstore.storage.repair-damaged-files"));
    assertTrue(LaunchOptions.USAGE.contains("--repair"), "the usage names the flag");
  }

  @Test
  void aDamagedLogStopsTheStartAndRepairMovesItAside() throws Exception {
    Config config = config();
    RingstoreSettings settings = RingstoreSettings.fromConfig(config);
    String uid = NodeUid.loadOrCreate(tmp);
    try (RocksDbStorage storage = RocksDbStorage.open(RingstoreNode.rocksDbSettings(settings))) {
      for (int i = 0; i < 300; i++) {
        storage.put(
            i % 4, ("k" + i).getBytes(UTF_8), ("value " + i + "x".repeat(200)).getBytes(UTF_8));
      }
    }
    Path log;
    try (Stream<Path> files = Files.list(tmp.resolve("rocksdb"))) {
      log = files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
    }
    try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw")) {
      raf.seek(raf.length() / 2);
      int b = raf.read();
      raf.seek(raf.length() / 2);
      raf.write(b ^ 0xff);
    }

    DamagedFileException e =
        assertThrows(
            DamagedFileException.class, () -> DataDirectoryCheck.run(config, settings, false));
    String message =
        DataDirectoryCheck.refusal(
            e, new String[] {"--data-dir", tmp.toString(), "--config", "my conf"});
    assertTrue(
        message.startsWith(
            "refusing to start: the RocksDB write-ahead log " + log.toAbsolutePath()),
        message);
    assertTrue(
        message.contains("At risk: the writes this node stored after the damaged record"), message);
    assertTrue(
        message.endsWith(
            "    bin/ringstore start --data-dir " + tmp + " --config 'my conf' --repair"),
        message);

    DamageRepair.Report report = DataDirectoryCheck.run(config, settings, true);
    assertEquals(1, report.count(DamagedFileException.Part.ROCKSDB_WAL), report::toString);
    assertTrue(report.storageLostData());
    assertNotEquals(
        uid, NodeUid.loadOrCreate(tmp), "a repaired node never reuses its old uid's counters");
    assertTrue(DataDirectoryCheck.run(config, settings, false).isEmpty(), "sound after the repair");
  }

  @Test
  void aRepairedNodeIsReadyOnceEveryPartitionItReplicatesHasSynced() {
    Ring ring = Ring.of(new RingConfig(8, 4, 2), List.of("a:1", "b:1", "c:1"));
    TransferTracker tracker = new TransferTracker("a:1");
    assertFalse(RingstoreNode.partitionsSynced(ring, "a:1", tracker.all()), "nothing synced yet");
    List<Integer> mine = new ArrayList<>();
    for (int p = 0; p < 8; p++) {
      if (ring.isReplica(p, "a:1")) {
        mine.add(p);
      }
    }
    for (int p : mine) {
      assertFalse(
          RingstoreNode.partitionsSynced(ring, "a:1", tracker.all()),
          "partition " + p + " not yet");
      ReplicaId id = new ReplicaId(p, ring.replicas(p).indexOf("a:1"));
      tracker.begin(id, 0);
      tracker.syncing(id, null, 1);
      assertFalse(
          RingstoreNode.partitionsSynced(ring, "a:1", tracker.all()), "syncing is not synced");
      tracker.done(id, 2);
    }
    assertTrue(
        RingstoreNode.partitionsSynced(ring, "a:1", tracker.all()), "every partition synced");
    assertTrue(
        RingstoreNode.partitionsSynced(
            Ring.of(new RingConfig(8, 4, 1), List.of("a:1")), "a:1", List.of()),
        "alone, there is nobody to sync with");
    assertFalse(RingstoreNode.partitionsSynced(ring, "d:1", List.of()), "not a member yet");
  }
}
