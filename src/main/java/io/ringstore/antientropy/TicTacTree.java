package io.ringstore.antientropy;

import io.ringstore.ring.KeyHash;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The TicTac Merkle tree of one partition replica on one node (as in Riak's {@code
 * kv_index_tictactree}): a fixed array of 64-bit segment hashes, each the XOR of the {@link
 * #entryHash entry hashes} of the keys in that segment, grouped into branches ({@link TreeShape})
 * whose hashes are the XOR of their segments; the root is the XOR of everything. Because XOR is its
 * own inverse and order independent, a write updates the tree in O(1) by XOR-ing out the old entry
 * hash and XOR-ing in the new one, and the result equals a rebuild from scratch.
 *
 * <p>Two replicas of the same partition compare roots, then {@link #branchHashes()}, then the
 * {@link #segmentHashes segments} of the differing branches, and finally the {@link KeyHashes} of
 * the differing segments, so only differing keys are repaired. This upholds DESIGN invariant 4
 * (replicas converge): identical contents give identical trees, and any difference in a key's
 * object shows up in the root, exactly one branch and exactly one segment.
 *
 * <p>Thread-safe: storage threads may call {@link #update} concurrently (lock-free XORs on an
 * {@link AtomicLongArray}, sharing a read lock); reads ({@link #root}, {@link #branchHashes},
 * {@link #segmentHashes}, {@link #snapshot}) take the exclusive lock, so each sees a consistent cut
 * of completed updates. Callers must pass the object actually replaced as {@code old}: the tree
 * cannot detect a wrong one, it would just differ from its peers until the next rebuild.
 */
public final class TicTacTree {

  /** Default number of segments per partition tree (32 branches of 32 segments). */
  public static final int DEFAULT_SEGMENTS = TreeShape.DEFAULT_SEGMENTS;

  /** Odd multiplier (2^64 / golden ratio) applied to the key hash in {@link #entryHash}. */
  private static final long KEY_MULTIPLIER = 0x9E3779B97F4A7C15L;

  /** Constant mixed into every entry hash so trivial inputs (empty key and object) are not 0. */
  private static final long ENTRY_SALT = 0x6A09E667F3BCC909L;

  private final TreeShape shape;
  private final AtomicLongArray segments;
  private final Lock updateLock;
  private final Lock readLock;

  /** An empty tree of {@value #DEFAULT_SEGMENTS} segments. */
  public TicTacTree() {
    this(DEFAULT_SEGMENTS);
  }

  /** An empty tree of {@code segments} segments (a power of two, see {@link TreeShape}). */
  public TicTacTree(int segments) {
    this(new TreeShape(segments));
  }

  /** An empty tree of the given shape. */
  public TicTacTree(TreeShape shape) {
    this.shape = Objects.requireNonNull(shape, "shape");
    this.segments = new AtomicLongArray(shape.segments());
    // Updates commute, so they share the lock; readers take it exclusively for a consistent cut.
    ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    this.updateLock = lock.readLock();
    this.readLock = lock.writeLock();
  }

  /**
   * A tree built from a storage scan: every {@code (key, objectBytes)} pair added once. Equal to
   * applying the same final contents through {@link #update} in any order.
   */
  public static TicTacTree rebuild(
      int segments, Iterable<? extends Map.Entry<byte[], byte[]>> entries) {
    TicTacTree tree = new TicTacTree(segments);
    for (Map.Entry<byte[], byte[]> e : entries) {
      tree.add(e.getKey(), e.getValue());
    }
    return tree;
  }

  /**
   * The entry hash of a stored key and its object bytes (the stored-object encoding, siblings and
   * causal context included):
   *
   * <pre>{@code
   * fmix64(hash64(key) * 0x9E3779B97F4A7C15L ^ hash64(objectBytes) ^ 0x6A09E667F3BCC909L)
   * }</pre>
   *
   * <p>where {@code hash64} is {@link KeyHash#hash64(byte[])} and {@code fmix64} the MurmurHash3
   * 64-bit finalizer. Multiplying by an odd constant, XOR and {@code fmix64} are bijections, so for
   * the same key the entry hash changes exactly when {@code hash64(objectBytes)} does, and for the
   * same object exactly when {@code hash64(key)} does. The salt keeps the empty key and object from
   * hashing to 0. Fixed forever: replicas on different nodes (and versions) must agree.
   */
  public static long entryHash(byte[] key, byte[] objectBytes) {
    return entryHashOf(KeyHash.hash64(key), objectBytes);
  }

  private static long entryHashOf(long keyHash, byte[] objectBytes) {
    return fmix64(keyHash * KEY_MULTIPLIER ^ KeyHash.hash64(objectBytes) ^ ENTRY_SALT);
  }

  /**
   * Records that {@code key} changed from {@code oldObjectOrNull} (null: it was absent) to {@code
   * newObjectOrNull} (null: it was removed). O(1): XORs out the old entry hash and XORs in the new
   * one in the key's segment. Hashing happens outside any lock.
   */
  public void update(byte[] key, byte[] oldObjectOrNull, byte[] newObjectOrNull) {
    Objects.requireNonNull(key, "key");
    long keyHash = KeyHash.hash64(key);
    long delta = 0L;
    if (oldObjectOrNull != null) {
      delta ^= entryHashOf(keyHash, oldObjectOrNull);
    }
    if (newObjectOrNull != null) {
      delta ^= entryHashOf(keyHash, newObjectOrNull);
    }
    if (delta == 0L) {
      return;
    }
    int segment = shape.segmentOfHash(keyHash);
    updateLock.lock();
    try {
      segments.getAndAccumulate(segment, delta, (a, b) -> a ^ b);
    } finally {
      updateLock.unlock();
    }
  }

  /**
   * Adds a key that was absent: {@code update(key, null, objectBytes)}. Shaped as a {@code
   * BiConsumer<byte[], byte[]>} so a storage scan can feed it directly.
   */
  public void add(byte[] key, byte[] objectBytes) {
    update(key, null, Objects.requireNonNull(objectBytes, "objectBytes"));
  }

  /** The root hash: XOR of all segment hashes (0 for an empty tree). */
  public long root() {
    readLock.lock();
    try {
      long root = 0L;
      for (int s = 0; s < segments.length(); s++) {
        root ^= segments.get(s);
      }
      return root;
    } finally {
      readLock.unlock();
    }
  }

  /** The hash of every branch, indexed by branch id. */
  public long[] branchHashes() {
    return shape.branchHashesOf(segmentArray());
  }

  /** The hashes of the asked segments only, in the order asked. */
  public long[] segmentHashes(int[] segmentIds) {
    for (int id : segmentIds) {
      shape.checkSegment(id);
    }
    readLock.lock();
    try {
      long[] hashes = new long[segmentIds.length];
      for (int i = 0; i < segmentIds.length; i++) {
        hashes[i] = segments.get(segmentIds[i]);
      }
      return hashes;
    } finally {
      readLock.unlock();
    }
  }

  /** An immutable copy of all segment hashes, taken as a consistent cut. */
  public TreeSnapshot snapshot() {
    return new TreeSnapshot(segmentArray());
  }

  /** The segment of {@code key} (its UTF-8 bytes) in this tree. */
  public int segmentOf(byte[] key) {
    return shape.segmentOf(key);
  }

  /** This tree's layout. */
  public TreeShape shape() {
    return shape;
  }

  /** Number of segments. */
  public int segmentCount() {
    return shape.segments();
  }

  /** Number of branches. */
  public int branchCount() {
    return shape.branchCount();
  }

  /** The segment ids of {@code branch}, ascending. */
  public int[] segmentsOfBranch(int branch) {
    return shape.segmentsOfBranch(branch);
  }

  /** Indices of the branches whose hashes differ; both arrays hold all branches of one shape. */
  public static int[] differingBranches(long[] mine, long[] theirs) {
    requireSameLength(mine.length, theirs.length, "branch");
    return differingIndices(mine, theirs);
  }

  /**
   * The ids (from {@code segmentIds}) of the segments whose hashes differ, where {@code mine[i]}
   * and {@code theirs[i]} are the hashes of segment {@code segmentIds[i]} on each replica.
   */
  public static int[] differingSegments(int[] segmentIds, long[] mine, long[] theirs) {
    requireSameLength(segmentIds.length, mine.length, "segment");
    requireSameLength(segmentIds.length, theirs.length, "segment");
    int[] indices = differingIndices(mine, theirs);
    int[] ids = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      ids[i] = segmentIds[indices[i]];
    }
    return ids;
  }

  private static int[] differingIndices(long[] mine, long[] theirs) {
    int[] out = new int[mine.length];
    int n = 0;
    for (int i = 0; i < mine.length; i++) {
      if (mine[i] != theirs[i]) {
        out[n++] = i;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static void requireSameLength(int a, int b, String what) {
    if (a != b) {
      throw new IllegalArgumentException(what + " hash arrays differ in length: " + a + " vs " + b);
    }
  }

  private long[] segmentArray() {
    readLock.lock();
    try {
      long[] copy = new long[segments.length()];
      for (int s = 0; s < copy.length; s++) {
        copy[s] = segments.get(s);
      }
      return copy;
    } finally {
      readLock.unlock();
    }
  }

  /** MurmurHash3's 64-bit finalizer: a bijection that spreads every input bit. */
  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  @Override
  public String toString() {
    return "TicTacTree[" + shape.segments() + " segments, root=" + Long.toHexString(root()) + "]";
  }
}
