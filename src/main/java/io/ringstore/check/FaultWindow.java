package io.ringstore.check;

import java.util.Objects;

/**
 * A time window during which the caller had a fault active (a killed, paused or partitioned node),
 * on the checker's monotonic clock: operations that overlap it count toward availability during
 * faults.
 */
public record FaultWindow(String name, long startNanos, long endNanos) {
  public FaultWindow {
    Objects.requireNonNull(name, "name");
    if (endNanos < startNanos) {
      throw new IllegalArgumentException("fault '" + name + "' ends before it starts");
    }
  }

  boolean overlaps(Op op) {
    return op.overlaps(startNanos, endNanos);
  }
}
