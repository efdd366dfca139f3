package io.ringstore.bench;

import io.ringstore.client.ClientSettings;
import io.ringstore.client.ReadOptions;
import io.ringstore.client.StoreClient;
import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.Quorum;
import io.ringstore.tools.ClientAccess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP client library's side of a run ({@code --http-client library}): one {@link StoreClient}
 * over HTTP to all of {@code --nodes} (its round robin and failover spread the requests), shared by
 * the workers, each waiting for its answer; so that the member client ({@code --mode java}) and the
 * HTTP client library can be compared on the same workload. HTTPS and credentials as {@link
 * BenchOptions#access()} says.
 */
final class LibraryConnections implements AutoCloseable {
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);
  private final StoreClient client;
  private final ReadOptions readOptions;
  private final WriteOptions writeOptions;
  private final long waitMillis;

  /** Connects (within 60 s); an IllegalStateException naming what was tried when that fails. */
  LibraryConnections(BenchOptions options) throws InterruptedException {
    ClientAccess access = options.access();
    List<String> urls = options.nodes().stream().map(n -> access.scheme() + "://" + n).toList();
    ClientSettings settings =
        ClientSettings.http(urls.toArray(String[]::new)).withJoinTimeout(JOIN_TIMEOUT);
    if (access.https()) {
      settings = settings.withSslContext(access.sslContext());
    }
    if (access.authorization().isPresent()) {
      // the credentials as HTTP Basic carries them: "Basic base64(user:password)"
      String basic =
          new String(
              Base64.getDecoder().decode(access.authorization().get().substring(6)),
              StandardCharsets.UTF_8);
      int colon = basic.indexOf(':');
      settings = settings.withCredentials(basic.substring(0, colon), basic.substring(colon + 1));
    }
    try {
      this.client =
          StoreClient.connect(settings)
              .toCompletableFuture()
              .get(JOIN_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          e.getCause() == null ? e.toString() : e.getCause().getMessage(), e);
    }
    Duration timeout = options.requestTimeout();
    this.readOptions =
        new ReadOptions(options.r() == null ? null : Quorum.parse(options.r()), timeout);
    this.writeOptions =
        new WriteOptions(options.w() == null ? null : Quorum.parse(options.w()), timeout, null);
    this.waitMillis = timeout.toMillis() + 3000;
  }

  Connection connection(int worker) {
    return new ClientConnection(client::get, client::put, readOptions, writeOptions, waitMillis);
  }

  @Override
  public void close() {
    client.close();
  }
}
