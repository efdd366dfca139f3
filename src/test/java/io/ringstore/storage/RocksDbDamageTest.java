package io.ringstore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN invariant 8 for RocksDB: a flipped byte in the middle of the write-ahead log or in a table
 * file stops the open with a {@link DamagedFileException} naming the file (RocksDB's default
 * point-in-time recovery silently dropped every later write); a torn last record is recovered
 * quietly; {@link RocksDbRecovery#repair} moves the damage aside and leaves a database that opens.
 */
class RocksDbDamageTest {
  private static final int KEYS = 300;

  @TempDir Path tmp;

  private RocksDbSettings settings() {
    return RocksDbSettings.defaults(tmp.resolve("rocksdb"));
  }

  private void writeKeys(boolean flush) {
    try (RocksDbStorage storage = RocksDbStorage.open(settings())) {
      for (int i = 0; i < KEYS; i++) {
        storage.put(i % 8, key(i), value(i));
      }
      if (flush) {
        storage.flush();
      }
    }
  }

  private static byte[] key(int i) {
    return ("key-" + i).getBytes(UTF_8);
  }

  private static byte[] value(int i) {
    return ("value " + i + " " + "x".repeat(200)).getBytes(UTF_8);
  }

  private long keysPresent() {
    try (RocksDbStorage storage = RocksDbStorage.open(settings())) {
      long n = 0;
      for (int i = 0; i < KEYS; i++) {
        n += storage.get(i % 8, key(i)).isPresent() ? 1 : 0;
      }
      return n;
    }
  }

  private Path onlyFile(String suffix) throws IOException {
    try (Stream<Path> files = Files.list(settings().directory())) {
      List<Path> matching = files.filter(p -> p.toString().endsWith(suffix)).toList();
      assertEquals(1, matching.size(), () -> "one " + suffix + " file: " + matching);
      return matching.get(0);
    }
  }

  static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0x5a);
    }
  }

  @Test
  void aFlippedByteInTheMiddleOfTheLogStopsTheOpenNamingTheLog() throws IOException {
    writeKeys(false);
    Path log = onlyFile(".log");
    flipByte(log, Files.size(log) / 2);

    DamagedFileException e =
        assertThrows(DamagedFileException.class, () -> RocksDbRecovery.check(settings()));
    assertEquals(DamagedFileException.Part.ROCKSDB_WAL, e.part(), e::getMessage);
    assertEquals(log.getFileName(), e.file().getFileName(), e::getMessage);
    // the open refused: the log is still there, nothing was dropped
    assertTrue(Files.exists(log), "the damaged log is left in place");
  }

  @Test
  void aTornLastRecordIsRecoveredQuietly() throws IOException {
    writeKeys(false);
    Path log = onlyFile(".log");
    try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw")) {
      raf.setLength(raf.length() - 20); // a crash in the middle of the last write
    }
    RocksDbRecovery.check(settings());
    assertEquals(KEYS - 1, keysPresent(), "every record but the torn last one");
  }

  @Test
  void aFlippedByteInATableFileFailsTheCheckNamingTheFile() throws IOException {
    writeKeys(true);
    Path sst = onlyFile(".sst");
    flipByte(sst, Files.size(sst) / 3);

    DamagedFileException e =
        assertThrows(DamagedFileException.class, () -> RocksDbRecovery.check(settings()));
    assertEquals(DamagedFileException.Part.ROCKSDB_SST, e.part(), e::getMessage);
    assertEquals(sst.getFileName(), e.file().getFileName(), e::getMessage);
  }

  @Test
  void repairOfADamagedLogKeepsTheReadableRecordsAndACopy() throws IOException {
    writeKeys(false);
    Path log = onlyFile(".log");
    flipByte(log, Files.size(log) / 2);
    Path damaged = tmp.resolve("damaged-1");

    List<DamageRepair> repairs = RocksDbRecovery.repair(settings(), damaged);
    assertEquals(1, repairs.size(), repairs::toString);
    assertEquals(DamagedFileException.Part.ROCKSDB_WAL, repairs.get(0).part());
    assertTrue(
        Files.exists(damaged.resolve("rocksdb-wal").resolve(log.getFileName())),
        "a copy of the log");
    assertTrue(repairs.get(0).dropped().contains("dropping"), repairs.get(0)::dropped);

    RocksDbRecovery.check(settings());
    long present = keysPresent();
    assertTrue(present > KEYS / 3 && present < KEYS, "the readable records are kept: " + present);
    assertTrue(
        RocksDbRecovery.repair(settings(), tmp.resolve("damaged-2")).isEmpty(),
        "nothing left to repair");
  }

  @Test
  void repairOfADamagedTableFileMovesTheDatabaseAside() throws IOException {
    writeKeys(true);
    Path sst = onlyFile(".sst");
    flipByte(sst, Files.size(sst) / 3);
    Path damaged = tmp.resolve("damaged-1");

    List<DamageRepair> repairs = RocksDbRecovery.repair(settings(), damaged);
    assertEquals(1, repairs.size(), repairs::toString);
    assertEquals(DamagedFileException.Part.ROCKSDB_SST, repairs.get(0).part());
    assertTrue(
        Files.exists(damaged.resolve("rocksdb").resolve(sst.getFileName())),
        "the damaged file is kept");
    assertFalse(Files.exists(sst), "and gone from the database");

    RocksDbRecovery.check(settings());
    assertEquals(0, keysPresent(), "an empty database, refilled from the replicas");
  }
}
