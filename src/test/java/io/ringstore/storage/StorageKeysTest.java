package io.ringstore.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StorageKeysTest {

  private static int cmp(byte[] a, byte[] b) {
    return StorageKeys.UNSIGNED_LEXICOGRAPHIC.compare(a, b);
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  private static byte[] filled(int length, int value) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) value);
    return b;
  }

  @Test
  void encodesBigEndianPrefixFollowedByUserKey() {
    assertArrayEquals(
        bytes(0x01, 0x02, 0x03, 0x04, 'a', 'b'),
        StorageKeys.encode(0x01020304, "ab".getBytes(StandardCharsets.US_ASCII)));
    assertArrayEquals(bytes(0, 0, 0, 0), StorageKeys.encode(0, new byte[0]));
    assertArrayEquals(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xC3, 0xA9), StorageKeys.encode(-1, "é"));
  }

  @Test
  void roundTrips() {
    Random random = new Random(42);
    int[] partitions = {0, 1, 255, 256, 65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE, -1};
    for (int p : partitions) {
      for (int len : new int[] {0, 1, 7, 300}) {
        byte[] key = new byte[len];
        random.nextBytes(key);
        byte[] stored = StorageKeys.encode(p, key);
        assertEquals(StorageKeys.PREFIX_LENGTH + len, stored.length);
        assertEquals(p, StorageKeys.partitionOf(stored));
        assertArrayEquals(key, StorageKeys.userKeyOf(stored));
        assertTrue(StorageKeys.belongsTo(p, stored));
        assertFalse(StorageKeys.belongsTo(p + 1, stored));
      }
    }
  }

  @Test
  void encodeCopiesTheUserKey() {
    byte[] key = bytes(1, 2);
    byte[] stored = StorageKeys.encode(3, key);
    key[0] = 9;
    assertArrayEquals(bytes(0, 0, 0, 3, 1, 2), stored);
    byte[] userKey = StorageKeys.userKeyOf(stored);
    userKey[0] = 9;
    assertArrayEquals(bytes(0, 0, 0, 3, 1, 2), stored);
  }

  @Test
  void partitionRangeBounds() {
    assertArrayEquals(bytes(0, 0, 0xFF, 0xFF), StorageKeys.partitionStart(65535));
    assertArrayEquals(bytes(0, 1, 0, 0), StorageKeys.partitionEndExclusive(65535));
    assertArrayEquals(bytes(0x80, 0, 0, 0), StorageKeys.partitionEndExclusive(Integer.MAX_VALUE));
    assertNull(StorageKeys.partitionEndExclusive(StorageKeys.LAST_PARTITION));
    assertEquals(-1, StorageKeys.LAST_PARTITION);
    assertEquals("4294967295", StorageKeys.partitionToString(-1));
  }

  @Test
  void partitionsZeroAnd65535DoNotOverlap() {
    byte[] largestOfZero = StorageKeys.encode(0, filled(64, 0xFF));
    byte[] smallestOf65535 = StorageKeys.encode(65535, new byte[0]);
    assertTrue(cmp(largestOfZero, StorageKeys.partitionEndExclusive(0)) < 0);
    assertTrue(cmp(largestOfZero, smallestOf65535) < 0);
    assertTrue(
        cmp(StorageKeys.encode(65535, filled(64, 0xFF)), StorageKeys.partitionEndExclusive(65535))
            < 0);
    assertTrue(cmp(StorageKeys.partitionEndExclusive(0), StorageKeys.partitionStart(65535)) <= 0);
  }

  @Test
  void everyKeyOfPartitionLiesInsideItsRangeEvenWithExtremeBytes() {
    byte[][] userKeys = {
      new byte[0],
      bytes(0),
      bytes(0, 0, 0, 0),
      filled(1, 0xFF),
      filled(4, 0xFF),
      filled(1000, 0xFF),
      bytes(0xFF, 0xFF, 0xFF, 0xFF, 0),
      bytes(0x80),
      bytes(0x7F, 0xFF)
    };
    int[] partitions = {0, 1, 65534, 65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE, -2, -1};
    for (int p : partitions) {
      byte[] start = StorageKeys.partitionStart(p);
      byte[] end = StorageKeys.partitionEndExclusive(p);
      for (byte[] k : userKeys) {
        byte[] stored = StorageKeys.encode(p, k);
        assertTrue(cmp(start, stored) <= 0, "start <= key for partition " + p);
        if (end != null) {
          assertTrue(cmp(stored, end) < 0, "key < end for partition " + p);
        }
        if (p != -1) {
          // the smallest key of p+1 is strictly after every key of p
          assertTrue(cmp(stored, StorageKeys.encode(p + 1, new byte[0])) < 0);
        }
      }
    }
  }

  @Test
  void partitionsSortAsUnsignedNumbers() {
    int[] ascendingUnsigned = {
      0, 1, 255, 256, 65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE, -2, -1
    };
    for (int i = 1; i < ascendingUnsigned.length; i++) {
      assertTrue(
          cmp(
                  StorageKeys.encode(ascendingUnsigned[i - 1], filled(8, 0xFF)),
                  StorageKeys.encode(ascendingUnsigned[i], new byte[0]))
              < 0,
          "partition " + ascendingUnsigned[i - 1] + " before " + ascendingUnsigned[i]);
    }
  }

  @Test
  void storedOrderWithinPartitionIsUnsignedOrderOfUserKeys() {
    List<byte[]> keys =
        new ArrayList<>(
            List.of(
                new byte[0],
                bytes(0),
                bytes(0, 0),
                bytes(1),
                bytes(0x7F),
                bytes(0x80),
                bytes(0xFF),
                bytes(0xFF, 0),
                bytes(0xFF, 0xFF),
                "a".getBytes(StandardCharsets.UTF_8)));
    Collections.shuffle(keys, new Random(7));
    List<byte[]> byUserKey = new ArrayList<>(keys);
    byUserKey.sort(StorageKeys.UNSIGNED_LEXICOGRAPHIC);
    List<byte[]> byStoredKey = new ArrayList<>(keys);
    byStoredKey.sort((a, b) -> cmp(StorageKeys.encode(42, a), StorageKeys.encode(42, b)));
    assertEquals(byUserKey, byStoredKey);
    assertTrue(cmp(bytes(0x80), bytes(0x7F)) > 0, "comparator must be unsigned");
  }

  @Test
  void successorIsSmallestGreaterKey() {
    byte[] k = bytes(1, 0xFF);
    byte[] s = StorageKeys.successor(k);
    assertArrayEquals(bytes(1, 0xFF, 0), s);
    assertTrue(cmp(k, s) < 0);
    assertTrue(cmp(s, bytes(1, 0xFF, 0, 0)) < 0);
    assertTrue(cmp(s, bytes(2)) < 0);
    assertArrayEquals(bytes(0), StorageKeys.successor(new byte[0]));
  }

  @Test
  void rejectsMalformedInput() {
    assertThrows(IllegalArgumentException.class, () -> StorageKeys.partitionOf(bytes(1, 2, 3)));
    assertThrows(IllegalArgumentException.class, () -> StorageKeys.userKeyOf(new byte[0]));
    assertFalse(StorageKeys.belongsTo(0, bytes(0, 0)));
    assertThrows(NullPointerException.class, () -> StorageKeys.encode(0, (byte[]) null));
    assertThrows(NullPointerException.class, () -> StorageKeys.encode(0, (String) null));
  }
}
