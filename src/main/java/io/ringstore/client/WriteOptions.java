package io.ringstore.client;

import io.ringstore.coordinator.Quorum;
import java.time.Duration;

/** W and timeout of one write or delete; nulls mean the configured defaults. */
public record WriteOptions(Quorum w, Duration timeout) {
  public static final WriteOptions DEFAULT = new WriteOptions(null, null);

  public static WriteOptions w(Quorum w) {
    return new WriteOptions(w, null);
  }

  public WriteOptions withTimeout(Duration timeout) {
    return new WriteOptions(w, timeout);
  }
}
