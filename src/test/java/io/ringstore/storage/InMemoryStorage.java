package io.ringstore.storage;

import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;

/**
 * Heap-only {@link StorageEngine} for unit tests of other modules: same key layout ({@link
 * StorageKeys}), ordering and contract as {@link RocksDbStorage}, but nothing is durable, so it
 * must never back a real node (it cannot uphold DESIGN invariant 1). It passes the same behavioural
 * contract tests as the RocksDB engine.
 *
 * <p>Values are copied in and out, so callers can mutate their arrays freely, like with RocksDB.
 * The {@code sync} flag is accepted and ignored. Scans are weakly consistent (they may observe
 * concurrent writes), which the contract allows.
 */
public final class InMemoryStorage implements StorageEngine {

  private final ConcurrentSkipListMap<byte[], byte[]> data =
      new ConcurrentSkipListMap<>(StorageKeys.UNSIGNED_LEXICOGRAPHIC);
  private volatile boolean closed;

  @Override
  public Optional<byte[]> get(int partition, byte[] key) {
    byte[] storedKey = StorageKeys.encode(partition, key);
    checkOpen();
    byte[] value = data.get(storedKey);
    return value == null ? Optional.empty() : Optional.of(value.clone());
  }

  @Override
  public void put(int partition, byte[] key, byte[] value) {
    put(partition, key, value, false);
  }

  @Override
  public void put(int partition, byte[] key, byte[] value, boolean sync) {
    byte[] storedKey = StorageKeys.encode(partition, key);
    Objects.requireNonNull(value, "value");
    checkOpen();
    data.put(storedKey, value.clone());
  }

  @Override
  public void delete(int partition, byte[] key) {
    byte[] storedKey = StorageKeys.encode(partition, key);
    checkOpen();
    data.remove(storedKey);
  }

  @Override
  public void scan(int partition, BiConsumer<byte[], byte[]> visitor) {
    Objects.requireNonNull(visitor, "visitor");
    checkOpen();
    for (Map.Entry<byte[], byte[]> e : range(partition, null).entrySet()) {
      visitor.accept(StorageKeys.userKeyOf(e.getKey()), e.getValue().clone());
    }
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
    checkOpen();
    byte[] last = null;
    int visited = 0;
    for (Map.Entry<byte[], byte[]> e : range(partition, startAfterExclusiveOrNull).entrySet()) {
      if (visited == limit) {
        break;
      }
      last = StorageKeys.userKeyOf(e.getKey());
      visitor.accept(last.clone(), e.getValue().clone());
      visited++;
    }
    return last;
  }

  @Override
  public long countKeys(int partition) {
    checkOpen();
    return range(partition, null).size();
  }

  @Override
  public void dropPartition(int partition) {
    checkOpen();
    range(partition, null).clear();
  }

  @Override
  public void close() {
    closed = true;
  }

  private NavigableMap<byte[], byte[]> range(int partition, byte[] startAfterExclusiveOrNull) {
    byte[] from =
        startAfterExclusiveOrNull == null
            ? StorageKeys.partitionStart(partition)
            : StorageKeys.encode(partition, startAfterExclusiveOrNull);
    boolean fromInclusive = startAfterExclusiveOrNull == null;
    byte[] to = StorageKeys.partitionEndExclusive(partition);
    return to == null
        ? data.tailMap(from, fromInclusive)
        : data.subMap(from, fromInclusive, to, false);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("InMemoryStorage is closed");
    }
  }
}
