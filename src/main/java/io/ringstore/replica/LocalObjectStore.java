package io.ringstore.replica;

import io.ringstore.storage.ObjectParts;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StorageEngine;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import io.ringstore.version.VersionVector;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's versioned objects on top of its {@link StorageEngine}: reads, the DVV update of the
 * replica that coordinates a write, and the DVV merge of an object that another replica sends.
 * Read-modify-write of one key is serialised by a striped lock, so two updates of the same key on
 * this node can never mint the same dot (DESIGN invariant 3). Blocking: call it on the storage
 * dispatcher.
 *
 * <p>Every write (a client's, a replicated or repaired object, a delivered hint, a transferred key,
 * a tombstone record) goes through the engine's default durability, so the configured WAL sync
 * ({@code ringstore.storage.sync}) covers them all before a replica acks.
 */
public final class LocalObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(LocalObjectStore.class);
  private static final int STRIPES = 1024;

  /**
   * The storage partition holding tombstone reap records (partition + key → mark time + object);
   * beyond any real partition (Q is at most 65536).
   */
  static final int REAP_PARTITION = 0xFFFFFFFF;

  private final StorageEngine engine;
  private final String actorId;
  private final WriteAdmission.Limits limits;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
  private volatile ObjectChangeListener listener = ObjectChangeListener.NONE;

  /** A store whose client writes are not limited in siblings (tests of the data path). */
  public LocalObjectStore(StorageEngine engine, String actorId) {
    this(engine, actorId, WriteAdmission.Limits.UNLIMITED);
  }

  public LocalObjectStore(StorageEngine engine, String actorId, WriteAdmission.Limits limits) {
    this.engine = engine;
    this.actorId = actorId;
    this.limits = limits;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** Sets the listener told of every change (anti-entropy trees); set once at start-up. */
  public void setListener(ObjectChangeListener listener) {
    this.listener = listener;
  }

  /** The storage engine below (for scans by anti-entropy and transfers). */
  public StorageEngine engine() {
    return engine;
  }

  /**
   * The largest encoded object one internode message carries whole ({@link ObjectParts}): larger
   * ones travel in parts.
   */
  public long maxPartBytes() {
    return ObjectParts.partBytes(limits.maxObjectBytes());
  }

  /** The DVV actor id of this node's replicas (its node uid). */
  public String actorId() {
    return actorId;
  }

  public Optional<byte[]> readEncoded(int partition, String key) {
    return engine.get(partition, bytes(key));
  }

  public Optional<DvvSet<Sibling>> read(int partition, String key) {
    return readEncoded(partition, key).map(StoredObjectCodec::decode);
  }

  /**
   * Applies a client's write as the coordinating replica: the value gets a new dot of this node,
   * the siblings that {@code context} covers are superseded, the others stay. With no context, the
   * value becomes a sibling of everything stored, unless {@code contextFromReplica} asks to use
   * this replica's own current context (a delete without a context removes what this replica
   * holds).
   *
   * @throws WriteAdmission.WriteRefusedException when {@code context} names versions the stored
   *     clock does not hold, or the write would leave more siblings than allowed or the key's
   *     object larger than allowed; nothing is stored
   */
  public DvvSet<Sibling> coordinate(
      int partition,
      String key,
      Sibling value,
      Optional<VersionVector> context,
      boolean contextFromReplica) {
    return coordinateEncoded(partition, key, value, context, contextFromReplica).object();
  }

  /** A coordinated object and the bytes it was stored as (encoded once, sent as they are). */
  @SuppressWarnings("ArrayRecordComponent") // carries the array as it is, never compared
  public record Coordinated(DvvSet<Sibling> object, byte[] encoded) {}

  /** As {@link #coordinate}, also returning the encoded object that was stored. */
  public Coordinated coordinateEncoded(
      int partition,
      String key,
      Sibling value,
      Optional<VersionVector> context,
      boolean contextFromReplica) {
    byte[] k = bytes(key);
    ReentrantLock lock = lockFor(partition, k);
    lock.lock();
    try {
      byte[] stored = engine.get(partition, k).orElse(null);
      DvvSet<Sibling> current = stored == null ? DvvSet.empty() : StoredObjectCodec.decode(stored);
      if (!WriteAdmission.contextHeld(current, context)) {
        throw new WriteAdmission.WriteRefusedException(
            WriteAdmission.Refusal.CONTEXT_NOT_HELD, WriteAdmission.CONTEXT_NOT_HELD_MESSAGE);
      }
      DvvSet<Sibling> incoming;
      if (context.isPresent()) {
        incoming = DvvSet.of(context.get(), value);
      } else if (contextFromReplica) {
        incoming = DvvSet.of(current.join(), value);
      } else {
        incoming = DvvSet.of(value);
      }
      DvvSet<Sibling> updated = current.update(incoming, actorId);
      if (WriteAdmission.tooManySiblings(current, updated, limits)) {
        throw new WriteAdmission.WriteRefusedException(
            WriteAdmission.Refusal.TOO_MANY_SIBLINGS,
            WriteAdmission.tooManySiblingsMessage(current.size(), limits));
      }
      byte[] encoded = StoredObjectCodec.encode(updated);
      if (WriteAdmission.objectTooLarge(encoded.length, limits)) {
        throw new WriteAdmission.WriteRefusedException(
            WriteAdmission.Refusal.OBJECT_TOO_LARGE,
            WriteAdmission.objectTooLargeMessage(encoded.length, updated.size(), limits));
      }
      if (WriteAdmission.warn(current, updated, limits)) {
        LOG.warn(
            "partition {}: a key of {} bytes holds {} siblings (warning from {}, refused past {});"
                + " its clients write without the context of a read",
            partition,
            k.length,
            updated.size(),
            limits.warnSiblings(),
            limits.maxSiblings());
      }
      engine.put(partition, k, encoded);
      listener.changed(partition, k, stored, encoded);
      return new Coordinated(updated, encoded);
    } finally {
      lock.unlock();
    }
  }

  /** Merges an object sent by another replica into the stored one; returns the merged object. */
  public DvvSet<Sibling> merge(int partition, String key, DvvSet<Sibling> remote) {
    byte[] k = bytes(key);
    ReentrantLock lock = lockFor(partition, k);
    lock.lock();
    try {
      byte[] stored = engine.get(partition, k).orElse(null);
      DvvSet<Sibling> current = stored == null ? null : StoredObjectCodec.decode(stored);
      DvvSet<Sibling> merged = current == null ? remote : current.sync(remote);
      if (current == null || !current.equals(merged)) {
        byte[] encoded = StoredObjectCodec.encode(merged);
        engine.put(partition, k, encoded);
        listener.changed(partition, k, stored, encoded);
      }
      return merged;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Records that every replica of {@code key} acknowledged {@code tombstoneObject} (a delete acked
   * by all N replicas), if that is still the stored object and it holds only tombstones. The record
   * lives in the reserved reap partition of this node's storage, so it survives restarts.
   */
  public boolean markTombstoneReplicated(
      int partition, String key, byte[] tombstoneObject, long now) {
    byte[] k = bytes(key);
    ReentrantLock lock = lockFor(partition, k);
    lock.lock();
    try {
      byte[] stored = engine.get(partition, k).orElse(null);
      if (stored == null
          || !Arrays.equals(stored, tombstoneObject)
          || !onlyTombstones(StoredObjectCodec.decode(stored))) {
        return false;
      }
      engine.put(REAP_PARTITION, reapKey(partition, k), reapRecord(now, stored));
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Deletes the tombstones recorded before {@code markedBefore} whose key still holds exactly the
   * recorded object (anything written since keeps the key); drops their records. Returns how many
   * keys were removed; looks at no more than {@code limit} records.
   */
  public int reapTombstones(long markedBefore, int limit) {
    List<byte[][]> due = new ArrayList<>();
    engine.scanFrom(
        REAP_PARTITION,
        null,
        limit,
        (reapKey, record) -> {
          if (ByteBuffer.wrap(record).getLong() < markedBefore) {
            due.add(new byte[][] {reapKey, record});
          }
        });
    int reaped = 0;
    for (byte[][] entry : due) {
      int partition = ByteBuffer.wrap(entry[0]).getInt();
      byte[] k = Arrays.copyOfRange(entry[0], 4, entry[0].length);
      byte[] recorded = Arrays.copyOfRange(entry[1], 8, entry[1].length);
      ReentrantLock lock = lockFor(partition, k);
      lock.lock();
      try {
        byte[] stored = engine.get(partition, k).orElse(null);
        if (stored != null && Arrays.equals(stored, recorded)) {
          engine.delete(partition, k);
          listener.changed(partition, k, stored, null);
          reaped++;
        }
        engine.delete(REAP_PARTITION, entry[0]);
      } finally {
        lock.unlock();
      }
    }
    return reaped;
  }

  /**
   * Deletes this node's copy of {@code partition} (every key, as one range delete) and takes each
   * key out of the anti-entropy trees first, so the trees keep matching the data. For a partition
   * this node no longer replicates; run it through {@link LocalReplicas#dropIfUnhosted} so no
   * replica of the partition writes here meanwhile. Returns how many keys were deleted.
   */
  public long dropPartition(int partition) {
    long[] keys = {0};
    ObjectChangeListener l = listener;
    engine.scan(
        partition,
        (key, object) -> {
          l.changed(partition, key, object, null);
          keys[0]++;
        });
    engine.dropPartition(partition);
    return keys[0];
  }

  /**
   * Gives back the disk space of a dropped partition (see {@code StorageEngine#compactPartition}).
   */
  public void compactPartition(int partition) {
    engine.compactPartition(partition);
  }

  /** Whether this node holds any key of {@code partition}. */
  public boolean holdsData(int partition) {
    return engine.scanFrom(partition, null, 1, (key, object) -> {}) != null;
  }

  /** Tombstones waiting for their grace period: count and oldest mark time (-1 when none). */
  public long[] pendingTombstones() {
    long[] countAndOldest = {0, -1};
    engine.scan(
        REAP_PARTITION,
        (reapKey, record) -> {
          long marked = ByteBuffer.wrap(record).getLong();
          countAndOldest[0]++;
          if (countAndOldest[1] < 0 || marked < countAndOldest[1]) {
            countAndOldest[1] = marked;
          }
        });
    return countAndOldest;
  }

  /** Whether every value of the object is a tombstone (a deleted key). */
  public static boolean onlyTombstones(DvvSet<Sibling> object) {
    return object.size() > 0 && object.values().stream().allMatch(Sibling::tombstone);
  }

  private static byte[] reapKey(int partition, byte[] key) {
    return ByteBuffer.allocate(4 + key.length).putInt(partition).put(key).array();
  }

  private static byte[] reapRecord(long markedAt, byte[] object) {
    return ByteBuffer.allocate(8 + object.length).putLong(markedAt).put(object).array();
  }

  private ReentrantLock lockFor(int partition, byte[] key) {
    int h = 31 * partition + Arrays.hashCode(key);
    return locks[(h ^ (h >>> 16)) & (STRIPES - 1)];
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }
}
