package io.ringstore.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KeyHashTest {

  /**
   * MurmurHash3_x64_128, seed 0, first 64-bit half (h1). Expected values were produced by an
   * independent implementation, Guava 33.4.6 {@code Hashing.murmur3_128(0).hashBytes(b).asLong()},
   * which also agreed on 100 000 random inputs of length 0..69. The lengths cover the empty input,
   * every tail branch class, exactly one 16-byte block, block plus 1-byte tail, and multi-byte
   * UTF-8.
   */
  static Stream<Arguments> vectors() {
    return Stream.of(
        Arguments.of("", 0x0000000000000000L),
        Arguments.of("a", 0x85555565f6597889L),
        Arguments.of("hello", 0xcbd8a7b341bd9b02L),
        Arguments.of("hello, world", 0x342fac623a5ebc8eL),
        Arguments.of("0123456789abcdef", 0x4be06d94cf4ad1a7L),
        Arguments.of("0123456789abcdefg", 0x8e32612daa45f9deL),
        Arguments.of("The quick brown fox jumps over the lazy dog", 0xe34bbc7bbc071b6cL),
        Arguments.of("127.0.0.1:25520#0", 0xe276e495e3ba57d1L),
        Arguments.of("ключ-ü-€", 0x0083ac5c43eb19f7L));
  }

  @ParameterizedTest(name = "hash64({0})")
  @MethodSource("vectors")
  void hash64MatchesKnownVectors(String input, long expected) {
    byte[] utf8 = input.getBytes(StandardCharsets.UTF_8);
    assertEquals(expected, KeyHash.hash64(utf8), () -> "hash64 bytes of '" + input + "'");
    assertEquals(expected, KeyHash.hash64(input), () -> "hash64 string of '" + input + "'");
  }

  @Test
  void full128BitDigestMatchesReference() {
    // Published digest of "hello" (seed 0): cbd8a7b341bd9b02 5b1e906a48ae1d19.
    assertArrayEquals(
        new long[] {0xcbd8a7b341bd9b02L, 0x5b1e906a48ae1d19L},
        KeyHash.murmur3x64_128("hello".getBytes(StandardCharsets.UTF_8), 0),
        "h1,h2 of 'hello'");
    assertArrayEquals(
        new long[] {0xe34bbc7bbc071b6cL, 0x7a433ca9c49a9347L},
        KeyHash.murmur3x64_128(
            "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8), 0),
        "h1,h2 of the quick brown fox");
  }

  static Stream<Arguments> fixedPartitions() {
    return Stream.of(
        Arguments.of("user:42", 64, 51),
        Arguments.of("user:42", 1024, 820),
        Arguments.of("cart/7", 64, 0),
        Arguments.of("cart/7", 1024, 10),
        Arguments.of("", 64, 0),
        Arguments.of("ключ", 64, 61),
        Arguments.of("ключ", 1024, 985),
        Arguments.of("anything", 1, 0));
  }

  @ParameterizedTest(name = "partitionOf({0}, Q={1}) = {2}")
  @MethodSource("fixedPartitions")
  void partitionOfIsStable(String key, int q, int expected) {
    assertEquals(expected, KeyHash.partitionOf(key, q), () -> "string key " + key + " Q=" + q);
    assertEquals(
        expected,
        KeyHash.partitionOf(key.getBytes(StandardCharsets.UTF_8), q),
        () -> "byte key " + key + " Q=" + q);
  }

  static Stream<Arguments> topBits() {
    return Stream.of(
        Arguments.of(0x0000000000000000L, 64, 0),
        Arguments.of(0x03ffffffffffffffL, 64, 0),
        Arguments.of(0x0400000000000000L, 64, 1),
        Arguments.of(0x7fffffffffffffffL, 64, 31),
        Arguments.of(0x8000000000000000L, 64, 32),
        Arguments.of(0xffffffffffffffffL, 64, 63),
        Arguments.of(0xffffffffffffffffL, 65536, 65535),
        Arguments.of(0x8000000000000000L, 2, 1),
        Arguments.of(0xffffffffffffffffL, 1, 0));
  }

  @ParameterizedTest(name = "partitionOfHash({0}, Q={1}) = {2}")
  @MethodSource("topBits")
  void partitionIsTopBitsOfUnsignedHash(long hash, int q, int expected) {
    assertEquals(
        expected,
        KeyHash.partitionOfHash(hash, q),
        () -> "hash " + Long.toHexString(hash) + " Q=" + q);
  }

  @Test
  void partitionRangesAreContiguousAndCoverTheSpace() {
    for (int q : new int[] {1, 2, 64, 1024, 65536}) {
      for (int p : new int[] {0, q / 2, q - 1}) {
        long start = KeyHash.partitionStart(p, q);
        assertEquals(p, KeyHash.partitionOfHash(start, q), "start of p=" + p + " Q=" + q);
        long lastOfRange = p == q - 1 ? -1L : KeyHash.partitionStart(p + 1, q) - 1;
        assertEquals(p, KeyHash.partitionOfHash(lastOfRange, q), "end of p=" + p + " Q=" + q);
      }
    }
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      long h = random.nextLong();
      int p = KeyHash.partitionOfHash(h, 64);
      long start = KeyHash.partitionStart(p, 64);
      long offset = h - start;
      assertEquals(
          true,
          Long.compareUnsigned(offset, 1L << 58) < 0,
          "hash " + Long.toHexString(h) + " inside the range of its partition " + p);
    }
  }
}
