package io.ringstore.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RocksDbSettingsTest {

  private static final Path DIR = Path.of("data");

  @Test
  void defaults() {
    RocksDbSettings s = RocksDbSettings.defaults(DIR);
    assertEquals(DIR, s.directory());
    assertFalse(s.syncWrites());
    assertEquals(64L * 1024 * 1024, s.blockCacheBytes());
    assertEquals(32L * 1024 * 1024, s.writeBufferBytes());
    assertEquals("lz4", s.compression());
    assertEquals(s, new RocksDbSettings(DIR));
  }

  @Test
  void withersChangeOneField() {
    RocksDbSettings s = RocksDbSettings.defaults(DIR)
        .withSyncWrites(true)
        .withBlockCacheBytes(1024)
        .withWriteBufferBytes(2048)
        .withCompression("zstd")
        .withDirectory(Path.of("other"));
    assertEquals(new RocksDbSettings(Path.of("other"), true, 1024, 2048, "zstd"), s);
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "snappy", "lz4", "zstd"})
  void acceptsAllowedCompressions(String compression) {
    assertEquals(compression, RocksDbSettings.defaults(DIR).withCompression(compression).compression());
    RocksDbStorage.compressionType(compression); // every allowed value maps to a RocksDB type
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "LZ4", "gzip", "zlib", "lz4hc", " lz4"})
  void rejectsUnknownCompression(String compression) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RocksDbSettings(DIR, false, 1, 1, compression));
    assertTrue(e.getMessage().contains("none, snappy, lz4, zstd"), e.getMessage());
    assertTrue(e.getMessage().contains("'" + compression + "'"), e.getMessage());
  }

  @Test
  void rejectsNullCompression() {
    assertThrows(IllegalArgumentException.class, () -> new RocksDbSettings(DIR, false, 1, 1, null));
  }

  @Test
  void rejectsNullDirectory() {
    assertThrows(NullPointerException.class, () -> RocksDbSettings.defaults(null));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, Long.MIN_VALUE})
  void rejectsNonPositiveSizes(long size) {
    IllegalArgumentException cache = assertThrows(IllegalArgumentException.class,
        () -> RocksDbSettings.defaults(DIR).withBlockCacheBytes(size));
    assertTrue(cache.getMessage().contains("blockCacheBytes"));
    IllegalArgumentException buffer = assertThrows(IllegalArgumentException.class,
        () -> RocksDbSettings.defaults(DIR).withWriteBufferBytes(size));
    assertTrue(buffer.getMessage().contains("writeBufferBytes"));
  }
}
