package io.ringstore.storage;

/**
 * Unchecked failure of the underlying storage (a RocksDB error, an I/O error while preparing the
 * data directory). The original exception is always kept as the {@linkplain #getCause() cause}.
 *
 * <p>A {@code StorageException} from a write means the write must be treated as <em>not</em>
 * acknowledged (DESIGN invariant 1): the caller must not report success to a coordinator.
 */
public class StorageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public StorageException(String message) {
    super(message);
  }
}
