package io.ringstore.storage;

/**
 * A storage call not run because its caller's deadline had passed when a storage thread picked it
 * up (it waited in the queue too long); see {@link StorageCalls}. Nothing was read or written.
 */
public final class StorageCallExpiredException extends RuntimeException {
  public StorageCallExpiredException() {
    super("deadline passed before the storage call started: not run", null, false, false);
  }
}
