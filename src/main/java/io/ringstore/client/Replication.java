package io.ringstore.client;

/**
 * A cluster's replication settings as a client reads them from the cluster: each key on {@code n}
 * replicas, reads answered after {@code r} of them and writes after {@code w} by default (a request
 * may ask for others), and the default request timeout in milliseconds.
 */
public record Replication(int n, int r, int w, long timeoutMillis) {
  public Replication {
    if (n < 1 || r < 1 || w < 1 || r > n || w > n || timeoutMillis < 1) {
      throw new IllegalArgumentException(
          "invalid replication settings: n="
              + n
              + " r="
              + r
              + " w="
              + w
              + " timeout="
              + timeoutMillis);
    }
  }
}
