package io.ringstore.transfer;

import io.ringstore.CborSerializable;
import io.ringstore.replica.ReplicaId;
import io.ringstore.replica.SyncProgress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The partition transfers of this node: one entry per replica entity that started here and had to
 * catch up (copy from the entity's previous host, then tree sync with the other replicas) before it
 * counts toward R (DESIGN invariant 2). Written by the transfer actors, read by {@code
 * /admin/transfers} on any node. Thread-safe; keeps the latest transfer of each replica id, and
 * counts every key and byte copied since the node started (for {@code /metrics}).
 */
public final class TransferTracker implements SyncProgress {

  /** Where a transfer is. {@code done} and {@code failed} are final. */
  public enum State {
    pending,
    copying,
    syncing,
    done,
    failed
  }

  /**
   * One transfer as reported: counts so far, timestamps in epoch millis (finished 0 while running).
   */
  public record Transfer(
      String replica,
      int partition,
      String node,
      String source,
      State state,
      long keys,
      long bytes,
      long startedMillis,
      long updatedMillis,
      long finishedMillis,
      long expectedKeys,
      String error)
      implements CborSerializable {

    /** Keys copied per second so far (0 before the first key). */
    public double keysPerSecond() {
      long end = finishedMillis > 0 ? finishedMillis : updatedMillis;
      long millis = Math.max(1, end - startedMillis);
      return keys * 1000.0 / millis;
    }

    /** Seconds left at the current rate, when the source told how many keys it has; else -1. */
    public double etaSeconds() {
      if (state == State.done) {
        return 0;
      }
      double rate = keysPerSecond();
      if (expectedKeys <= 0 || rate <= 0 || state != State.copying) {
        return -1;
      }
      return Math.max(0, (expectedKeys - keys) / rate);
    }
  }

  private final String node;
  private final Map<String, Transfer> transfers = new ConcurrentHashMap<>();
  private final LongAdder keysCopied = new LongAdder();
  private final LongAdder bytesCopied = new LongAdder();

  public TransferTracker(String node) {
    this.node = node;
  }

  @Override
  public void begin(ReplicaId id, long now) {
    transfers.put(
        id.id(),
        new Transfer(
            id.id(), id.partition(), node, null, State.pending, 0, 0, now, now, 0, 0, null));
  }

  public void copying(ReplicaId id, String source, long expectedKeys, long now) {
    transfers.computeIfPresent(
        id.id(),
        (k, t) ->
            finished(t)
                ? t
                : new Transfer(
                    t.replica(),
                    t.partition(),
                    node,
                    source,
                    State.copying,
                    t.keys(),
                    t.bytes(),
                    t.startedMillis(),
                    now,
                    0,
                    expectedKeys,
                    null));
  }

  public void copied(ReplicaId id, long keys, long bytes, long now) {
    transfers.computeIfPresent(
        id.id(),
        (k, t) -> {
          if (finished(t)) {
            return t;
          }
          keysCopied.add(keys);
          bytesCopied.add(bytes);
          return new Transfer(
              t.replica(),
              t.partition(),
              node,
              t.source(),
              t.state(),
              t.keys() + keys,
              t.bytes() + bytes,
              t.startedMillis(),
              now,
              0,
              t.expectedKeys(),
              t.error());
        });
  }

  /** Syncing by tree exchange; {@code note} says what it waits for (null when nothing is wrong). */
  public void syncing(ReplicaId id, String note, long now) {
    transfers.computeIfPresent(
        id.id(),
        (k, t) ->
            finished(t)
                ? t
                : new Transfer(
                    t.replica(),
                    t.partition(),
                    node,
                    t.source(),
                    State.syncing,
                    t.keys(),
                    t.bytes(),
                    t.startedMillis(),
                    now,
                    0,
                    t.expectedKeys(),
                    note));
  }

  @Override
  public void done(ReplicaId id, long now) {
    transfers.computeIfPresent(
        id.id(),
        (k, t) ->
            finished(t)
                ? t
                : new Transfer(
                    t.replica(),
                    t.partition(),
                    node,
                    t.source(),
                    State.done,
                    t.keys(),
                    t.bytes(),
                    t.startedMillis(),
                    now,
                    now,
                    t.expectedKeys(),
                    null));
  }

  /** The entity stopped (handed off) before it caught up. */
  @Override
  public void failed(ReplicaId id, String error, long now) {
    transfers.computeIfPresent(
        id.id(),
        (k, t) ->
            finished(t)
                ? t
                : new Transfer(
                    t.replica(),
                    t.partition(),
                    node,
                    t.source(),
                    State.failed,
                    t.keys(),
                    t.bytes(),
                    t.startedMillis(),
                    now,
                    now,
                    t.expectedKeys(),
                    error));
  }

  /** Done and failed are final: only a new {@link #begin} replaces them. */
  private static boolean finished(Transfer t) {
    return t.state() == State.done || t.state() == State.failed;
  }

  /** Keys copied into this node's replicas by transfers since the node started. */
  public long keysCopied() {
    return keysCopied.sum();
  }

  /** Bytes (stored objects) copied into this node's replicas by transfers since it started. */
  public long bytesCopied() {
    return bytesCopied.sum();
  }

  /**
   * The copy rate now in bytes per second: over the transfers copying, each one's bytes so far over
   * the time since it started, summed (0 when none is copying).
   */
  public double copyRateBytesPerSecond(long now) {
    double rate = 0;
    for (Transfer t : transfers.values()) {
      if (t.state() == State.copying) {
        rate += t.bytes() * 1000.0 / Math.max(1, now - t.startedMillis());
      }
    }
    return rate;
  }

  /** Every transfer, by partition and replica. */
  public List<Transfer> all() {
    List<Transfer> list = new ArrayList<>(transfers.values());
    list.sort(Comparator.comparingInt(Transfer::partition).thenComparing(Transfer::replica));
    return list;
  }
}
