package io.ringstore.storage;

/**
 * A storage call refused without running because the node already had its bound of calls queued or
 * running ({@code ringstore.storage.max-calls-in-flight}); see {@link StorageCalls}. Nothing was
 * read or written: the caller may retry later.
 */
public final class StorageOverloadedException extends RuntimeException {
  public StorageOverloadedException(int maxInFlight) {
    super(
        "storage overloaded: " + maxInFlight + " calls already queued or running",
        null,
        false,
        false);
  }
}
