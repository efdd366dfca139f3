package io.ringstore.http;

import io.ringstore.replica.ReclaimStats;
import io.ringstore.replica.TransferTracker;

/**
 * What this node's replicas did that {@code /metrics} counts: the partition transfers into them
 * and the partitions the reclaimer gave back.
 */
public record ReplicaActivity(TransferTracker transfers, ReclaimStats reclaims) {}
