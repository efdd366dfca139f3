package io.ringstore.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.HistogramType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Statistics;
import org.rocksdb.Status;
import org.rocksdb.TickerType;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link StorageEngine}: one RocksDB instance per node holding every partition, each
 * partition being the key range described in {@link StorageKeys}.
 *
 * <p>Role: the durable local copy behind DESIGN invariant 1 (<em>an acknowledged write is never
 * lost</em>). A replica may acknowledge a write only after {@link #put} has returned normally.
 *
 * <p><b>Durability.</b> Writes always go through the RocksDB write-ahead log (the WAL is never
 * disabled): when a write returns, it is in the WAL, at least in the OS page cache, so it survives
 * a crash or {@code kill -9} of the JVM (the WAL is replayed on the next {@link #open}). Whether it
 * also survives a kernel crash or power loss is {@link RocksDbSettings#walSync()}'s choice:
 *
 * <ul>
 *   <li>{@link RocksDbSettings.WalSync#PER_WRITE}: {@link #put(int, byte[], byte[])}, {@link
 *       #delete} and {@link #dropPartition} fsync the WAL before they return.
 *   <li>{@link RocksDbSettings.WalSync#PERIODIC}: a daemon thread of this instance (never an actor
 *       or dispatcher thread) fsyncs the WAL every {@link RocksDbSettings#walSyncInterval()}, and
 *       {@link #close()} once more, so a power loss loses about one interval of writes.
 *   <li>{@link RocksDbSettings.WalSync#OFF}: no fsync; the OS writes the WAL back when it chooses.
 * </ul>
 *
 * {@link #put(int, byte[], byte[], boolean)} with {@code true} fsyncs that write in every mode.
 * RocksDB counts the WAL fsyncs it makes ({@link #walSyncs()}, in {@link #statistics()}).
 *
 * <p><b>Concurrency.</b> All methods are thread-safe. Operations share a read lock and {@link
 * #close()} takes the write lock, so the native handles are never freed while a call uses them;
 * close therefore waits for in-flight calls, including running scans.
 *
 * <p><b>Resources.</b> Every native object created here (options, cache, filter, read/write
 * options, slices, iterators) is closed, iterators and per-scan options by try-with-resources and
 * the long-lived ones in {@link #close()}.
 */
public final class RocksDbStorage implements StorageEngine {

  private static final Logger LOG = LoggerFactory.getLogger(RocksDbStorage.class);
  private static final Object LIBRARY_LOCK = new Object();
  private static boolean libraryLoaded;

  private final RocksDbSettings settings;
  private final RocksDB db;
  private final Options options;
  private final LRUCache blockCache;
  private final BloomFilter bloomFilter;
  private final WriteOptions asyncWrites;
  private final WriteOptions syncWrites;
  private final Statistics rocksStatistics;

  /** The periodic WAL fsync ({@link RocksDbSettings.WalSync#PERIODIC} only, else null). */
  private final ScheduledExecutorService walSyncer;

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lock

  private RocksDbStorage(
      RocksDbSettings settings,
      RocksDB db,
      Options options,
      LRUCache blockCache,
      BloomFilter bloomFilter,
      WriteOptions asyncWrites,
      WriteOptions syncWrites,
      Statistics rocksStatistics) {
    this.settings = settings;
    this.db = db;
    this.options = options;
    this.blockCache = blockCache;
    this.bloomFilter = bloomFilter;
    this.asyncWrites = asyncWrites;
    this.syncWrites = syncWrites;
    this.rocksStatistics = rocksStatistics;
    this.walSyncer =
        settings.walSync() == RocksDbSettings.WalSync.PERIODIC ? startWalSyncer() : null;
  }

  private ScheduledExecutorService startWalSyncer() {
    String name = "ringstore-wal-sync-" + settings.directory().getFileName();
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, name);
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    long nanos = settings.walSyncInterval().toNanos();
    // periodicWalSync never throws; shutting the executor down ends the schedule
    var unused =
        executor.scheduleWithFixedDelay(this::periodicWalSync, nanos, nanos, TimeUnit.NANOSECONDS);
    return executor;
  }

  /** One run of the periodic fsync: never throws (an exception would end the schedule). */
  private void periodicWalSync() {
    lock.readLock().lock();
    try {
      if (!closed) {
        db.flushWal(true);
      }
    } catch (RocksDBException | RuntimeException e) {
      LOG.error(
          "fsync of the write-ahead log in {} failed (writes acknowledged since the last"
              + " successful one may not survive a power loss); retrying in {}",
          settings.directory(),
          settings.walSyncInterval(),
          e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Opens (creating if needed) the RocksDB instance in {@link RocksDbSettings#directory()}.
   *
   * @throws StorageException if the directory cannot be created or RocksDB fails to open (for
   *     example because another instance holds its lock)
   */
  public static RocksDbStorage open(RocksDbSettings settings) {
    return open(settings, WALRecoveryMode.TolerateCorruptedTailRecords);
  }

  /**
   * Opens with the given WAL recovery mode. {@link #open(RocksDbSettings)} uses {@code
   * TolerateCorruptedTailRecords}: a record cut short at the end of the log (a crash in the middle
   * of a write) is dropped quietly, a bad record anywhere before it fails the open with a {@link
   * DamagedFileException} (RocksDB's default, point-in-time recovery, would silently drop every
   * later write). {@link RocksDbRecovery} opens with {@code SkipAnyCorruptedRecords} to repair.
   */
  static RocksDbStorage open(RocksDbSettings settings, WALRecoveryMode walRecovery) {
    Objects.requireNonNull(settings, "settings");
    loadLibraryOnce();
    try {
      Files.createDirectories(settings.directory());
    } catch (IOException | RuntimeException e) {
      throw new StorageException("cannot create storage directory " + settings.directory(), e);
    }

    LRUCache cache = null;
    BloomFilter filter = null;
    Options opts = null;
    WriteOptions async = null;
    WriteOptions sync = null;
    Statistics stats = null;
    try {
      cache = new LRUCache(settings.blockCacheBytes());
      filter = new BloomFilter(10);
      BlockBasedTableConfig table =
          new BlockBasedTableConfig()
              .setBlockCache(cache)
              .setFilterPolicy(filter)
              .setWholeKeyFiltering(true)
              .setCacheIndexAndFilterBlocks(true)
              .setPinL0FilterAndIndexBlocksInCache(true);
      opts =
          new Options()
              .setCreateIfMissing(true)
              .setParanoidChecks(true)
              .setWalRecoveryMode(walRecovery)
              .setWriteBufferSize(settings.writeBufferBytes())
              .setCompressionType(compressionType(settings.compression()))
              .setTableFormatConfig(table);
      // tickers only (WAL fsyncs): every histogram is ignored, so no operation reads a clock for it
      stats = new Statistics(EnumSet.allOf(HistogramType.class));
      opts.setStatistics(stats);
      async = new WriteOptions().setSync(false);
      sync = new WriteOptions().setSync(true);
      RocksDB db = RocksDB.open(opts, settings.directory().toString());
      return new RocksDbStorage(settings, db, opts, cache, filter, async, sync, stats);
    } catch (RocksDBException e) {
      closeQuietly(sync, async, opts, stats, filter, cache);
      if (isCorruption(e)) {
        throw RocksDbRecovery.damage(settings.directory(), e, false);
      }
      throw new StorageException(
          "cannot open RocksDB in " + settings.directory() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(sync, async, opts, stats, filter, cache);
      throw new StorageException(
          "cannot open RocksDB in " + settings.directory() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads every block of every table file and checks its checksum (RocksDB's {@code
   * VerifyChecksum}): as costly as a full scan. The write-ahead log was checked when the database
   * opened.
   *
   * @throws DamagedFileException naming the table file whose checksum does not match
   */
  public void verifyChecksums() {
    readLock();
    try {
      db.verifyChecksum();
    } catch (RocksDBException e) {
      if (isCorruption(e)) {
        throw RocksDbRecovery.damage(settings.directory(), e, true);
      }
      throw new StorageException(
          "verifying the checksums in " + settings.directory() + " failed: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Flushes the memtables to table files (tests, and a clean point before a copy). */
  public void flush() {
    readLock();
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush);
    } catch (RocksDBException e) {
      throw new StorageException(
          "flush in " + settings.directory() + " failed: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  static boolean isCorruption(RocksDBException e) {
    return (e.getStatus() != null && e.getStatus().getCode() == Status.Code.Corruption)
        || (e.getMessage() != null && e.getMessage().startsWith("Corruption"));
  }

  /** The settings this instance was opened with. */
  public RocksDbSettings settings() {
    return settings;
  }

  @Override
  public Optional<byte[]> get(int partition, byte[] key) {
    byte[] storedKey = StorageKeys.encode(partition, key);
    readLock();
    try {
      return Optional.ofNullable(db.get(storedKey));
    } catch (RocksDBException e) {
      throw failure("get", partition, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void put(int partition, byte[] key, byte[] value) {
    put(partition, key, value, settings.syncEveryWrite());
  }

  /**
   * Fsyncs the write-ahead log now (what the periodic mode does every interval).
   *
   * @throws StorageException if RocksDB reports an error
   */
  public void syncWal() {
    readLock();
    try {
      db.flushWal(true);
    } catch (RocksDBException e) {
      throw new StorageException(
          "fsync of the write-ahead log in " + settings.directory() + " failed: " + e.getMessage(),
          e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** How many times RocksDB has fsynced a write-ahead log file since this instance opened. */
  public long walSyncs() {
    readLock();
    try {
      return rocksStatistics.getTickerCount(TickerType.WAL_FILE_SYNCED);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Whether the periodic WAL fsync has stopped for good (true when the mode has none). */
  boolean walSyncerStopped() {
    return walSyncer == null || walSyncer.isTerminated();
  }

  @Override
  public void put(int partition, byte[] key, byte[] value, boolean sync) {
    byte[] storedKey = StorageKeys.encode(partition, key);
    Objects.requireNonNull(value, "value");
    readLock();
    try {
      db.put(sync ? syncWrites : asyncWrites, storedKey, value);
    } catch (RocksDBException e) {
      throw failure("put", partition, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void delete(int partition, byte[] key) {
    byte[] storedKey = StorageKeys.encode(partition, key);
    readLock();
    try {
      db.delete(defaultWrites(), storedKey);
    } catch (RocksDBException e) {
      throw failure("delete", partition, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void scan(int partition, BiConsumer<byte[], byte[]> visitor) {
    Objects.requireNonNull(visitor, "visitor");
    iterate(partition, null, Integer.MAX_VALUE, visitor, false);
  }

  @Override
  public byte[] scanFrom(
      int partition,
      byte[] startAfterExclusiveOrNull,
      int limit,
      BiConsumer<byte[], byte[]> visitor) {
    Objects.requireNonNull(visitor, "visitor");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    return iterate(partition, startAfterExclusiveOrNull, limit, visitor, false);
  }

  @Override
  public long countKeys(int partition) {
    long[] count = {0};
    iterate(partition, null, Integer.MAX_VALUE, (k, v) -> count[0]++, true);
    return count[0];
  }

  /**
   * RocksDB's estimates of this node's data: keys (all partitions, tombstones and bookkeeping
   * records included), bytes in SST files and in memtables, and bytes in the block cache.
   */
  @Override
  public Map<String, Long> statistics() {
    readLock();
    try {
      Map<String, Long> stats = new LinkedHashMap<>();
      stats.put("estimated_keys", db.getLongProperty("rocksdb.estimate-num-keys"));
      stats.put("sst_bytes", db.getLongProperty("rocksdb.total-sst-files-size"));
      stats.put("memtable_bytes", db.getLongProperty("rocksdb.cur-size-all-mem-tables"));
      if (blockCache != null) {
        stats.put("block_cache_bytes", blockCache.getUsage());
      }
      stats.put("wal_syncs_total", rocksStatistics.getTickerCount(TickerType.WAL_FILE_SYNCED));
      return stats;
    } catch (RocksDBException e) {
      throw new StorageException(
          "reading statistics in " + settings.directory() + " failed: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void dropPartition(int partition) {
    byte[] start = StorageKeys.partitionStart(partition);
    byte[] end = StorageKeys.partitionEndExclusive(partition);
    readLock();
    try {
      if (end == null) {
        // Last partition: its range is unbounded above, so bound it by its current last key.
        end = lastKeySuccessor(start);
        if (end == null) {
          return; // partition is empty
        }
      }
      db.deleteRange(defaultWrites(), start, end);
    } catch (RocksDBException e) {
      throw failure("dropPartition", partition, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Compacts the partition's key range. After {@link #dropPartition} this is what gives the disk
   * back (a range delete only hides the keys) and makes RocksDB's key estimate drop. Safe beside
   * concurrent writes to the range.
   */
  @Override
  public void compactPartition(int partition) {
    byte[] start = StorageKeys.partitionStart(partition);
    byte[] end = StorageKeys.partitionEndExclusive(partition);
    readLock();
    try {
      if (end == null) {
        db.compactRange(start, null);
      } else {
        db.compactRange(start, end);
      }
    } catch (RocksDBException e) {
      throw failure("compactPartition", partition, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Closes the database and every native object. Idempotent; waits for in-flight calls. The
   * periodic WAL fsync is stopped first (a run in progress is waited for), and in that mode the WAL
   * is fsynced once more, so a clean stop loses nothing.
   *
   * @throws IllegalStateException if called from inside a scan visitor of this engine
   * @throws StorageException if RocksDB reports an error while closing (all native resources are
   *     released nevertheless)
   */
  @Override
  public void close() {
    if (lock.getReadHoldCount() > 0) {
      throw new IllegalStateException("close() must not be called from inside a storage operation");
    }
    stopWalSyncer();
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      RocksDBException closeError = null;
      try {
        if (walSyncer != null) {
          try {
            db.flushWal(true);
          } catch (RocksDBException e) {
            closeError = e;
          }
        }
        try {
          db.closeE();
        } catch (RocksDBException e) {
          if (closeError == null) {
            closeError = e;
          } else {
            closeError.addSuppressed(e);
          }
        }
      } finally {
        closeQuietly(syncWrites, asyncWrites, options, rocksStatistics, bloomFilter, blockCache);
      }
      if (closeError != null) {
        throw new StorageException(
            "error while closing RocksDB in " + settings.directory(), closeError);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "RocksDbStorage[" + settings.directory() + "]";
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Iterates {@code partition} in key order from the first key after {@code startAfter} (or from
   * its start), visiting at most {@code limit} pairs. Returns the last user key visited or null.
   */
  private byte[] iterate(
      int partition,
      byte[] startAfter,
      int limit,
      BiConsumer<byte[], byte[]> visitor,
      boolean keysOnly) {
    byte[] lower = StorageKeys.partitionStart(partition);
    byte[] upper = StorageKeys.partitionEndExclusive(partition);
    byte[] seekKey =
        startAfter == null
            ? lower
            : StorageKeys.encode(partition, StorageKeys.successor(startAfter));
    readLock();
    try (Slice lowerSlice = new Slice(lower);
        Slice upperSlice = upper == null ? null : new Slice(upper);
        ReadOptions readOptions = new ReadOptions().setIterateLowerBound(lowerSlice)) {
      if (upperSlice != null) {
        readOptions.setIterateUpperBound(upperSlice);
      }
      if (keysOnly) {
        readOptions.setFillCache(false);
      }
      try (RocksIterator it = db.newIterator(readOptions)) {
        byte[] lastUserKey = null;
        int visited = 0;
        for (it.seek(seekKey); it.isValid() && visited < limit; it.next()) {
          byte[] storedKey = it.key();
          if (!StorageKeys.belongsTo(partition, storedKey)) {
            break; // defensive: the bounds already stop the iterator here
          }
          lastUserKey = StorageKeys.userKeyOf(storedKey);
          visitor.accept(
              keysOnly ? lastUserKey : lastUserKey.clone(), keysOnly ? null : it.value());
          visited++;
        }
        it.status();
        return lastUserKey;
      }
    } catch (RocksDBException e) {
      throw failure("scan", partition, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Successor of the largest key >= {@code start}, or null if there is none. Caller holds the lock.
   */
  private byte[] lastKeySuccessor(byte[] start) throws RocksDBException {
    try (Slice lowerSlice = new Slice(start);
        ReadOptions readOptions = new ReadOptions().setIterateLowerBound(lowerSlice);
        RocksIterator it = db.newIterator(readOptions)) {
      it.seekToLast();
      if (it.isValid()) {
        byte[] last = it.key();
        return Objects.compare(last, start, StorageKeys.UNSIGNED_LEXICOGRAPHIC) >= 0
            ? StorageKeys.successor(last)
            : null;
      }
      it.status();
      return null;
    }
  }

  private WriteOptions defaultWrites() {
    return settings.syncEveryWrite() ? syncWrites : asyncWrites;
  }

  /** Cancels the periodic fsync and waits for a run in progress (it holds the read lock). */
  private void stopWalSyncer() {
    if (walSyncer == null) {
      return;
    }
    walSyncer.shutdown();
    try {
      if (!walSyncer.awaitTermination(1, TimeUnit.MINUTES)) {
        LOG.warn(
            "the write-ahead log fsync in {} has not finished after a minute; closing anyway",
            settings.directory());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void readLock() {
    lock.readLock().lock();
    if (closed) {
      lock.readLock().unlock();
      throw new IllegalStateException(this + " is closed");
    }
  }

  private StorageException failure(String operation, int partition, RocksDBException e) {
    return new StorageException(
        operation
            + " failed on partition "
            + StorageKeys.partitionToString(partition)
            + " in "
            + settings.directory()
            + ": "
            + e.getMessage(),
        e);
  }

  static CompressionType compressionType(String name) {
    return switch (name) {
      case "none" -> CompressionType.NO_COMPRESSION;
      case "snappy" -> CompressionType.SNAPPY_COMPRESSION;
      case "lz4" -> CompressionType.LZ4_COMPRESSION;
      case "zstd" -> CompressionType.ZSTD_COMPRESSION;
      default -> throw new IllegalArgumentException("unsupported compression '" + name + "'");
    };
  }

  private static void loadLibraryOnce() {
    synchronized (LIBRARY_LOCK) {
      if (!libraryLoaded) {
        try {
          RocksDB.loadLibrary();
        } catch (RuntimeException | LinkageError e) {
          throw new StorageException("cannot load the RocksDB native library", e);
        }
        libraryLoaded = true;
      }
    }
  }

  private static void closeQuietly(AutoCloseable... resources) {
    for (AutoCloseable resource : resources) {
      if (resource != null) {
        try {
          resource.close();
        } catch (Exception ignored) {
          // best effort: releasing native memory, nothing useful to report
        }
      }
    }
  }
}
