package io.ringstore.http;

import io.ringstore.replica.LocalObjectStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** Read-only views of this node's object store for the operations API, run on the storage dispatcher. */
public record StoreView(LocalObjectStore store, Executor storageExecutor) {
  /** Tombstones every replica acked, waiting for their grace period: count, oldest mark (ms or -1). */
  CompletionStage<long[]> pendingTombstones() {
    return CompletableFuture.supplyAsync(store::pendingTombstones, storageExecutor);
  }

  /** The storage engine's statistics (see {@code StorageEngine#statistics}). */
  CompletionStage<java.util.Map<String, Long>> storageStatistics() {
    return CompletableFuture.supplyAsync(() -> store.engine().statistics(), storageExecutor);
  }
}
