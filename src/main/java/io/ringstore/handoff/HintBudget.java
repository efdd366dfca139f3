package io.ringstore.handoff;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes one node's hints take, against a budget: the hint values on disk ({@code
 * ringstore.handoff.max-hint-bytes}; every {@link HintStore} of the node reserves a new hint's
 * bytes here before it persists it, and a hint that does not fit is refused), and the values read
 * back into memory for delivery ({@link HintSettings#maxDeliveryBytes()}), so both stay bounded in
 * bytes, not counts (DESIGN invariant 6). Shared by the stores of one {@link HintManager};
 * thread-safe, no Pekko.
 *
 * <p>{@link #add} is unconditional: a store that recovered more hints than the budget (a smaller
 * budget after a restart) keeps them and delivers them; only new hints are refused.
 */
public final class HintBudget {
  private final long maxBytes;
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  private HintBudget(long maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("hint budget must be >= 1 byte but was " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** A budget of {@code maxBytes}, none used. */
  public static HintBudget of(long maxBytes) {
    return new HintBudget(maxBytes);
  }

  /** Reserves {@code bytes} if they fit under the budget; false (nothing reserved) if not. */
  public boolean tryAcquire(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0 but was " + bytes);
    }
    while (true) {
      long current = used.get();
      if (current + bytes > maxBytes) {
        return false;
      }
      if (used.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  /**
   * Reserves {@code bytes} if they fit under the budget or if nothing is reserved at all (so one
   * item larger than the whole budget can still pass, alone); false (nothing reserved) if not.
   */
  public boolean tryAcquireOrAlone(long bytes) {
    if (tryAcquire(bytes)) {
      return true;
    }
    return used.compareAndSet(0, bytes);
  }

  /** Adds (or with a negative argument, gives back) bytes, whether or not they fit. */
  public void add(long bytes) {
    used.addAndGet(bytes);
  }

  /** Gives back {@code bytes} reserved or added before. */
  public void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Counts a hint refused because it did not fit (this budget or a target's). */
  public void countRefusal() {
    refused.incrementAndGet();
  }

  public long maxBytes() {
    return maxBytes;
  }

  public long usedBytes() {
    return used.get();
  }

  /** Hints refused for lack of budget since this node started. */
  public long refusals() {
    return refused.get();
  }
}
