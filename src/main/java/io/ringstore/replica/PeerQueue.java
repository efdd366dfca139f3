package io.ringstore.replica;

/**
 * The node's bound on bytes of replica messages queued to each peer node (the coordinator package's
 * {@code PeerBytes}, DESIGN invariant 6: memory is bounded in bytes), as a sender of objects
 * outside the write path sees it: read repair, hint delivery, anti-entropy pushes. A sender asks
 * before it sends a message to a peer and does not send it when refused; background work then tries
 * again later (the next delivery round, the next exchange).
 */
@FunctionalInterface
public interface PeerQueue {
  /** No bound (tests, and messages to this node itself). */
  PeerQueue UNBOUNDED = (node, bytes) -> true;

  /**
   * Counts {@code bytes} about to be sent to {@code node} ({@code host:port}) if they fit under the
   * bound; false, counted as a refusal: the message must then not be sent.
   */
  boolean tryAcquire(String node, long bytes);
}
