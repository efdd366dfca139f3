package io.ringstore.storage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * Pure helpers for the on-disk key layout shared by every {@link StorageEngine} implementation.
 *
 * <p>A stored key is the partition number as a 4-byte big-endian <em>unsigned</em> integer followed
 * by the user key's bytes (for string keys: their UTF-8 encoding). Under unsigned lexicographic
 * byte order (RocksDB's default comparator) this makes each partition one contiguous key range
 * {@code [prefix(p), prefix(p + 1))}, ordered by user key inside, whatever bytes the user keys hold
 * (empty, {@code 0x00}- or {@code 0xFF}-heavy). The last partition {@code 0xFFFFFFFF} (the {@code
 * int} {@code -1}) has no exclusive upper bound: its range extends to the end of the key space.
 * That layout is what lets the engine scan, copy and drop one partition without touching its
 * neighbours, and so supports DESIGN invariant 1 (no acknowledged write is lost through a scan or
 * drop leaking into another partition).
 */
public final class StorageKeys {

  /** Number of bytes of the partition prefix. */
  public static final int PREFIX_LENGTH = 4;

  /** The smallest possible partition, as a 32-bit unsigned number. */
  public static final int FIRST_PARTITION = 0;

  /** The largest possible partition {@code 0xFFFFFFFF}, as a 32-bit unsigned number. */
  public static final int LAST_PARTITION = 0xFFFFFFFF;

  /** Unsigned lexicographic order of byte arrays, the order of RocksDB's default comparator. */
  public static final Comparator<byte[]> UNSIGNED_LEXICOGRAPHIC = Arrays::compareUnsigned;

  private StorageKeys() {}

  /** The stored key for {@code userKey} in {@code partition}. */
  public static byte[] encode(int partition, byte[] userKey) {
    Objects.requireNonNull(userKey, "key");
    byte[] stored = new byte[PREFIX_LENGTH + userKey.length];
    writePrefix(partition, stored);
    System.arraycopy(userKey, 0, stored, PREFIX_LENGTH, userKey.length);
    return stored;
  }

  /** The stored key for the UTF-8 encoding of {@code userKey} in {@code partition}. */
  public static byte[] encode(int partition, String userKey) {
    return encode(partition, utf8(userKey));
  }

  /** The UTF-8 bytes of a string user key. */
  public static byte[] utf8(String userKey) {
    return Objects.requireNonNull(userKey, "key").getBytes(StandardCharsets.UTF_8);
  }

  /** The partition of a stored key (read as an unsigned 32-bit number into an {@code int}). */
  public static int partitionOf(byte[] storedKey) {
    checkStored(storedKey);
    return ((storedKey[0] & 0xFF) << 24)
        | ((storedKey[1] & 0xFF) << 16)
        | ((storedKey[2] & 0xFF) << 8)
        | (storedKey[3] & 0xFF);
  }

  /** A fresh copy of the user-key part of a stored key. */
  public static byte[] userKeyOf(byte[] storedKey) {
    checkStored(storedKey);
    return Arrays.copyOfRange(storedKey, PREFIX_LENGTH, storedKey.length);
  }

  /**
   * The 4-byte prefix of {@code partition}; also the inclusive lower bound of its range (the stored
   * key of the empty user key).
   */
  public static byte[] partitionStart(int partition) {
    byte[] prefix = new byte[PREFIX_LENGTH];
    writePrefix(partition, prefix);
    return prefix;
  }

  /**
   * The exclusive upper bound of {@code partition}'s range, i.e. the prefix of the next partition,
   * or {@code null} for {@link #LAST_PARTITION}, whose range is unbounded above.
   */
  public static byte[] partitionEndExclusive(int partition) {
    if (partition == LAST_PARTITION) {
      return null;
    }
    return partitionStart(partition + 1);
  }

  /** Whether {@code storedKey} lies in {@code partition}'s range. */
  public static boolean belongsTo(int partition, byte[] storedKey) {
    return storedKey.length >= PREFIX_LENGTH && partitionOf(storedKey) == partition;
  }

  /**
   * The smallest byte array strictly greater than {@code key} in unsigned lexicographic order:
   * {@code key} followed by one {@code 0x00} byte.
   */
  public static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }

  /** Partition number as an unsigned decimal (e.g. {@code "4294967295"} for {@code -1}). */
  public static String partitionToString(int partition) {
    return Integer.toUnsignedString(partition);
  }

  private static void writePrefix(int partition, byte[] target) {
    target[0] = (byte) (partition >>> 24);
    target[1] = (byte) (partition >>> 16);
    target[2] = (byte) (partition >>> 8);
    target[3] = (byte) partition;
  }

  private static void checkStored(byte[] storedKey) {
    Objects.requireNonNull(storedKey, "storedKey");
    if (storedKey.length < PREFIX_LENGTH) {
      throw new IllegalArgumentException(
          "stored key must have at least " + PREFIX_LENGTH + " bytes, got " + storedKey.length);
    }
  }
}
