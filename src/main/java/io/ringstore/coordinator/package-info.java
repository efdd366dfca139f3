/**
 * Per-request coordinators: a {@link io.ringstore.coordinator.ReadCoordinator} or
 * {@link io.ringstore.coordinator.WriteCoordinator} per request, spawned where the request arrives,
 * around pure quorum trackers and the read-repair plan; their outcomes are explicit sealed results.
 */
package io.ringstore.coordinator;
