package io.ringstore.config;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Remembers when this JVM stood still: a daemon thread that wakes every {@link #TICK_MILLIS} ms and
 * records each wake-up that came late by more than {@link #MIN_STALL_MILLIS} ms (the process was
 * SIGSTOPped, a GC paused every thread, the machine was starved). Read on this JVM's monotonic
 * clock only, so it is a fact about this node that needs no other node's clock (issue 10, item 5).
 *
 * <p>It tells a replica that a request it is handling now may have waited, unread, through such a
 * stall ({@link io.ringstore.replica.ReplicaEntity.CoordinatePut}'s duplicate-dot guard), and a
 * write coordinator that its replica-ack timeout fired late because the coordinator itself stood
 * still.
 */
public final class StallWatch {
  static final long TICK_MILLIS = 10;
  static final long MIN_STALL_MILLIS = 50;
  private static final int KEPT = 32;
  private static final StallWatch JVM = new StallWatch().startThread();

  /** Ends and lengths of the last {@link #KEPT} stalls, a ring; guarded by {@code this}. */
  private final long[] ends = new long[KEPT];

  private final long[] lengths = new long[KEPT];
  private int next;
  private int count;

  StallWatch() {}

  /** The watch of this JVM (one thread for every node in it). */
  public static StallWatch jvm() {
    return JVM;
  }

  /**
   * Records a stall of {@code lengthNanos} that ended at {@code endNanos} (the watch thread;
   * tests).
   */
  public synchronized void record(long endNanos, long lengthNanos) {
    ends[next] = endNanos;
    lengths[next] = lengthNanos;
    next = (next + 1) % KEPT;
    count = Math.min(count + 1, KEPT);
  }

  /**
   * Whether a stall of at least {@code minLengthNanos} ended after {@code sinceNanos}
   * (System.nanoTime of this JVM).
   */
  public synchronized boolean stalledSince(long sinceNanos, long minLengthNanos) {
    for (int i = 0; i < count; i++) {
      if (ends[i] - sinceNanos > 0 && lengths[i] >= minLengthNanos) {
        return true;
      }
    }
    return false;
  }

  @SuppressWarnings("ThreadPriorityCheck") // a busy JVM must not delay the watch into a false stall
  private StallWatch startThread() {
    Thread thread = new Thread(this::watch, "ringstore-stall-watch");
    thread.setDaemon(true);
    thread.setPriority(Thread.MAX_PRIORITY);
    thread.start();
    return this;
  }

  private void watch() {
    long tick = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    long min = TimeUnit.MILLISECONDS.toNanos(MIN_STALL_MILLIS);
    long before = System.nanoTime();
    while (true) {
      LockSupport.parkNanos(tick);
      long after = System.nanoTime();
      long late = after - before - tick;
      if (late >= min) {
        record(after, late);
      }
      before = after;
    }
  }
}
