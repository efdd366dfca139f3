package io.ringstore.client;

import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.storage.Sibling;
import java.util.concurrent.CompletionStage;

/**
 * What a JVM app uses to talk to a ringstore cluster, whichever way it is connected: as a cluster
 * member ({@link ClientSettings#member}, one hop fewer) or over HTTP ({@link ClientSettings#http},
 * for apps that should not join the gossip). Switching is one line: the settings given to {@link
 * #connect}.
 *
 * <p>Invalid input (an empty or too long key, a value over the limit, R or W above N, a malformed
 * context) throws {@link IllegalArgumentException} at once and sends nothing. Every other call
 * completes within the request's timeout with a {@link ReadResult} or a {@link WriteResult}: the
 * cluster's answer, {@code Outcome.Unavailable} when too few replicas answered, or {@code
 * Outcome.Rejected} when a replica refused the write. Siblings and causal contexts are the same for
 * both kinds of client: a context a read returned can be written back through either.
 */
public interface StoreClient extends AutoCloseable {

  /**
   * Connects as {@code settings} say. The stage completes once the client can serve: the cluster's
   * N, R and W are known ({@link #replication()}), and a member has joined and knows the ring. It
   * fails with {@link ConnectFailedException}, naming what was tried, when that has not happened
   * within {@link ClientSettings#joinTimeout()}; nothing is left running then.
   */
  static CompletionStage<StoreClient> connect(ClientSettings settings) {
    return switch (settings.mode()) {
      case MEMBER -> MemberStoreClient.connect(settings);
      case HTTP -> HttpStoreClient.connect(settings);
    };
  }

  /** Reads a key at the cluster's default R. */
  default CompletionStage<ReadResult> get(String key) {
    return get(key, ReadOptions.DEFAULT);
  }

  /** Reads a key. */
  CompletionStage<ReadResult> get(String key, ReadOptions options);

  /** Writes a value with no causal context: it becomes a sibling of whatever the key holds. */
  default CompletionStage<WriteResult> put(String key, byte[] value) {
    return put(key, value, Sibling.DEFAULT_CONTENT_TYPE, null, WriteOptions.DEFAULT);
  }

  /**
   * Writes a value. {@code context} is the causal context of an earlier read of the key (null for
   * none): the siblings it covers are replaced, any others are kept as siblings.
   */
  CompletionStage<WriteResult> put(
      String key, byte[] value, String contentType, String context, WriteOptions options);

  /** Deletes what {@code context} covers (null: what the coordinating replica holds). */
  default CompletionStage<WriteResult> delete(String key, String context) {
    return delete(key, context, WriteOptions.DEFAULT);
  }

  /** Deletes a key (see {@link Ringstore.Delete} for what {@code context} null means). */
  CompletionStage<WriteResult> delete(String key, String context, WriteOptions options);

  /** The cluster's N, R and W, as read from the cluster when this client connected. */
  Replication replication();

  /**
   * Closes the client and waits (boundedly) until it is closed: a member leaves the cluster
   * gracefully (its actor system terminates; the JVM keeps running), an HTTP client releases its
   * connections. Requests still in flight complete, with an error if their answer had not come.
   * Idempotent.
   */
  @Override
  void close();
}
