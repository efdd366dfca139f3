package io.ringstore.config;

import java.time.Clock;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The two clocks of one node: the wall clock (epoch millis: what is shown to operators and
 * persisted, compared only with readings of the same node) and the monotonic clock (nanos: every
 * duration a protocol decision measures). No protocol decision compares a reading of this node with
 * a reading of another node: such a decision would need the two nodes' clocks to agree. {@code
 * ringstore.testing.clock-offset} shifts the wall clock, so tests can run a node whose clock is
 * off; it never moves the monotonic clock (it has no epoch, a shift would mean nothing).
 */
public record NodeClock(Clock wall, LongSupplier monotonic) {

  /** The machine's clocks. */
  public static final NodeClock SYSTEM = new NodeClock(Clock.systemUTC(), System::nanoTime);

  public NodeClock {
    if (wall == null || monotonic == null) {
      throw new IllegalArgumentException("both clocks are needed");
    }
  }

  /** The machine's clocks with the wall clock shifted by {@code offset} (tests of clock skew). */
  public static NodeClock withWallOffset(Duration offset) {
    return offset.isZero()
        ? SYSTEM
        : new NodeClock(Clock.offset(Clock.systemUTC(), offset), System::nanoTime);
  }

  /** Now on the wall clock, epoch millis. */
  public long wallMillis() {
    return wall.millis();
  }

  /** Now on the monotonic clock, nanos (meaningful only as a difference of two readings). */
  public long nanos() {
    return monotonic.getAsLong();
  }
}
