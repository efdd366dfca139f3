package io.ringstore.http;

import io.ringstore.replica.LocalObjectStore;
import io.ringstore.storage.DamageRepair;
import io.ringstore.storage.DamagedFileException;
import io.ringstore.storage.StorageCalls;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Read-only views of this node's object store for the operations API, run through the node's
 * bounded {@link StorageCalls} (whose counts {@code /metrics} reports too), and the damaged files
 * this start repaired ({@code --repair}).
 */
public record StoreView(
    LocalObjectStore store, StorageCalls storageCalls, DamageRepair.Report repairs) {
  public StoreView(LocalObjectStore store, StorageCalls storageCalls) {
    this(store, storageCalls, DamageRepair.Report.NONE);
  }

  /**
   * Tombstones every replica acked, waiting for their grace period: count, oldest mark (ms or -1).
   */
  CompletionStage<long[]> pendingTombstones() {
    return storageCalls.call(store::pendingTombstones);
  }

  /** The storage engine's statistics (see {@code StorageEngine#statistics}). */
  CompletionStage<Map<String, Long>> storageStatistics() {
    return storageCalls.call(() -> store.engine().statistics());
  }

  /** Repairs of each part of the data directory at this start. */
  Map<String, Long> repairCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (DamagedFileException.Part part : DamagedFileException.Part.values()) {
      counts.put(part.name().toLowerCase(Locale.ROOT).replace('_', '-'), repairs.count(part));
    }
    return counts;
  }
}
