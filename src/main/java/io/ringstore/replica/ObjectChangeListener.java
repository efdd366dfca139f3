package io.ringstore.replica;

/**
 * Told of every change {@link LocalObjectStore} makes to a stored object, while the key's lock is
 * held, so that derived state (the anti-entropy hash tree of the partition) stays exactly in step
 * with storage. Must be fast and must not block: it runs on the storage dispatcher inside a write.
 */
@FunctionalInterface
public interface ObjectChangeListener {
  ObjectChangeListener NONE = (partition, key, oldObject, newObject) -> {};

  /** {@code oldObject} null: the key was absent; {@code newObject} null: the key was removed. */
  void changed(int partition, byte[] key, byte[] oldObject, byte[] newObject);
}
