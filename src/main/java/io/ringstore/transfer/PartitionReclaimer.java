package io.ringstore.transfer;

import io.ringstore.replica.LocalObjectStore;
import io.ringstore.replica.LocalReplicas;
import io.ringstore.storage.StorageCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Gives back the disk of partitions this node no longer replicates. When a replica moves away (a
 * node joined, or this one is no longer in the partition's replica set), this node keeps its copy
 * as a copy source for the new host for {@code transfers.source-window}; once a partition has been
 * neither in this node's replica sets nor hosted here for that long (and its last replica here
 * stopped at least that long ago), its keys are deleted: a range delete and a compaction of the
 * range in RocksDB (which frees the disk), the keys taken out of the anti-entropy trees first.
 *
 * <p>What keeps this from losing data (DESIGN invariant 1): a partition this node is a replica of
 * (by the current ring) or hosts an entity of is never touched, a drop and an entity starting here
 * exclude each other ({@link LocalReplicas#dropIfUnhosted}), and the window is the same one during
 * which new hosts copy from here. The time a partition was first seen unreplicated is this actor's
 * memory, so after a restart the window starts again: a restarted node frees such partitions one
 * window after it started. Checks run on the storage dispatcher, one at a time. What it reclaimed
 * is counted in a {@link ReclaimStats}.
 */
public final class PartitionReclaimer extends AbstractBehavior<PartitionReclaimer.Command> {

  /** Internal messages. */
  public interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Reclaimed(Map<Integer, Long> dropped, Throwable failure) implements Command {}

  private final LocalObjectStore store;
  private final StorageCalls storageCalls;
  private final LocalReplicas localReplicas;
  private final IntPredicate replicatedHere;
  private final int partitions;
  private final Duration window;
  private final LongSupplier clock;
  private final ReclaimStats stats;

  /** Partitions neither replicated nor hosted here, since when (by {@link #clock}). */
  private final Map<Integer, Long> unreplicatedSince = new HashMap<>();

  private boolean running;

  /**
   * The reclaimer of this node, checking every {@code interval}.
   *
   * @param replicatedHere whether this node is in the partition's replica set by the current ring
   *     (answer true whenever that is not known, e.g. before the node joined)
   */
  public static Behavior<Command> create(
      LocalObjectStore store,
      StorageCalls storageCalls,
      LocalReplicas localReplicas,
      IntPredicate replicatedHere,
      int partitions,
      Duration window,
      Duration interval,
      LongSupplier clock,
      ReclaimStats stats) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
                  return new PartitionReclaimer(
                      ctx,
                      store,
                      storageCalls,
                      localReplicas,
                      replicatedHere,
                      partitions,
                      window,
                      clock,
                      stats);
                }));
  }

  private PartitionReclaimer(
      ActorContext<Command> ctx,
      LocalObjectStore store,
      StorageCalls storageCalls,
      LocalReplicas localReplicas,
      IntPredicate replicatedHere,
      int partitions,
      Duration window,
      LongSupplier clock,
      ReclaimStats stats) {
    super(ctx);
    this.store = store;
    this.storageCalls = storageCalls;
    this.localReplicas = localReplicas;
    this.replicatedHere = replicatedHere;
    this.partitions = partitions;
    this.window = window;
    this.clock = clock;
    this.stats = stats;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Reclaimed.class, this::onReclaimed)
        .build();
  }

  private Behavior<Command> onTick() {
    long now = clock.getAsLong();
    Set<Integer> hosted = localReplicas.hostedPartitions();
    for (int p = 0; p < partitions; p++) {
      if (hosted.contains(p) || replicatedHere.test(p)) {
        unreplicatedSince.remove(p);
      } else {
        unreplicatedSince.putIfAbsent(p, now);
      }
    }
    if (running) {
      return this;
    }
    long due = now - window.toMillis();
    List<Integer> candidates = new ArrayList<>();
    unreplicatedSince.forEach(
        (p, since) -> {
          if (since <= due) {
            candidates.add(p);
          }
        });
    if (candidates.isEmpty()) {
      return this;
    }
    running = true;
    // the ring is read again on the storage thread, right before each drop: a partition that came
    // back to this node since this tick is kept
    getContext()
        .pipeToSelf(
            storageCalls.call(
                () -> {
                  Map<Integer, Long> dropped = new LinkedHashMap<>();
                  for (int p : candidates) {
                    int partition = p;
                    if (replicatedHere.test(partition) || !store.holdsData(partition)) {
                      continue;
                    }
                    long[] keys = {0};
                    if (localReplicas.dropIfUnhosted(
                        partition, due, () -> keys[0] = store.dropPartition(partition))) {
                      // after the drop released the partition: a replica starting here meanwhile
                      // serves already
                      store.compactPartition(partition);
                      dropped.put(partition, keys[0]);
                    }
                  }
                  return dropped;
                }),
            Reclaimed::new);
    return this;
  }

  private Behavior<Command> onReclaimed(Reclaimed reclaimed) {
    running = false;
    if (reclaimed.failure() != null) {
      getContext()
          .getLog()
          .warn("reclaiming partitions failed: {}", reclaimed.failure().toString());
      return this;
    }
    reclaimed
        .dropped()
        .forEach(
            (partition, keys) -> {
              stats.reclaimed(keys);
              getContext()
                  .getLog()
                  .info(
                      "reclaimed partition {}: deleted {} keys (not a replica here for {} s)",
                      partition,
                      keys,
                      window.toSeconds());
            });
    return this;
  }
}
