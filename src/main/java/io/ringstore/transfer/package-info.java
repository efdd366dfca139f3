/**
 * Partition moves on a join or a leave: the receiver ({@link
 * io.ringstore.transfer.PartitionTransfer}, run by a replica entity that starts on this node,
 * copies the partition from the entity's previous host and syncs it with the other replicas before
 * it counts toward R), the sender ({@link io.ringstore.transfer.PartitionSource}, one per data
 * node, which describes and streams its copies), the tracker behind {@code /admin/transfers}, the
 * reclaim of partitions this node released once their copy window has passed, draining, and a
 * node's leave with its data ({@link io.ringstore.transfer.NodeLeave}), so acknowledged writes
 * survive moves (DESIGN invariants 1 and 2). It uses replica, anti-entropy and cluster; those
 * packages reach it only through the interfaces they define ({@code ReplicaSync}, {@code
 * SyncProgress}, the ring view's draining members).
 */
package io.ringstore.transfer;
