package io.ringstore.client;

import io.ringstore.coordinator.Quorum;
import java.time.Duration;

/** R and timeout of one read; nulls mean the configured defaults. */
public record ReadOptions(Quorum r, Duration timeout) {
  public static final ReadOptions DEFAULT = new ReadOptions(null, null);

  public static ReadOptions r(Quorum r) {
    return new ReadOptions(r, null);
  }

  public ReadOptions withTimeout(Duration timeout) {
    return new ReadOptions(r, timeout);
  }
}
