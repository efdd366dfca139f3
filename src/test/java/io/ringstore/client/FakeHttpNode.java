package io.ringstore.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for a node's HTTP API, for testing the HTTP client's transport without a cluster:
 * {@code GET /settings} answers {@link #settingsStatus} with {@link #settingsBody}, {@code GET
 * /health/ready} {@link #readyStatus}, and every {@code /kv/...} request {@link #kvStatus} with
 * {@link #kvBody} and {@link #kvHeaders} (or is held unanswered while {@link #hold} is set).
 * Records every request it received.
 */
final class FakeHttpNode implements AutoCloseable {
  static final String SETTINGS =
      "{\"n\":3,\"r\":2,\"w\":2,\"timeoutMs\":2000,\"partitions\":64,\"maxTimeoutMs\":60000,"
          + "\"maxKeyBytes\":1024,\"maxValueBytes\":1024,\"maxContextChars\":4096,"
          + "\"maxContextActors\":64}";

  /** One request as received: method, raw path and query, and headers (names lower-case). */
  record Received(String method, String target, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        if (h.getKey().equalsIgnoreCase(name)) {
          return h.getValue().get(0);
        }
      }
      return null;
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  final List<Received> received = new CopyOnWriteArrayList<>();
  volatile int settingsStatus = 200;
  volatile String settingsBody = SETTINGS;
  volatile int readyStatus = 200;
  volatile int kvStatus = 404;
  volatile String kvBody = "{\"error\":\"not_found\",\"message\":\"no value for this key\"}";
  volatile Map<String, String> kvHeaders = Map.of();

  /** While set, {@code /kv} requests wait until it is counted down (or 30 s) unanswered. */
  volatile CountDownLatch hold;

  /** Completes when the first {@code /kv} request has arrived. */
  final CompletableFuture<Void> kvArrived = new CompletableFuture<>();

  FakeHttpNode() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The {@code /kv} requests received. */
  List<Received> kvRequests() {
    return received.stream().filter(r -> r.target().startsWith("/kv/")).toList();
  }

  /** A URL where nothing listens: a port that was free a moment ago. */
  static String deadUrl() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String target = exchange.getRequestURI().getRawPath();
      if (exchange.getRequestURI().getRawQuery() != null) {
        target += "?" + exchange.getRequestURI().getRawQuery();
      }
      byte[] body = exchange.getRequestBody().readAllBytes();
      received.add(
          new Received(exchange.getRequestMethod(), target, exchange.getRequestHeaders(), body));
      String path = exchange.getRequestURI().getRawPath();
      if (path.equals("/settings")) {
        answer(exchange, settingsStatus, settingsBody, Map.of());
      } else if (path.equals("/health/ready")) {
        answer(exchange, readyStatus, "{\"status\":\"whatever\"}", Map.of());
      } else if (path.startsWith("/kv/")) {
        kvArrived.complete(null);
        CountDownLatch latch = hold;
        if (latch != null) {
          try {
            latch.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        answer(exchange, kvStatus, kvBody, kvHeaders);
      } else {
        answer(
            exchange, 404, "{\"error\":\"no_route\",\"message\":\"no such endpoint\"}", Map.of());
      }
    }
  }

  private static void answer(
      HttpExchange exchange, int status, String body, Map<String, String> headers)
      throws IOException {
    headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    if (!headers.containsKey("Content-Type")) {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
    }
    exchange.getResponseHeaders().add("X-Request-Id", "fake-" + status);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (status == 204 || bytes.length == 0) {
      exchange.sendResponseHeaders(status, -1);
    } else {
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    CountDownLatch latch = hold;
    if (latch != null) {
      latch.countDown();
    }
    server.stop(0);
    executor.shutdownNow();
  }
}
