package io.ringstore.client;

import java.time.Duration;
import java.util.List;

/**
 * {@link StoreClient#connect} could not get a client that serves within its join timeout: no seed
 * node let it join, or no node URL answered as a ringstore node. {@link #tried()} names the seeds
 * or URLs, the message says what happened with them.
 */
public final class ConnectFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> tried;

  public ConnectFailedException(
      String what, List<String> tried, Duration timeout, Throwable cause) {
    super(
        "could not connect to ringstore within "
            + timeout.toMillis()
            + " ms through "
            + String.join(", ", tried)
            + ": "
            + what,
        cause);
    this.tried = List.copyOf(tried);
  }

  /** The seed nodes ({@code host:port}) or node URLs the client tried. */
  public List<String> tried() {
    return tried;
  }
}
