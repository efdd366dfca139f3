package io.ringstore.transfer;

import java.util.concurrent.atomic.LongAdder;

/**
 * What {@link PartitionReclaimer} gave back on this node since it started: partitions dropped and
 * the keys deleted with them. Written by the reclaimer, read by {@code /metrics}; thread-safe.
 */
public final class ReclaimStats {
  private final LongAdder partitions = new LongAdder();
  private final LongAdder keys = new LongAdder();

  void reclaimed(long keysDeleted) {
    partitions.increment();
    keys.add(keysDeleted);
  }

  public long partitions() {
    return partitions.sum();
  }

  public long keys() {
    return keys.sum();
  }
}
