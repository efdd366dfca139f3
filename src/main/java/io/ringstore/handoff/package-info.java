/**
 * Hinted handoff: when a replica does not ack a write in time, the coordinator queues the object as
 * a hint on a node's {@link io.ringstore.handoff.HintManager}; the target's event-sourced {@link
 * io.ringstore.handoff.HintStore} keeps an index of it in the node-local journal
 * (pekko-persistence-jdbc on an H2 file, see {@code ringstore-persistence.conf}) and the object in
 * a table of the same database ({@link io.ringstore.handoff.HintValues}), and delivers it through
 * sharding once the target is reachable, deleting it only when acked, so acknowledged writes
 * survive and replicas converge (DESIGN invariants 1 and 4). The hints a node holds are bounded in
 * bytes on disk, per node and per target ({@link io.ringstore.handoff.HintBudget}), and in keys per
 * target in memory; hints past a budget are refused and counted (invariant 6).
 */
package io.ringstore.handoff;
