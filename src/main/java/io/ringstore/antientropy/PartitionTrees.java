package io.ringstore.antientropy;

import io.ringstore.replica.ObjectChangeListener;
import io.ringstore.replica.PartitionTreeAccess;
import io.ringstore.storage.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * This node's anti-entropy trees, one {@link TicTacTree} per partition: rebuilt from storage at
 * start-up (before the node takes writes), then kept in step with every stored change as the {@link
 * ObjectChangeListener} of the node's object store. Replicas of a partition compare these trees to
 * find the keys they disagree on (DESIGN invariant 4).
 */
public final class PartitionTrees implements ObjectChangeListener, PartitionTreeAccess {
  private final StorageEngine engine;
  private final TreeShape shape;
  private final TicTacTree[] trees;

  private PartitionTrees(StorageEngine engine, TreeShape shape, TicTacTree[] trees) {
    this.engine = engine;
    this.shape = shape;
    this.trees = trees;
  }

  /** Scans every partition of {@code engine} once. Blocking: call it before the node serves. */
  public static PartitionTrees rebuild(StorageEngine engine, int partitions, TreeShape shape) {
    TicTacTree[] trees = new TicTacTree[partitions];
    for (int p = 0; p < partitions; p++) {
      TicTacTree tree = new TicTacTree(shape);
      engine.scan(p, tree::add);
      trees[p] = tree;
    }
    return new PartitionTrees(engine, shape, trees);
  }

  public TreeShape shape() {
    return shape;
  }

  public TicTacTree tree(int partition) {
    return trees[partition];
  }

  @Override
  public void changed(int partition, byte[] key, byte[] oldObject, byte[] newObject) {
    trees[partition].update(key, oldObject, newObject);
  }

  @Override
  public long[] branchHashes(int partition) {
    return trees[partition].branchHashes();
  }

  @Override
  public long[] segmentHashes(int partition, int[] segments) {
    return trees[partition].segmentHashes(segments);
  }

  @Override
  public KeyHashList keyHashes(int partition, int[] segments) {
    KeyHashes.Builder builder = KeyHashes.builder(shape, segments);
    engine.scan(partition, builder::add);
    KeyHashes hashes = builder.build();
    List<String> keys = new ArrayList<>(hashes.size());
    long[] values = new long[hashes.size()];
    int i = 0;
    for (Map.Entry<ByteKey, Long> e : hashes.hashes().entrySet()) {
      keys.add(new String(e.getKey().bytes(), StandardCharsets.UTF_8));
      values[i++] = e.getValue();
    }
    return new KeyHashList(keys, values);
  }
}
