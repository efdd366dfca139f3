package io.ringstore.antientropy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The last level of an exchange: for the differing segments of a partition, each key a replica
 * holds there with its {@link TicTacTree#entryHash entry hash}. Built by the caller from a storage
 * scan ({@link #builder}, which drops keys of other segments); two replicas' key hashes for the
 * same segments give the exact keys to repair ({@link #differingKeys}), which is how an exchange
 * upholds DESIGN invariant 4 (replicas converge) while repairing only what differs.
 */
public record KeyHashes(Map<ByteKey, Long> hashes) {

  /** Copies {@code hashes} into an unmodifiable map. */
  public KeyHashes {
    hashes = Map.copyOf(Objects.requireNonNull(hashes, "hashes"));
  }

  /** A builder keeping only keys whose segment (in {@code shape}) is one of {@code segmentIds}. */
  public static Builder builder(TreeShape shape, int[] segmentIds) {
    return new Builder(shape, segmentIds);
  }

  /** The key hashes of {@code entries} (key, object bytes) that fall in {@code segmentIds}. */
  public static KeyHashes of(
      TreeShape shape, int[] segmentIds, Iterable<? extends Map.Entry<byte[], byte[]>> entries) {
    Builder builder = builder(shape, segmentIds);
    for (Map.Entry<byte[], byte[]> e : entries) {
      builder.add(e.getKey(), e.getValue());
    }
    return builder.build();
  }

  /** Number of keys. */
  public int size() {
    return hashes.size();
  }

  /** The keys that differ between this replica and {@code theirs}; see the static form. */
  public List<byte[]> differingKeys(KeyHashes theirs) {
    return differingKeys(hashes, theirs.hashes);
  }

  /**
   * The keys present on only one side or with different entry hashes, in unsigned lexicographic
   * order. Both maps must cover the same segments.
   */
  public static List<byte[]> differingKeys(Map<ByteKey, Long> mine, Map<ByteKey, Long> theirs) {
    TreeSet<ByteKey> differing = new TreeSet<>();
    mine.forEach(
        (key, hash) -> {
          if (!hash.equals(theirs.get(key))) {
            differing.add(key);
          }
        });
    theirs.keySet().stream().filter(key -> !mine.containsKey(key)).forEach(differing::add);
    List<byte[]> keys = new ArrayList<>(differing.size());
    differing.forEach(key -> keys.add(key.bytes()));
    return keys;
  }

  /**
   * Collects the key hashes of one replica for a set of segments. Not thread-safe; {@link #add}
   * fits a storage scan's {@code BiConsumer<byte[], byte[]>}.
   */
  public static final class Builder {
    private final TreeShape shape;
    private final BitSet wanted = new BitSet();
    private final Map<ByteKey, Long> hashes = new HashMap<>();

    private Builder(TreeShape shape, int[] segmentIds) {
      this.shape = Objects.requireNonNull(shape, "shape");
      for (int id : segmentIds) {
        shape.checkSegment(id);
        wanted.set(id);
      }
    }

    /** Adds {@code key} if its segment is wanted; returns whether it was added. */
    public boolean add(byte[] key, byte[] objectBytes) {
      if (!wanted.get(shape.segmentOf(key))) {
        return false;
      }
      hashes.put(new ByteKey(key), TicTacTree.entryHash(key, objectBytes));
      return true;
    }

    /** The collected key hashes. */
    public KeyHashes build() {
      return new KeyHashes(hashes);
    }
  }
}
