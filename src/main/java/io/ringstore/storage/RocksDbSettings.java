package io.ringstore.storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Configuration of a {@link RocksDbStorage}. Validated on construction; invalid values throw {@link
 * IllegalArgumentException} (or {@link NullPointerException} for a null directory or mode).
 *
 * <p>Durability (DESIGN invariant 1): every write goes through the RocksDB write-ahead log before
 * it returns, so in every mode a write that has returned survives a crash or {@code kill -9} of the
 * JVM. What it survives beyond that (kernel crash, power loss) is {@link #walSync()}'s choice, see
 * {@link WalSync}. Individual writes can ask for an fsync with {@link StorageEngine#put(int,
 * byte[], byte[], boolean)}.
 *
 * @param directory data directory of the RocksDB instance, created if missing
 * @param walSync when the write-ahead log is fsynced (default {@link WalSync#PERIODIC})
 * @param walSyncInterval how often {@link WalSync#PERIODIC} fsyncs the log, positive (default 1 s;
 *     required positive in every mode)
 * @param blockCacheBytes size of the LRU block cache, positive (default 64 MiB)
 * @param writeBufferBytes size of one memtable, positive (default 32 MiB)
 * @param compression SST block compression: one of {@code none}, {@code snappy}, {@code lz4},
 *     {@code zstd} (default {@code lz4})
 */
public record RocksDbSettings(
    Path directory,
    WalSync walSync,
    Duration walSyncInterval,
    long blockCacheBytes,
    long writeBufferBytes,
    String compression) {

  /**
   * When the write-ahead log reaches the disk ({@code ringstore.storage.sync}), after Cassandra's
   * {@code commitlog_sync}. The WAL is written (into the OS page cache) before every write returns
   * in all three modes; they differ in when it is fsynced.
   */
  public enum WalSync {
    /**
     * Every write fsyncs the WAL before it returns (Cassandra's {@code batch}; RocksDB groups the
     * fsyncs of concurrent writers). A returned write survives power loss; one fsync per write.
     */
    PER_WRITE("per-write"),
    /**
     * Writes are not fsynced one by one; a background thread fsyncs the WAL every {@link
     * #walSyncInterval()}. A power loss or kernel crash loses at most the writes of about one
     * interval (plus the time one fsync takes).
     */
    PERIODIC("periodic"),
    /**
     * The WAL is never fsynced by ringstore: the OS writes it back when it chooses (Linux: ~30 s).
     */
    OFF("off");

    private final String configName;

    WalSync(String configName) {
      this.configName = configName;
    }

    /** The value of {@code ringstore.storage.sync} that selects this mode. */
    public String configName() {
      return configName;
    }

    /** The mode named {@code name} ({@code per-write}, {@code periodic} or {@code off}). */
    public static WalSync fromConfigName(String name) {
      for (WalSync mode : values()) {
        if (mode.configName.equals(name)) {
          return mode;
        }
      }
      throw new IllegalArgumentException(
          "sync must be one of " + NAMES + ", got " + (name == null ? "null" : "'" + name + "'"));
    }

    /** The accepted names, for messages: {@code per-write, periodic, off}. */
    public static final String NAMES =
        Arrays.stream(values()).map(WalSync::configName).collect(Collectors.joining(", "));
  }

  public static final WalSync DEFAULT_WAL_SYNC = WalSync.PERIODIC;
  public static final Duration DEFAULT_WAL_SYNC_INTERVAL = Duration.ofSeconds(1);
  public static final long DEFAULT_BLOCK_CACHE_BYTES = 64L * 1024 * 1024;
  public static final long DEFAULT_WRITE_BUFFER_BYTES = 32L * 1024 * 1024;
  public static final String DEFAULT_COMPRESSION = "lz4";

  /** The accepted values of {@link #compression()}. */
  public static final Set<String> ALLOWED_COMPRESSIONS = Set.of("none", "snappy", "lz4", "zstd");

  public RocksDbSettings {
    Objects.requireNonNull(directory, "directory must not be null");
    Objects.requireNonNull(walSync, "walSync must not be null");
    if (walSyncInterval == null || walSyncInterval.isNegative() || walSyncInterval.isZero()) {
      throw new IllegalArgumentException(
          "walSyncInterval must be positive, got " + walSyncInterval);
    }
    if (blockCacheBytes <= 0) {
      throw new IllegalArgumentException(
          "blockCacheBytes must be positive, got " + blockCacheBytes);
    }
    if (writeBufferBytes <= 0) {
      throw new IllegalArgumentException(
          "writeBufferBytes must be positive, got " + writeBufferBytes);
    }
    if (compression == null || !ALLOWED_COMPRESSIONS.contains(compression)) {
      throw new IllegalArgumentException(
          "compression must be one of none, snappy, lz4, zstd, got "
              + (compression == null ? "null" : "'" + compression + "'"));
    }
  }

  /** Settings with every default for {@code directory}. */
  public RocksDbSettings(Path directory) {
    this(
        directory,
        DEFAULT_WAL_SYNC,
        DEFAULT_WAL_SYNC_INTERVAL,
        DEFAULT_BLOCK_CACHE_BYTES,
        DEFAULT_WRITE_BUFFER_BYTES,
        DEFAULT_COMPRESSION);
  }

  /** Settings with every default for {@code directory}. */
  public static RocksDbSettings defaults(Path directory) {
    return new RocksDbSettings(directory);
  }

  /** Whether {@link StorageEngine#put(int, byte[], byte[])} and the other default writes fsync. */
  public boolean syncEveryWrite() {
    return walSync == WalSync.PER_WRITE;
  }

  public RocksDbSettings withDirectory(Path newDirectory) {
    return new RocksDbSettings(
        newDirectory, walSync, walSyncInterval, blockCacheBytes, writeBufferBytes, compression);
  }

  public RocksDbSettings withWalSync(WalSync newWalSync) {
    return new RocksDbSettings(
        directory, newWalSync, walSyncInterval, blockCacheBytes, writeBufferBytes, compression);
  }

  public RocksDbSettings withWalSyncInterval(Duration newWalSyncInterval) {
    return new RocksDbSettings(
        directory, walSync, newWalSyncInterval, blockCacheBytes, writeBufferBytes, compression);
  }

  public RocksDbSettings withBlockCacheBytes(long newBlockCacheBytes) {
    return new RocksDbSettings(
        directory, walSync, walSyncInterval, newBlockCacheBytes, writeBufferBytes, compression);
  }

  public RocksDbSettings withWriteBufferBytes(long newWriteBufferBytes) {
    return new RocksDbSettings(
        directory, walSync, walSyncInterval, blockCacheBytes, newWriteBufferBytes, compression);
  }

  public RocksDbSettings withCompression(String newCompression) {
    return new RocksDbSettings(
        directory, walSync, walSyncInterval, blockCacheBytes, writeBufferBytes, newCompression);
  }
}
