package io.ringstore.antientropy;

import io.ringstore.ring.KeyHash;

/**
 * The fixed layout of a {@link TicTacTree}: {@code segments} leaf segments (a power of two) grouped
 * into {@code branchCount()} contiguous branches of {@code segmentsPerBranch()} segments each. With
 * {@code 2^b} segments there are {@code 2^floor(b/2)} branches, so the default 1024 segments form
 * 32 branches of 32 segments. Two replicas can only be compared when their shapes are equal.
 *
 * <p>A key's segment is the low {@code log2(segments)} bits of {@link KeyHash#hash64(byte[])} of
 * its UTF-8 bytes. The partition is chosen by the top bits of the same hash, so the low bits still
 * spread the keys of one partition evenly over its segments. The mapping is fixed forever: every
 * replica must put a key in the same segment, or trees of identical data would differ (DESIGN
 * invariant 4, replicas converge, depends on equal data giving equal trees).
 */
public record TreeShape(int segments) {

  /** Default number of segments per partition tree. */
  public static final int DEFAULT_SEGMENTS = 1024;

  /** Largest supported number of segments (8 MiB of segment hashes per tree). */
  public static final int MAX_SEGMENTS = 1 << 20;

  /** Validates that {@code segments} is a power of two in {@code 1..MAX_SEGMENTS}. */
  public TreeShape {
    if (segments < 1 || segments > MAX_SEGMENTS || Integer.bitCount(segments) != 1) {
      throw new IllegalArgumentException(
          "segments must be a power of two in 1.." + MAX_SEGMENTS + ", got " + segments);
    }
  }

  /** The default shape: {@value #DEFAULT_SEGMENTS} segments in 32 branches. */
  public static TreeShape defaultShape() {
    return new TreeShape(DEFAULT_SEGMENTS);
  }

  /** Number of branches: {@code 2^floor(log2(segments)/2)}. */
  public int branchCount() {
    return 1 << (Integer.numberOfTrailingZeros(segments) / 2);
  }

  /** Number of segments in each branch: {@code segments / branchCount()}. */
  public int segmentsPerBranch() {
    return segments / branchCount();
  }

  /** The segment of a key (its UTF-8 bytes): the low bits of its 64-bit {@link KeyHash}. */
  public int segmentOf(byte[] key) {
    return segmentOfHash(KeyHash.hash64(key));
  }

  /** The segment of a key whose {@link KeyHash#hash64(byte[])} is {@code keyHash}. */
  public int segmentOfHash(long keyHash) {
    return (int) (keyHash & (segments - 1));
  }

  /** The branch holding {@code segment}. */
  public int branchOf(int segment) {
    checkSegment(segment);
    return segment / segmentsPerBranch();
  }

  /** The segment ids of {@code branch}, ascending and contiguous. */
  public int[] segmentsOfBranch(int branch) {
    if (branch < 0 || branch >= branchCount()) {
      throw new IllegalArgumentException(
          "branch " + branch + " out of range 0.." + (branchCount() - 1));
    }
    int width = segmentsPerBranch();
    int[] ids = new int[width];
    for (int i = 0; i < width; i++) {
      ids[i] = branch * width + i;
    }
    return ids;
  }

  /** The segment ids of all the given branches, in the order given. */
  public int[] segmentsOfBranches(int[] branches) {
    int width = segmentsPerBranch();
    int[] ids = new int[branches.length * width];
    for (int i = 0; i < branches.length; i++) {
      System.arraycopy(segmentsOfBranch(branches[i]), 0, ids, i * width, width);
    }
    return ids;
  }

  void checkSegment(int segment) {
    if (segment < 0 || segment >= segments) {
      throw new IllegalArgumentException(
          "segment " + segment + " out of range 0.." + (segments - 1));
    }
  }

  /** Branch hashes (XOR of each branch's segments) of a full segment-hash array of this shape. */
  long[] branchHashesOf(long[] segmentHashes) {
    int width = segmentsPerBranch();
    long[] branches = new long[branchCount()];
    for (int s = 0; s < segmentHashes.length; s++) {
      branches[s / width] ^= segmentHashes[s];
    }
    return branches;
  }
}
