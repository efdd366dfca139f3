package io.ringstore.coordinator;

import io.ringstore.replica.ReplicaId;

/**
 * The node's bounds on bytes queued to each peer, asked while deciding where a message goes; a yes
 * counts the bytes as queued.
 */
public interface WriteLinks {
  /** Whether {@code bytes} more may go to {@code replica}'s node (always, when it is this node). */
  boolean mayQueueTo(ReplicaId replica, long bytes);

  /** Whether {@code fallback} is available, runs a hint manager and may be sent {@code bytes}. */
  boolean mayHoldHint(String fallback, long bytes);
}
