package io.ringstore.antientropy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What anti-entropy did on this node, per partition, for {@code GET /admin/anti-entropy}: the last
 * exchange (when, with whom, its outcome) and the totals of segments and keys repaired.
 */
public final class AntiEntropyStatus {
  /** The outcome of one exchange session. */
  public record Exchange(
      int partition, String peer, long finishedAtMillis, boolean treesEqual, int segmentsDiffering,
      int keysRepaired, String error) {}

  /** Per-partition totals and the last exchange. */
  public record PartitionStatus(
      int partition, Exchange lastExchange, long exchanges, long segmentsRepaired,
      long keysRepaired) {}

  private final Map<Integer, PartitionStatus> partitions = new ConcurrentHashMap<>();
  private final AtomicLong totalKeysRepaired = new AtomicLong();
  private final AtomicLong totalExchanges = new AtomicLong();

  public void record(Exchange exchange) {
    totalExchanges.incrementAndGet();
    totalKeysRepaired.addAndGet(exchange.keysRepaired());
    partitions.merge(exchange.partition(),
        new PartitionStatus(exchange.partition(), exchange, 1, exchange.segmentsDiffering(),
            exchange.keysRepaired()),
        (old, now) -> new PartitionStatus(old.partition(), exchange, old.exchanges() + 1,
            old.segmentsRepaired() + exchange.segmentsDiffering(),
            old.keysRepaired() + exchange.keysRepaired()));
  }

  public Map<Integer, PartitionStatus> partitions() {
    return Map.copyOf(partitions);
  }

  public long totalKeysRepaired() {
    return totalKeysRepaired.get();
  }

  public long totalExchanges() {
    return totalExchanges.get();
  }
}
