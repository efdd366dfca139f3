package io.ringstore.http;

import io.ringstore.transfer.ReclaimStats;
import io.ringstore.transfer.TransferTracker;

/**
 * What this node's replicas did that {@code /metrics} counts: the partition transfers into them and
 * the partitions the reclaimer gave back.
 */
public record ReplicaActivity(TransferTracker transfers, ReclaimStats reclaims) {}
