package io.ringstore.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The intended send times of a fixed-rate run: slot {@code k} is due at {@code start + k / rate},
 * whoever takes it and however long earlier requests took. A worker that is late sends at once and
 * its latency is counted from the intended time, so a stall shows in the percentiles instead of
 * silently lowering the offered rate (no coordinated omission). Thread-safe: workers take slots in
 * turn.
 */
public final class RatePacer {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private final long startNanos;
  private final long opsPerSecond;
  private final AtomicLong slots = new AtomicLong();

  public RatePacer(long startNanos, long opsPerSecond) {
    if (opsPerSecond < 1) {
      throw new IllegalArgumentException("rate must be at least 1 op/s, got " + opsPerSecond);
    }
    this.startNanos = startNanos;
    this.opsPerSecond = opsPerSecond;
  }

  /** The intended send time (a {@link System#nanoTime()} value) of the next slot. */
  public long nextIntendedNanos() {
    return intendedNanos(slots.getAndIncrement());
  }

  /**
   * The intended send time of slot {@code k}, computed from the start (no accumulated rounding).
   */
  long intendedNanos(long k) {
    return startNanos
        + (k / opsPerSecond) * NANOS_PER_SECOND
        + (k % opsPerSecond) * NANOS_PER_SECOND / opsPerSecond;
  }
}
