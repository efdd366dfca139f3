package io.ringstore.replica;

import io.ringstore.storage.Sibling;
import io.ringstore.storage.StorageEngine;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import io.ringstore.version.VersionVector;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * This node's versioned objects on top of its {@link StorageEngine}: reads, the DVV update of the
 * replica that coordinates a write, and the DVV merge of an object that another replica sends.
 * Read-modify-write of one key is serialised by a striped lock, so two updates of the same key on this
 * node can never mint the same dot (DESIGN invariant 3). Blocking: call it on the storage dispatcher.
 */
public final class LocalObjectStore {
  private static final int STRIPES = 1024;

  private final StorageEngine engine;
  private final String actorId;
  private final boolean syncWrites;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
  private volatile ObjectChangeListener listener = ObjectChangeListener.NONE;

  public LocalObjectStore(StorageEngine engine, String actorId, boolean syncWrites) {
    this.engine = engine;
    this.actorId = actorId;
    this.syncWrites = syncWrites;
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
   * Applies a client's write as the coordinating replica: the value gets a new dot of this node, the
   * siblings that {@code context} covers are superseded, the others stay. With no context, the value
   * becomes a sibling of everything stored, unless {@code contextFromReplica} asks to use this
   * replica's own current context (a delete without a context removes what this replica holds).
   */
  public DvvSet<Sibling> coordinate(
      int partition, String key, Sibling value, Optional<VersionVector> context,
      boolean contextFromReplica) {
    byte[] k = bytes(key);
    ReentrantLock lock = lockFor(partition, k);
    lock.lock();
    try {
      byte[] stored = engine.get(partition, k).orElse(null);
      DvvSet<Sibling> current = stored == null ? DvvSet.empty() : StoredObjectCodec.decode(stored);
      DvvSet<Sibling> incoming;
      if (context.isPresent()) {
        incoming = DvvSet.of(context.get(), value);
      } else if (contextFromReplica) {
        incoming = DvvSet.of(current.join(), value);
      } else {
        incoming = DvvSet.of(value);
      }
      DvvSet<Sibling> updated = current.update(incoming, actorId);
      byte[] encoded = StoredObjectCodec.encode(updated);
      engine.put(partition, k, encoded, syncWrites);
      listener.changed(partition, k, stored, encoded);
      return updated;
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
        engine.put(partition, k, encoded, syncWrites);
        listener.changed(partition, k, stored, encoded);
      }
      return merged;
    } finally {
      lock.unlock();
    }
  }

  private ReentrantLock lockFor(int partition, byte[] key) {
    int h = 31 * partition + java.util.Arrays.hashCode(key);
    return locks[(h ^ (h >>> 16)) & (STRIPES - 1)];
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }
}
