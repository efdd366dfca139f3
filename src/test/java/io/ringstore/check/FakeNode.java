package io.ringstore.check;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for a ringstore node's HTTP contract ({@code /kv/{key}}, {@code
 * /admin/replicas/{key}}, and a ready {@code /health/ready} and {@code /admin/cluster} of one
 * member) on an in-memory map, for testing the runner without a cluster. Behaviours: a correct
 * store, one that acknowledges writes it forgets, and one whose replicas never agree. With {@link
 * #requireAuthorization} it answers 401 to a request (but {@code /health/*}) without that {@code
 * Authorization} header, and with {@link #forbidReplicas} 403 to {@code /admin/replicas/*}, as a
 * node with users does.
 */
final class FakeNode implements AutoCloseable {
  enum Behaviour {
    CORRECT,
    FORGETS_WRITES,
    REPLICAS_DIFFER
  }

  private final HttpServer server;
  private final Behaviour behaviour;
  private final Map<String, byte[]> values = new ConcurrentHashMap<>();
  private final AtomicLong kvRequests = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile String requiredAuthorization;
  private volatile boolean forbidReplicas;

  FakeNode(Behaviour behaviour) {
    this.behaviour = behaviour;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/kv/", guarded(this::kv));
    server.createContext(
        "/admin/replicas/",
        guarded(
            exchange -> {
              if (forbidReplicas) {
                refused.incrementAndGet();
                respond(
                    exchange,
                    403,
                    "{\"error\":\"forbidden\",\"message\":\"needs role admin\"}"
                        .getBytes(StandardCharsets.UTF_8));
              } else {
                replicas(exchange);
              }
            }));
    server.createContext(
        "/health/ready",
        exchange ->
            respond(
                exchange,
                200,
                "{\"status\":\"ready\",\"self\":\"fake\",\"memberStatus\":\"Up\"}"
                    .getBytes(StandardCharsets.UTF_8)));
    server.createContext(
        "/admin/cluster",
        guarded(
            exchange ->
                respond(
                    exchange,
                    200,
                    "{\"self\":\"fake\",\"members\":[{\"node\":\"fake\",\"status\":\"Up\",\"reachable\":true,\"roles\":[]}]}"
                        .getBytes(StandardCharsets.UTF_8))));
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Answers 401 to every request (but {@code /health/*}) whose {@code Authorization} is not {@code
   * value}.
   */
  FakeNode requireAuthorization(String value) {
    requiredAuthorization = value;
    return this;
  }

  /** Answers 403 to {@code /admin/replicas/*} (a user without the role admin). */
  FakeNode forbidReplicas() {
    forbidReplicas = true;
    return this;
  }

  /** How many requests this node answered 401 or 403. */
  long refused() {
    return refused.get();
  }

  private HttpHandler guarded(HttpHandler handler) {
    return exchange -> {
      String required = requiredAuthorization;
      if (required != null
          && !required.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        refused.incrementAndGet();
        exchange
            .getResponseHeaders()
            .set("WWW-Authenticate", "Basic realm=\"ringstore\", charset=\"UTF-8\"");
        respond(
            exchange,
            401,
            "{\"error\":\"unauthorized\",\"message\":\"credentials required\"}"
                .getBytes(StandardCharsets.UTF_8));
      } else {
        handler.handle(exchange);
      }
    };
  }

  /** How many {@code /kv/} requests this node received. */
  long kvRequests() {
    return kvRequests.get();
  }

  private void kv(HttpExchange exchange) throws IOException {
    kvRequests.incrementAndGet();
    String key = exchange.getRequestURI().getPath().substring("/kv/".length());
    switch (exchange.getRequestMethod()) {
      case "GET" -> {
        byte[] value = values.get(key);
        if (value == null) {
          respond(exchange, 404, new byte[0]);
        } else {
          exchange.getResponseHeaders().add("X-Causal-Context", "ctx");
          respond(exchange, 200, value);
        }
      }
      case "PUT" -> {
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (behaviour != Behaviour.FORGETS_WRITES || !values.containsKey(key)) {
          values.put(key, body);
        }
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
      }
      default -> respond(exchange, 405, new byte[0]);
    }
  }

  private void replicas(HttpExchange exchange) throws IOException {
    String key = exchange.getRequestURI().getPath().substring("/admin/replicas/".length());
    byte[] value = values.get(key);
    String values = value == null ? "" : "\"" + Base64.getEncoder().encodeToString(value) + "\"";
    StringBuilder json =
        new StringBuilder("{\"key\":\"" + key + "\",\"partition\":1,\"replicas\":[");
    for (int r = 0; r < 3; r++) {
      boolean empty = behaviour == Behaviour.REPLICAS_DIFFER && r == 2;
      json.append(r == 0 ? "" : ",")
          .append("{\"replica\":\"1:")
          .append(r)
          .append("\",\"node\":\"n")
          .append(r)
          .append("\",\"found\":")
          .append(value != null && !empty)
          .append(",\"values\":[")
          .append(empty ? "" : values)
          .append("],\"tombstone\":false}");
    }
    respond(exchange, 200, json.append("]}").toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
    ((ExecutorService) server.getExecutor()).shutdownNow();
  }
}
