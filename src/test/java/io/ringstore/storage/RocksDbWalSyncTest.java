package io.ringstore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.storage.RocksDbSettings.WalSync;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ringstore.storage.sync} does to the write-ahead log, observed through RocksDB's own
 * count of WAL fsyncs ({@code WAL_FILE_SYNCED}): per-write fsyncs before each write returns,
 * periodic fsyncs on its schedule and not per write, off never; closing stops the periodic fsync.
 */
class RocksDbWalSyncTest {

  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir Path tempDir;

  private RocksDbStorage open(String name, WalSync mode, Duration interval) {
    return RocksDbStorage.open(
        RocksDbSettings.defaults(tempDir.resolve(name))
            .withWalSync(mode)
            .withWalSyncInterval(interval));
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void perWriteFsyncsTheLogBeforeEveryDefaultWriteReturns() {
    try (RocksDbStorage storage = open("per-write", WalSync.PER_WRITE, HOUR)) {
      long before = storage.walSyncs();
      for (int i = 0; i < 20; i++) {
        storage.put(1, b("k" + i), b("v"));
        assertEquals(before + i + 1, storage.walSyncs(), "write " + i + " was fsynced on return");
      }
      storage.delete(1, b("k0"));
      assertEquals(before + 21, storage.walSyncs(), "a delete is fsynced too");
      storage.dropPartition(1);
      assertEquals(before + 22, storage.walSyncs(), "and a partition drop");
      assertTrue(storage.walSyncerStopped(), "per-write runs no periodic fsync");
      assertEquals(storage.walSyncs(), storage.statistics().get("wal_syncs_total"));
    }
  }

  @Test
  void offAndPeriodicDoNotFsyncWritesOneByOne() {
    for (WalSync mode : new WalSync[] {WalSync.OFF, WalSync.PERIODIC}) {
      try (RocksDbStorage storage = open(mode.configName(), mode, HOUR)) {
        long before = storage.walSyncs();
        for (int i = 0; i < 20; i++) {
          storage.put(1, b("k" + i), b("v"));
        }
        storage.delete(1, b("k0"));
        assertEquals(before, storage.walSyncs(), mode + ": no write fsyncs the log");
        storage.put(1, b("urgent"), b("v"), true);
        assertEquals(
            before + 1, storage.walSyncs(), mode + ": a write that asks for it is fsynced");
        assertEquals(
            mode == WalSync.OFF,
            storage.walSyncerStopped(),
            mode + ": only periodic runs a background fsync");
      }
    }
  }

  @Test
  void periodicFsyncsTheLogOnItsSchedule() {
    try (RocksDbStorage storage = open("periodic", WalSync.PERIODIC, Duration.ofMillis(20))) {
      storage.put(1, b("k"), b("v"));
      long before = storage.walSyncs();
      // nothing is written meanwhile: every fsync counted is the schedule's
      await(() -> storage.walSyncs() >= before + 5, "five periodic fsyncs of the write-ahead log");
      assertEquals(storage.walSyncs(), storage.statistics().get("wal_syncs_total"));
    }
  }

  @Test
  void closeStopsThePeriodicFsyncAndKeepsWhatWasWritten() {
    RocksDbSettings settings =
        RocksDbSettings.defaults(tempDir.resolve("db"))
            .withWalSync(WalSync.PERIODIC)
            .withWalSyncInterval(Duration.ofMillis(1));
    // closing while the 1 ms schedule is running: a sync after close would use freed native handles
    for (int round = 0; round < 10; round++) {
      RocksDbStorage storage = RocksDbStorage.open(settings);
      storage.put(1, b("k" + round), b("v" + round));
      long before = storage.walSyncs();
      await(() -> storage.walSyncs() > before, "a periodic fsync");
      assertFalse(storage.walSyncerStopped(), "the schedule runs while the storage is open");
      storage.close();
      assertTrue(storage.walSyncerStopped(), "close stopped the schedule for good");
      assertThrows(IllegalStateException.class, storage::walSyncs);
      assertThrows(IllegalStateException.class, storage::syncWal);
      storage.close(); // idempotent
    }
    assertFalse(
        Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals("ringstore-wal-sync-db") && t.isAlive()),
        "no fsync thread is left");
    try (RocksDbStorage storage = RocksDbStorage.open(settings.withWalSync(WalSync.OFF))) {
      for (int round = 0; round < 10; round++) {
        assertArrayEquals(b("v" + round), storage.get(1, b("k" + round)).orElseThrow());
      }
    }
  }

  @Test
  void anExplicitSyncWorksInEveryMode() {
    for (WalSync mode : WalSync.values()) {
      try (RocksDbStorage storage = open("explicit-" + mode.configName(), mode, HOUR)) {
        storage.put(1, b("k"), b("v"), false);
        long before = storage.walSyncs();
        storage.syncWal();
        assertEquals(before + 1, storage.walSyncs(), mode + ": syncWal fsyncs the log");
      }
    }
  }

  /** Polls {@code condition} for at most {@link #DEADLINE}. */
  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "within " + DEADLINE.toSeconds() + " s: " + what);
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }
}
