package io.ringstore.bench;

import io.ringstore.tools.ClientAccess;
import io.ringstore.tools.ClientCredentials;
import io.ringstore.tools.ClientTls;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSocketFactory;

/**
 * The HTTP side of a run: per worker a {@link Connection} bound to node {@code worker mod nodes},
 * either a {@link SocketHttpConnection} (the default) or one over a JDK {@link HttpClient}
 * (HTTP/1.1, keep-alive; one client per node). A worker sends one request at a time, so each keeps
 * one connection open to its node and the run holds {@code --connections} connections. Both speak
 * HTTP or HTTPS and send the credentials of {@link BenchOptions#access()}.
 */
final class HttpConnections implements AutoCloseable {
  static final String CONTEXT_HEADER = "X-Causal-Context";
  private final List<String> nodes;
  private final List<HttpClient> clients = new ArrayList<>();
  private final String readQuery;
  private final String writeQuery;
  private final Duration clientTimeout;
  private final boolean socket;
  private final List<SocketHttpConnection> sockets = new ArrayList<>();
  private final ClientAccess access;
  private final SSLSocketFactory tls;

  /**
   * Connections for {@code options}; an IllegalArgumentException, fit for the user, for a bad CA.
   */
  HttpConnections(BenchOptions options) {
    this.nodes = options.nodes();
    this.access = options.access();
    HttpClient.Builder builder =
        access.clientBuilder(
            Duration.ofMillis(Math.min(2000, options.requestTimeout().toMillis() + 1000)));
    for (int i = 0; i < nodes.size(); i++) {
      clients.add(builder.build());
    }
    this.tls = access.https() ? access.sslContext().getSocketFactory() : null;
    String timeout = "?timeout=" + options.requestTimeout().toMillis();
    this.readQuery = timeout + (options.r() == null ? "" : "&r=" + options.r());
    this.writeQuery = timeout + (options.w() == null ? "" : "&w=" + options.w());
    this.clientTimeout = options.requestTimeout().plusSeconds(1);
    this.socket = options.httpClient().equals("socket");
  }

  synchronized Connection connection(int worker) {
    int node = worker % nodes.size();
    if (socket) {
      SocketHttpConnection connection = socketTo(node);
      sockets.add(connection);
      return connection;
    }
    return new Http(clients.get(node), access.scheme() + "://" + nodes.get(node) + "/kv/");
  }

  private SocketHttpConnection socketTo(int node) {
    return new SocketHttpConnection(
        nodes.get(node),
        readQuery,
        writeQuery,
        (int) clientTimeout.toMillis(),
        tls,
        access.authorization().orElse(null));
  }

  /**
   * Before the run: one {@code HEAD} of the first record on the first node. Empty when the run may
   * go on, whatever else the node answers or if it does not; the line to print when it refused the
   * credentials (401, 403) or TLS failed.
   */
  Optional<String> probe() {
    SocketHttpConnection probe = socketTo(0);
    String url = access.scheme() + "://" + nodes.get(0);
    try {
      return ClientCredentials.refusal(
          access.credentials(), url, probe.status(KeyChooser.key(0)), "bench", "readwrite");
    } catch (IOException | RuntimeException e) {
      return ClientTls.tlsProblem(e)
          .map(problem -> "cannot talk to the node at " + url + ": " + problem);
    } finally {
      probe.close();
    }
  }

  private final class Http implements Connection {
    private final HttpClient client;
    private final String base;

    Http(HttpClient client, String base) {
      this.client = client;
      this.base = base;
    }

    @Override
    public Result read(String key) throws InterruptedException {
      return get(key, false);
    }

    @Override
    public Result readForUpdate(String key) throws InterruptedException {
      return get(key, true);
    }

    private Result get(String key, boolean missingIsOk) throws InterruptedException {
      HttpRequest request =
          access
              .authorize(HttpRequest.newBuilder(URI.create(base + key + readQuery)))
              .timeout(clientTimeout)
              .GET()
              .build();
      try {
        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        String context = response.headers().firstValue(CONTEXT_HEADER).orElse(null);
        if (status == 200 || status == 300 || (status == 404 && missingIsOk)) {
          return Result.ok(context, status == 300);
        }
        return Result.failedWith(status);
      } catch (IOException | RuntimeException e) {
        return failure(e);
      }
    }

    @Override
    public Result write(String key, byte[] value, String context) throws InterruptedException {
      HttpRequest.Builder request =
          access
              .authorize(HttpRequest.newBuilder(URI.create(base + key + writeQuery)))
              .timeout(clientTimeout)
              .header("Content-Type", "application/octet-stream")
              .PUT(HttpRequest.BodyPublishers.ofByteArray(value));
      if (context != null) {
        request.header(CONTEXT_HEADER, context);
      }
      try {
        HttpResponse<Void> response =
            client.send(request.build(), HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status == 204 || status == 200) {
          return Result.ok(response.headers().firstValue(CONTEXT_HEADER).orElse(null), false);
        }
        return Result.failedWith(status);
      } catch (IOException | RuntimeException e) {
        return failure(e);
      }
    }

    private static Result failure(Exception e) {
      String kind = e.getClass().getSimpleName();
      return e instanceof ConnectException ? Result.refused(kind) : Result.failed(kind);
    }
  }

  @Override
  public synchronized void close() {
    sockets.forEach(SocketHttpConnection::close);
    // JDK 17's HttpClient has no close(): its connections and selector thread end when it is
    // collected.
    clients.clear();
  }
}
