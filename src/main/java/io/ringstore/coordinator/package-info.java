/**
 * Per-request coordinators: a {@link io.ringstore.coordinator.ReadCoordinator} or {@link
 * io.ringstore.coordinator.WriteCoordinator} per request, spawned where the request arrives, around
 * pure quorum trackers, the read-repair plan and the write's state machine ({@link
 * io.ringstore.coordinator.WriteCore}); their outcomes are explicit sealed results. The node's
 * bound on bytes of replica messages queued to each peer ({@link
 * io.ringstore.coordinator.PeerBytes}) and the actor whose flushes confirm them ({@link
 * io.ringstore.coordinator.PeerFlow}).
 */
package io.ringstore.coordinator;
