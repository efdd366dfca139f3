package io.ringstore.client;

import io.ringstore.coordinator.Quorum;
import java.time.Duration;

/**
 * W, timeout and quorum mode of one write or delete; nulls mean the configured defaults. A sloppy
 * quorum also counts a hint persisted on a distinct fallback member toward W (Dynamo's "always
 * writable"); a strict one counts only acks of real replicas.
 */
public record WriteOptions(Quorum w, Duration timeout, Boolean sloppy) {
  public static final WriteOptions DEFAULT = new WriteOptions(null, null, null);

  public WriteOptions(Quorum w, Duration timeout) {
    this(w, timeout, null);
  }

  public static WriteOptions w(Quorum w) {
    return new WriteOptions(w, null, null);
  }

  public WriteOptions withTimeout(Duration timeout) {
    return new WriteOptions(w, timeout, sloppy);
  }

  public WriteOptions withSloppy(boolean sloppy) {
    return new WriteOptions(w, timeout, sloppy);
  }
}
