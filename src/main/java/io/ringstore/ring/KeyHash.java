package io.ringstore.ring;

import java.nio.charset.StandardCharsets;

/**
 * The fixed 64-bit hash and partitioner of ringstore: MurmurHash3 x64 128-bit with seed 0 over the
 * key's UTF-8 bytes, keeping the first 64-bit half ({@code h1}, i.e. the low 8 bytes of the
 * little-endian 128-bit digest; identical to Guava's {@code murmur3_128(0).hashBytes(b).asLong()}).
 *
 * <p>Invariant: the function is fixed forever and platform independent, because every node must map
 * a key to the same partition and ring tokens are derived from it too. Hashes are treated as
 * unsigned: partition {@code p} of {@code Q} covers {@code [p*2^64/Q, (p+1)*2^64/Q)}, so the
 * partition of a key is the top {@code log2(Q)} bits of its hash.
 */
public final class KeyHash {

  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private KeyHash() {}

  /** 64-bit hash of the UTF-8 encoding of {@code s}. */
  public static long hash64(String s) {
    return hash64(s.getBytes(StandardCharsets.UTF_8));
  }

  /** 64-bit hash (MurmurHash3 x64-128, seed 0, first half h1) of {@code data}. */
  public static long hash64(byte[] data) {
    return murmur3x64_128(data, 0)[0];
  }

  /**
   * Full MurmurHash3 x64 128-bit digest as {@code {h1, h2}} (the reference implementation's output
   * order; the digest bytes are h1 then h2, each little-endian).
   */
  public static long[] murmur3x64_128(byte[] data, int seed) {
    final int len = data.length;
    final int nblocks = len / 16;
    long h1 = seed & 0xffffffffL;
    long h2 = seed & 0xffffffffL;

    for (int i = 0; i < nblocks; i++) {
      long k1 = getLongLe(data, i * 16);
      long k2 = getLongLe(data, i * 16 + 8);

      k1 *= C1;
      k1 = Long.rotateLeft(k1, 31);
      k1 *= C2;
      h1 ^= k1;
      h1 = Long.rotateLeft(h1, 27);
      h1 += h2;
      h1 = h1 * 5 + 0x52dce729;

      k2 *= C2;
      k2 = Long.rotateLeft(k2, 33);
      k2 *= C1;
      h2 ^= k2;
      h2 = Long.rotateLeft(h2, 31);
      h2 += h1;
      h2 = h2 * 5 + 0x38495ab5;
    }

    final int tail = nblocks * 16;
    long k1 = 0;
    long k2 = 0;
    switch (len & 15) {
      case 15:
        k2 ^= (data[tail + 14] & 0xffL) << 48; // fall through
      case 14:
        k2 ^= (data[tail + 13] & 0xffL) << 40; // fall through
      case 13:
        k2 ^= (data[tail + 12] & 0xffL) << 32; // fall through
      case 12:
        k2 ^= (data[tail + 11] & 0xffL) << 24; // fall through
      case 11:
        k2 ^= (data[tail + 10] & 0xffL) << 16; // fall through
      case 10:
        k2 ^= (data[tail + 9] & 0xffL) << 8; // fall through
      case 9:
        k2 ^= (data[tail + 8] & 0xffL);
        k2 *= C2;
        k2 = Long.rotateLeft(k2, 33);
        k2 *= C1;
        h2 ^= k2;
      // fall through
      case 8:
        k1 ^= (data[tail + 7] & 0xffL) << 56; // fall through
      case 7:
        k1 ^= (data[tail + 6] & 0xffL) << 48; // fall through
      case 6:
        k1 ^= (data[tail + 5] & 0xffL) << 40; // fall through
      case 5:
        k1 ^= (data[tail + 4] & 0xffL) << 32; // fall through
      case 4:
        k1 ^= (data[tail + 3] & 0xffL) << 24; // fall through
      case 3:
        k1 ^= (data[tail + 2] & 0xffL) << 16; // fall through
      case 2:
        k1 ^= (data[tail + 1] & 0xffL) << 8; // fall through
      case 1:
        k1 ^= (data[tail] & 0xffL);
        k1 *= C1;
        k1 = Long.rotateLeft(k1, 31);
        k1 *= C2;
        h1 ^= k1;
        break;
      default:
        break;
    }

    h1 ^= len;
    h2 ^= len;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    h2 += h1;
    return new long[] {h1, h2};
  }

  /** Partition of a key: the top {@code log2(partitionCount)} bits of its hash. */
  public static int partitionOf(byte[] keyUtf8, int partitionCount) {
    return partitionOfHash(hash64(keyUtf8), partitionCount);
  }

  /** Partition of a key given as a string (hashed as UTF-8). */
  public static int partitionOf(String key, int partitionCount) {
    return partitionOf(key.getBytes(StandardCharsets.UTF_8), partitionCount);
  }

  /**
   * Partition owning an (unsigned) hash value: its top {@code log2(partitionCount)} bits. {@code
   * partitionCount} must be a power of two in 1..65536.
   */
  public static int partitionOfHash(long hash, int partitionCount) {
    int bits = Integer.numberOfTrailingZeros(partitionCount);
    return bits == 0 ? 0 : (int) (hash >>> (64 - bits));
  }

  /** First (unsigned) hash value of partition {@code p}: {@code p * 2^64 / partitionCount}. */
  public static long partitionStart(int partition, int partitionCount) {
    int bits = Integer.numberOfTrailingZeros(partitionCount);
    return bits == 0 ? 0L : ((long) partition) << (64 - bits);
  }

  private static long getLongLe(byte[] b, int off) {
    return (b[off] & 0xffL)
        | (b[off + 1] & 0xffL) << 8
        | (b[off + 2] & 0xffL) << 16
        | (b[off + 3] & 0xffL) << 24
        | (b[off + 4] & 0xffL) << 32
        | (b[off + 5] & 0xffL) << 40
        | (b[off + 6] & 0xffL) << 48
        | (b[off + 7] & 0xffL) << 56;
  }

  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
