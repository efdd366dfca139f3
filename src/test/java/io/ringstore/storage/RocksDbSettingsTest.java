package io.ringstore.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RocksDbSettingsTest {

  private static final Path DIR = Path.of("data");

  @Test
  void defaults() {
    RocksDbSettings s = RocksDbSettings.defaults(DIR);
    assertEquals(DIR, s.directory());
    assertEquals(RocksDbSettings.WalSync.PERIODIC, s.walSync(), "the WAL is fsynced periodically");
    assertEquals(Duration.ofSeconds(1), s.walSyncInterval(), "every second");
    assertFalse(s.syncEveryWrite());
    assertEquals(64L * 1024 * 1024, s.blockCacheBytes());
    assertEquals(32L * 1024 * 1024, s.writeBufferBytes());
    assertEquals("lz4", s.compression());
    assertEquals(s, new RocksDbSettings(DIR));
  }

  @Test
  void withersChangeOneField() {
    RocksDbSettings s =
        RocksDbSettings.defaults(DIR)
            .withWalSync(RocksDbSettings.WalSync.PER_WRITE)
            .withWalSyncInterval(Duration.ofMillis(20))
            .withBlockCacheBytes(1024)
            .withWriteBufferBytes(2048)
            .withCompression("zstd")
            .withDirectory(Path.of("other"));
    assertEquals(
        new RocksDbSettings(
            Path.of("other"),
            RocksDbSettings.WalSync.PER_WRITE,
            Duration.ofMillis(20),
            1024,
            2048,
            "zstd"),
        s);
    assertTrue(s.syncEveryWrite());
  }

  @ParameterizedTest
  @ValueSource(strings = {"per-write", "periodic", "off"})
  void walSyncModesAreNamedAsInTheConfiguration(String name) {
    assertEquals(name, RocksDbSettings.WalSync.fromConfigName(name).configName());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "on", "true", "batch", "PERIODIC", "per_write", " off"})
  void rejectsUnknownWalSyncModes(String name) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RocksDbSettings.WalSync.fromConfigName(name));
    assertTrue(e.getMessage().contains("per-write, periodic, off"), e.getMessage());
    assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1})
  void rejectsNonPositiveWalSyncIntervals(long millis) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RocksDbSettings.defaults(DIR).withWalSyncInterval(Duration.ofMillis(millis)));
    assertTrue(e.getMessage().contains("walSyncInterval"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> RocksDbSettings.defaults(DIR).withWalSyncInterval(null));
    assertThrows(NullPointerException.class, () -> RocksDbSettings.defaults(DIR).withWalSync(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "snappy", "lz4", "zstd"})
  void acceptsAllowedCompressions(String compression) {
    assertEquals(
        compression, RocksDbSettings.defaults(DIR).withCompression(compression).compression());
    RocksDbStorage.compressionType(compression); // every allowed value maps to a RocksDB type
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "LZ4", "gzip", "zlib", "lz4hc", " lz4"})
  void rejectsUnknownCompression(String compression) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RocksDbSettings.defaults(DIR).withCompression(compression));
    assertTrue(e.getMessage().contains("none, snappy, lz4, zstd"), e.getMessage());
    assertTrue(e.getMessage().contains("'" + compression + "'"), e.getMessage());
  }

  @Test
  void rejectsNullCompression() {
    assertThrows(
        IllegalArgumentException.class, () -> RocksDbSettings.defaults(DIR).withCompression(null));
  }

  @Test
  void rejectsNullDirectory() {
    assertThrows(NullPointerException.class, () -> RocksDbSettings.defaults(null));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, Long.MIN_VALUE})
  void rejectsNonPositiveSizes(long size) {
    IllegalArgumentException cache =
        assertThrows(
            IllegalArgumentException.class,
            () -> RocksDbSettings.defaults(DIR).withBlockCacheBytes(size));
    assertTrue(cache.getMessage().contains("blockCacheBytes"));
    IllegalArgumentException buffer =
        assertThrows(
            IllegalArgumentException.class,
            () -> RocksDbSettings.defaults(DIR).withWriteBufferBytes(size));
    assertTrue(buffer.getMessage().contains("writeBufferBytes"));
  }
}
