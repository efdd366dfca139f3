package io.ringstore.replica;

import io.ringstore.storage.StorageCalls;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Removes tombstones from this node's storage once every replica of their key acknowledged the
 * delete and the grace period passed (the grace period is longer than the hint window, so no hint
 * of an older value can arrive after the reap): a deleted key never comes back (DESIGN invariants 3
 * and 4). Runs the scan on the storage dispatcher, a bounded batch at a time.
 */
public final class TombstoneReaper extends AbstractBehavior<TombstoneReaper.Command> {
  private static final int BATCH = 1000;

  /** Internal messages. */
  public interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Reaped(int count, Throwable failure) implements Command {}

  private final LocalObjectStore store;
  private final StorageCalls storageCalls;
  private final Duration gracePeriod;
  private final LongSupplier wallClock;
  private boolean running;

  public static Behavior<Command> create(
      LocalObjectStore store, StorageCalls storageCalls, Duration gracePeriod, Duration interval) {
    return create(store, storageCalls, gracePeriod, interval, System::currentTimeMillis);
  }

  /**
   * With {@code wallClock}: this node's clock (epoch millis), the one its replica entities stamp
   * the marks with ({@code ReplicaHost.clock()}); a mark is only ever compared with this node's
   * clock.
   */
  public static Behavior<Command> create(
      LocalObjectStore store,
      StorageCalls storageCalls,
      Duration gracePeriod,
      Duration interval,
      LongSupplier wallClock) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
                  return new TombstoneReaper(ctx, store, storageCalls, gracePeriod, wallClock);
                }));
  }

  private TombstoneReaper(
      ActorContext<Command> ctx,
      LocalObjectStore store,
      StorageCalls storageCalls,
      Duration gracePeriod,
      LongSupplier wallClock) {
    super(ctx);
    this.store = store;
    this.storageCalls = storageCalls;
    this.gracePeriod = gracePeriod;
    this.wallClock = wallClock;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Reaped.class, this::onReaped)
        .build();
  }

  private Behavior<Command> onTick() {
    if (running) {
      return this;
    }
    running = true;
    long markedBefore = wallClock.getAsLong() - gracePeriod.toMillis();
    getContext()
        .pipeToSelf(
            storageCalls.call(() -> store.reapTombstones(markedBefore, BATCH)), Reaped::new);
    return this;
  }

  private Behavior<Command> onReaped(Reaped reaped) {
    running = false;
    if (reaped.failure() != null) {
      getContext().getLog().warn("tombstone reaping failed: {}", reaped.failure().toString());
    } else if (reaped.count() > 0) {
      getContext().getLog().info("tombstones reaped: count={}", reaped.count());
    }
    return this;
  }
}
