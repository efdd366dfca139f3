package io.ringstore.replica;

import java.util.List;

/**
 * Read access to this node's anti-entropy hash trees, one per partition, as replica entities answer
 * a peer's exchange session. Implemented by {@code antientropy.PartitionTrees}; defined here so
 * replica entities need not know the tree. {@link #keyHashes} scans storage: call it on the storage
 * dispatcher.
 */
public interface PartitionTreeAccess {
  /** A node without trees (tests of other parts): every call fails with a clear message. */
  PartitionTreeAccess NONE =
      new PartitionTreeAccess() {
        @Override
        public long[] branchHashes(int partition) {
          throw new IllegalStateException("anti-entropy trees are not available on this node");
        }

        @Override
        public long[] segmentHashes(int partition, int[] segments) {
          throw new IllegalStateException("anti-entropy trees are not available on this node");
        }

        @Override
        public KeyHashList keyHashes(int partition, int[] segments) {
          throw new IllegalStateException("anti-entropy trees are not available on this node");
        }
      };

  long[] branchHashes(int partition);

  long[] segmentHashes(int partition, int[] segments);

  /** Each key of the partition in the given segments with the hash of its stored object. */
  KeyHashList keyHashes(int partition, int[] segments);

  /** Keys and their entry hashes, index-aligned (a compact shape for messages). */
  @SuppressWarnings("ArrayRecordComponent") // carries the array as it is, never compared
  record KeyHashList(List<String> keys, long[] hashes) {}
}
