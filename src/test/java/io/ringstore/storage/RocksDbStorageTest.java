package io.ringstore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rocksdb.RocksDBException;

/** RocksDB-specific behaviour: persistence across reopen, settings, open failures, lifecycle. */
class RocksDbStorageTest {

  @TempDir Path tempDir;

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void createsMissingDirectories() {
    Path dir = tempDir.resolve("a/b/c");
    try (RocksDbStorage storage = RocksDbStorage.open(RocksDbSettings.defaults(dir))) {
      storage.put(1, b("k"), b("v"));
      assertTrue(Files.isDirectory(dir));
      assertEquals(dir, storage.settings().directory());
    }
  }

  @Test
  void dataSurvivesCloseAndReopen() {
    RocksDbSettings settings = RocksDbSettings.defaults(tempDir.resolve("db"));
    try (RocksDbStorage storage = RocksDbStorage.open(settings)) {
      storage.put(1, b("kept"), b("v1"));
      storage.put(1, b("deleted"), b("x"));
      storage.delete(1, b("deleted"));
      storage.put(2, b("dropped"), b("x"));
      storage.dropPartition(2);
      storage.put(-1, new byte[0], b("last"));
      storage.put(3, b("synced"), b("v3"), true);
    }
    try (RocksDbStorage storage = RocksDbStorage.open(settings)) {
      assertArrayEquals(b("v1"), storage.get(1, b("kept")).orElseThrow());
      assertTrue(storage.get(1, b("deleted")).isEmpty());
      assertEquals(0, storage.countKeys(2));
      assertArrayEquals(b("last"), storage.get(-1, new byte[0]).orElseThrow());
      assertArrayEquals(b("v3"), storage.get(3, b("synced")).orElseThrow());
      assertEquals(1, storage.countKeys(1));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "snappy", "lz4", "zstd"})
  void everyCompressionWorksThroughFlushesAndReopen(String compression) throws IOException {
    // A tiny write buffer forces memtable flushes, so data goes through compressed SST files,
    // the bloom filter and the block cache, not only through the WAL.
    RocksDbSettings settings =
        RocksDbSettings.defaults(tempDir.resolve(compression))
            .withCompression(compression)
            .withWriteBufferBytes(64 * 1024)
            .withBlockCacheBytes(1024 * 1024);
    Random random = new Random(11);
    byte[] value = new byte[1000];
    int keys = 2000;
    try (RocksDbStorage storage = RocksDbStorage.open(settings)) {
      for (int i = 0; i < keys; i++) {
        random.nextBytes(value);
        value[0] = (byte) i;
        storage.put(i % 4, b(String.format("key-%05d", i)), value);
      }
      storage.dropPartition(3);
    }
    try (Stream<Path> files = Files.list(settings.directory())) {
      assertTrue(
          files.anyMatch(f -> f.toString().endsWith(".sst")),
          "memtables were flushed to SST files");
    }
    try (RocksDbStorage storage = RocksDbStorage.open(settings)) {
      assertEquals(keys / 4, storage.countKeys(0));
      assertEquals(keys / 4, storage.countKeys(1));
      assertEquals(keys / 4, storage.countKeys(2));
      assertEquals(0, storage.countKeys(3));
      assertEquals((byte) 1234, storage.get(1234 % 4, b("key-01234")).orElseThrow()[0]);
      assertTrue(storage.get(0, b("key-01234")).isEmpty());
      String[] previous = {""};
      storage.scan(
          2,
          (k, v) -> {
            String key = new String(k, UTF_8);
            assertTrue(key.compareTo(previous[0]) > 0);
            previous[0] = key;
          });
    }
  }

  @Test
  void droppingThenCompactingAPartitionGivesItsDiskSpaceBack() {
    RocksDbSettings settings =
        RocksDbSettings.defaults(tempDir.resolve("reclaim"))
            .withCompression("none")
            .withWriteBufferBytes(256 * 1024);
    Random random = new Random(5);
    byte[] value = new byte[1024];
    try (RocksDbStorage storage = RocksDbStorage.open(settings)) {
      for (int i = 0; i < 4000; i++) {
        random.nextBytes(value);
        storage.put(i < 3000 ? 7 : 8, b(String.format("key-%05d", i)), value);
      }
      storage.compactPartition(8); // flushes what is left in the memtable into SST files
      long before = storage.statistics().get("sst_bytes");
      assertTrue(before > 3_000_000, "3,000 values of 1 KiB on disk: " + before);

      storage.dropPartition(7);
      storage.compactPartition(7);
      long after = storage.statistics().get("sst_bytes");
      assertTrue(
          after < before / 3,
          "only partition 8's 1,000 values are left on disk: " + before + " -> " + after);
      assertTrue(
          storage.statistics().get("estimated_keys") < 1_500,
          "RocksDB's key estimate follows: " + storage.statistics());
      assertEquals(0, storage.countKeys(7));
    }
  }

  @Test
  void perWriteSyncByDefaultWorks() {
    RocksDbSettings settings =
        RocksDbSettings.defaults(tempDir.resolve("sync"))
            .withWalSync(RocksDbSettings.WalSync.PER_WRITE);
    try (RocksDbStorage storage = RocksDbStorage.open(settings)) {
      storage.put(1, b("k"), b("v"));
      storage.put(1, b("k2"), b("v2"), false);
      storage.delete(1, b("k2"));
      storage.dropPartition(9);
    }
    try (RocksDbStorage storage = RocksDbStorage.open(settings)) {
      assertArrayEquals(b("v"), storage.get(1, b("k")).orElseThrow());
      assertTrue(storage.get(1, b("k2")).isEmpty());
    }
  }

  @Test
  void secondOpenOfSameDirectoryFailsWithStorageException() {
    RocksDbSettings settings = RocksDbSettings.defaults(tempDir.resolve("db"));
    try (RocksDbStorage first = RocksDbStorage.open(settings)) {
      StorageException e =
          assertThrows(StorageException.class, () -> RocksDbStorage.open(settings));
      assertInstanceOf(RocksDBException.class, e.getCause());
      first.put(1, b("still"), b("usable"));
    }
    // the lock is released on close
    try (RocksDbStorage again = RocksDbStorage.open(settings)) {
      assertArrayEquals(b("usable"), again.get(1, b("still")).orElseThrow());
    }
  }

  @Test
  void directoryThatIsAFileFailsWithStorageException() throws IOException {
    Path file = Files.writeString(tempDir.resolve("not-a-dir"), "x");
    StorageException e =
        assertThrows(
            StorageException.class, () -> RocksDbStorage.open(RocksDbSettings.defaults(file)));
    assertNotNull(e.getCause());
  }

  @Test
  void closeFromInsideVisitorIsRejected() {
    try (RocksDbStorage storage =
        RocksDbStorage.open(RocksDbSettings.defaults(tempDir.resolve("db")))) {
      storage.put(1, b("k"), b("v"));
      assertThrows(IllegalStateException.class, () -> storage.scan(1, (k, v) -> storage.close()));
      assertEquals(1, storage.countKeys(1));
    }
  }

  @Test
  void manyOpenCloseCyclesDoNotLeak() {
    // Smoke test for native resource handling: repeated open/scan/close of the same directory.
    RocksDbSettings settings = RocksDbSettings.defaults(tempDir.resolve("db"));
    for (int i = 0; i < 20; i++) {
      try (RocksDbStorage storage = RocksDbStorage.open(settings)) {
        storage.put(1, b("k" + i), b("v"));
        assertEquals(i + 1, storage.countKeys(1));
        storage.scanFrom(1, null, 5, (k, v) -> {});
      }
    }
  }
}
