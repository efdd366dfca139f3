package io.ringstore.storage;

import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The node-local key-value store that holds this node's replicas of every partition it owns.
 *
 * <p>Role: the durable local copy behind DESIGN invariant 1 (<em>an acknowledged write is never
 * lost</em>). When {@link #put} or {@link #delete} returns normally the change is durable to the
 * level the implementation documents (see {@link RocksDbStorage}); when it throws, the change must
 * be treated as not acknowledged.
 *
 * <p>Contract shared by all implementations:
 *
 * <ul>
 *   <li>The {@code partition} argument is interpreted as an <em>unsigned</em> 32-bit number, so
 *       every {@code int} is a valid partition ({@code -1} is partition {@code 0xFFFFFFFF}).
 *   <li>Keys are arbitrary byte arrays (the empty array included), ordered unsigned
 *       lexicographically within a partition. Values are opaque byte arrays (empty allowed). {@code
 *       null} keys or values are rejected with {@link NullPointerException}.
 *   <li>Arrays are never shared: arguments are copied or consumed before the call returns, and
 *       every array handed back (by {@link #get} or to a visitor) is a fresh copy the caller owns.
 *   <li>All methods are safe for concurrent callers. A scan sees a consistent point-in-time view of
 *       its partition; writes made concurrently (even from inside the visitor) may or may not be
 *       seen by that scan.
 *   <li>Storage failures surface as the unchecked {@link StorageException} (with the cause). Any
 *       call other than {@link #close()} on a closed engine throws {@link IllegalStateException}.
 * </ul>
 */
public interface StorageEngine extends AutoCloseable {

  /** The value stored under {@code key} in {@code partition}, or empty if there is none. */
  Optional<byte[]> get(int partition, byte[] key);

  /**
   * Stores {@code value} under {@code key}, replacing any previous value, with the engine's
   * configured default durability (for {@link RocksDbStorage}: {@link RocksDbSettings#walSync()}).
   */
  void put(int partition, byte[] key, byte[] value);

  /**
   * Stores {@code value} under {@code key}, replacing any previous value.
   *
   * @param sync if {@code true}, the write-ahead log is fsynced before this method returns, so the
   *     write survives a machine crash or power loss; if {@code false} it survives a crash of the
   *     process only (see the implementation's documentation)
   */
  void put(int partition, byte[] key, byte[] value, boolean sync);

  /**
   * Removes {@code key} from {@code partition} (no-op if absent), with the configured default
   * durability.
   */
  void delete(int partition, byte[] key);

  /**
   * Visits every {@code (userKey, value)} pair of {@code partition} in ascending unsigned
   * lexicographic key order. Never visits keys of any other partition. The visitor runs on the
   * calling thread; an exception it throws aborts the scan and propagates. The visitor may read and
   * write this engine but must not {@linkplain #close() close} it.
   */
  void scan(int partition, BiConsumer<byte[], byte[]> visitor);

  /**
   * Visits at most {@code limit} pairs of {@code partition} in key order, starting with the first
   * key strictly greater than {@code startAfterExclusiveOrNull} ({@code null}: from the start of
   * the partition). Intended for batched copying:
   *
   * <pre>{@code
   * byte[] last = null;
   * do {
   *     last = engine.scanFrom(p, last, 1000, sink);
   * } while (last != null);
   * }</pre>
   *
   * Visits every key present for the whole duration of such a loop exactly once.
   *
   * @param limit maximum number of pairs to visit, must be positive
   * @return the user key of the last pair visited, or {@code null} if nothing was visited (the
   *     partition has no keys after {@code startAfterExclusiveOrNull})
   * @throws IllegalArgumentException if {@code limit <= 0}
   */
  byte[] scanFrom(
      int partition,
      byte[] startAfterExclusiveOrNull,
      int limit,
      BiConsumer<byte[], byte[]> visitor);

  /** Number of keys currently in {@code partition}. May iterate the partition (O(n)). */
  long countKeys(int partition);

  /**
   * The engine's own figures for monitoring, by metric name without the {@code ringstore_storage_}
   * prefix (e.g. {@code estimated_keys}, {@code sst_bytes}); cheap (no scan). Empty when it has
   * none.
   */
  default Map<String, Long> statistics() {
    return Map.of();
  }

  /**
   * Removes every key of {@code partition} (and only of that partition), e.g. after the partition
   * has been handed off to its new owner. The space may come back only with {@link
   * #compactPartition}.
   */
  void dropPartition(int partition);

  /**
   * Reorganises {@code partition}'s data on disk, giving back the space of deleted keys (e.g. after
   * {@link #dropPartition}). Blocking, may take a while for a large partition; concurrent reads and
   * writes stay correct. No-op for engines without such a step.
   */
  default void compactPartition(int partition) {}

  /**
   * Releases all resources. Idempotent. Waits for calls in progress on other threads (including
   * running scans) to finish; must not be called from inside a scan visitor.
   */
  @Override
  void close();
}
