package io.ringstore.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;

/**
 * A stand-in for a node's {@code /kv/{key}} contract on an in-memory map, for testing the bench
 * without a cluster: {@code GET} answers 200 with the value and a context (404 when absent), {@code
 * PUT} stores and answers 204 with a context. Counts what it received. Optionally over HTTPS,
 * answering 401 to a request without the required {@code Authorization} header, and 403 to writes
 * (a read-only user), as a node with users does.
 */
final class FakeKvNode implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final Map<String, byte[]> values = new ConcurrentHashMap<>();
  final AtomicLong gets = new AtomicLong();
  final AtomicLong puts = new AtomicLong();
  final AtomicLong putsWithContext = new AtomicLong();
  final AtomicLong refused = new AtomicLong();

  /** The {@code Authorization} header every request must carry; null: none needed. */
  volatile String requiredAuthorization;

  /** Writes are answered 403. */
  volatile boolean forbidWrites;

  private final boolean chunked;

  /** Service time of every GET, in nanoseconds (0: answer at once): a node slower than the load. */
  volatile long getServiceNanos;

  FakeKvNode() {
    this(false);
  }

  /** {@code chunked}: found values are sent with chunked transfer encoding. */
  FakeKvNode(boolean chunked) {
    this(chunked, null);
  }

  /** Over HTTPS with {@code tls} (its server key and certificate); plain HTTP when null. */
  FakeKvNode(boolean chunked, SSLContext tls) {
    this.chunked = chunked;
    try {
      InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
      if (tls == null) {
        server = HttpServer.create(loopback, 0);
      } else {
        HttpsServer https = HttpsServer.create(loopback, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        server = https;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/kv/", this::kv);
    server.setExecutor(executor);
    server.start();
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  int size() {
    return values.size();
  }

  private void kv(HttpExchange exchange) throws IOException {
    String key = exchange.getRequestURI().getPath().substring("/kv/".length());
    String required = requiredAuthorization;
    if (required != null
        && !required.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      refused.incrementAndGet();
      exchange
          .getResponseHeaders()
          .add("WWW-Authenticate", "Basic realm=\"ringstore\", charset=\"UTF-8\"");
      exchange.sendResponseHeaders(401, -1);
      exchange.close();
      return;
    }
    if (forbidWrites
        && !exchange.getRequestMethod().equals("GET")
        && !exchange.getRequestMethod().equals("HEAD")) {
      refused.incrementAndGet();
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(403, -1);
      exchange.close();
      return;
    }
    switch (exchange.getRequestMethod()) {
      case "GET" -> {
        gets.incrementAndGet();
        if (getServiceNanos > 0) {
          // models the time a slow node takes to answer (the request's work), not a wait for a
          // condition
          LockSupport.parkNanos(getServiceNanos);
        }
        byte[] value = values.get(key);
        if (value == null) {
          exchange.sendResponseHeaders(404, -1);
        } else {
          exchange.getResponseHeaders().add("X-Causal-Context", "ctx-" + key);
          exchange.sendResponseHeaders(200, chunked ? 0 : value.length);
          exchange.getResponseBody().write(value);
        }
      }
      case "PUT" -> {
        puts.incrementAndGet();
        if (exchange.getRequestHeaders().getFirst("X-Causal-Context") != null) {
          putsWithContext.incrementAndGet();
        }
        values.put(key, exchange.getRequestBody().readAllBytes());
        exchange.getResponseHeaders().add("X-Causal-Context", "ctx-" + key);
        exchange.sendResponseHeaders(204, -1);
      }
      default -> exchange.sendResponseHeaders(405, -1);
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
