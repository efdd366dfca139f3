package io.ringstore.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * Configuration of a {@link RocksDbStorage}. Validated on construction; invalid values throw
 * {@link IllegalArgumentException} (or {@link NullPointerException} for a null directory).
 *
 * <p>Durability (DESIGN invariant 1): with the default {@code syncWrites = false} a write that has
 * returned is in the RocksDB write-ahead log in the OS page cache: it survives a crash or
 * {@code kill -9} of the JVM, but not a kernel crash or power loss of the machine. With
 * {@code syncWrites = true} every default write fsyncs the WAL before returning and survives power
 * loss too, at a large latency cost. Individual writes can override the default with
 * {@link StorageEngine#put(int, byte[], byte[], boolean)}.
 *
 * @param directory        data directory of the RocksDB instance, created if missing
 * @param syncWrites       default durability of {@code put}/{@code delete}/{@code dropPartition}
 *                         (default {@code false}, see above)
 * @param blockCacheBytes  size of the LRU block cache, positive (default 64 MiB)
 * @param writeBufferBytes size of one memtable, positive (default 32 MiB)
 * @param compression      SST block compression: one of {@code none}, {@code snappy}, {@code lz4},
 *                         {@code zstd} (default {@code lz4})
 */
public record RocksDbSettings(
    Path directory,
    boolean syncWrites,
    long blockCacheBytes,
    long writeBufferBytes,
    String compression) {

  public static final boolean DEFAULT_SYNC_WRITES = false;
  public static final long DEFAULT_BLOCK_CACHE_BYTES = 64L * 1024 * 1024;
  public static final long DEFAULT_WRITE_BUFFER_BYTES = 32L * 1024 * 1024;
  public static final String DEFAULT_COMPRESSION = "lz4";
  /** The accepted values of {@link #compression()}. */
  public static final Set<String> ALLOWED_COMPRESSIONS = Set.of("none", "snappy", "lz4", "zstd");

  public RocksDbSettings {
    Objects.requireNonNull(directory, "directory must not be null");
    if (blockCacheBytes <= 0) {
      throw new IllegalArgumentException("blockCacheBytes must be positive, got " + blockCacheBytes);
    }
    if (writeBufferBytes <= 0) {
      throw new IllegalArgumentException("writeBufferBytes must be positive, got " + writeBufferBytes);
    }
    if (compression == null || !ALLOWED_COMPRESSIONS.contains(compression)) {
      throw new IllegalArgumentException("compression must be one of none, snappy, lz4, zstd, got "
          + (compression == null ? "null" : "'" + compression + "'"));
    }
  }

  /** Settings with every default for {@code directory}. */
  public RocksDbSettings(Path directory) {
    this(directory, DEFAULT_SYNC_WRITES, DEFAULT_BLOCK_CACHE_BYTES, DEFAULT_WRITE_BUFFER_BYTES,
        DEFAULT_COMPRESSION);
  }

  /** Settings with every default for {@code directory}. */
  public static RocksDbSettings defaults(Path directory) {
    return new RocksDbSettings(directory);
  }

  public RocksDbSettings withDirectory(Path newDirectory) {
    return new RocksDbSettings(newDirectory, syncWrites, blockCacheBytes, writeBufferBytes, compression);
  }

  public RocksDbSettings withSyncWrites(boolean newSyncWrites) {
    return new RocksDbSettings(directory, newSyncWrites, blockCacheBytes, writeBufferBytes, compression);
  }

  public RocksDbSettings withBlockCacheBytes(long newBlockCacheBytes) {
    return new RocksDbSettings(directory, syncWrites, newBlockCacheBytes, writeBufferBytes, compression);
  }

  public RocksDbSettings withWriteBufferBytes(long newWriteBufferBytes) {
    return new RocksDbSettings(directory, syncWrites, blockCacheBytes, newWriteBufferBytes, compression);
  }

  public RocksDbSettings withCompression(String newCompression) {
    return new RocksDbSettings(directory, syncWrites, blockCacheBytes, writeBufferBytes, newCompression);
  }
}
