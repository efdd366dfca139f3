package io.ringstore.replica;

import io.ringstore.config.NodeClock;
import io.ringstore.storage.StorageCalls;

/**
 * What a data node gives its replica entities: the node's object store, its bounded storage calls
 * (blocking calls never run on the default dispatcher), the node's public name, the registry of the
 * entities it runs, its anti-entropy trees, how a starting entity catches up and where its
 * transfers are reported, and its clocks.
 */
public record ReplicaHost(
    LocalObjectStore store,
    StorageCalls storageCalls,
    String node,
    LocalReplicas localReplicas,
    PartitionTreeAccess trees,
    ReplicaSync sync,
    SyncProgress transfers,
    NodeClock clock) {

  /** A host on the machine's clocks. */
  public ReplicaHost(
      LocalObjectStore store,
      StorageCalls storageCalls,
      String node,
      LocalReplicas localReplicas,
      PartitionTreeAccess trees,
      ReplicaSync sync,
      SyncProgress transfers) {
    this(store, storageCalls, node, localReplicas, trees, sync, transfers, NodeClock.SYSTEM);
  }

  /** A host whose entities serve at once (tests of the data path and of anti-entropy). */
  public ReplicaHost(
      LocalObjectStore store,
      StorageCalls storageCalls,
      String node,
      LocalReplicas localReplicas,
      PartitionTreeAccess trees) {
    this(store, storageCalls, node, localReplicas, trees, ReplicaSync.NONE, SyncProgress.NONE);
  }

  /** A host without anti-entropy trees (tests of the data path alone). */
  public ReplicaHost(
      LocalObjectStore store, StorageCalls storageCalls, String node, LocalReplicas localReplicas) {
    this(store, storageCalls, node, localReplicas, PartitionTreeAccess.NONE);
  }
}
