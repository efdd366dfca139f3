package io.ringstore.antientropy;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable copy of a {@link TicTacTree}'s segment hashes, as taken by {@link
 * TicTacTree#snapshot()}: what an exchange compares level by level, or ships to a peer. Equal by
 * content, so two replicas of the same partition hold equal data exactly when (barring 64-bit hash
 * collisions) their snapshots are equal — the observable form of DESIGN invariant 4 (replicas
 * converge). The array is copied in and out; the shape follows from its length.
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the contents
public record TreeSnapshot(long[] segments) {

  /** Copies {@code segments}, whose length must be a valid segment count ({@link TreeShape}). */
  public TreeSnapshot {
    Objects.requireNonNull(segments, "segments");
    new TreeShape(segments.length);
    segments = segments.clone();
  }

  /** A copy of all segment hashes, indexed by segment id. */
  @Override
  public long[] segments() {
    return segments.clone();
  }

  /** The layout of the tree this snapshot was taken from. */
  public TreeShape shape() {
    return new TreeShape(segments.length);
  }

  /** Number of segments. */
  public int segmentCount() {
    return segments.length;
  }

  /** The root hash: XOR of all segment hashes. */
  public long root() {
    long root = 0L;
    for (long s : segments) {
      root ^= s;
    }
    return root;
  }

  /** The hash of every branch, indexed by branch id. */
  public long[] branchHashes() {
    return shape().branchHashesOf(segments);
  }

  /** The hashes of the asked segments only, in the order asked. */
  public long[] segmentHashes(int[] segmentIds) {
    TreeShape shape = shape();
    long[] hashes = new long[segmentIds.length];
    for (int i = 0; i < segmentIds.length; i++) {
      shape.checkSegment(segmentIds[i]);
      hashes[i] = segments[segmentIds[i]];
    }
    return hashes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TreeSnapshot other && Arrays.equals(segments, other.segments);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(segments);
  }

  @Override
  public String toString() {
    return "TreeSnapshot[" + segments.length + " segments, root=" + Long.toHexString(root()) + "]";
  }
}
