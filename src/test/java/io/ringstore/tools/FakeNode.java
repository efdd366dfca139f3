package io.ringstore.tools;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A stand-in for a node's HTTP gateway in the CLI tests: the JDK's HttpServer on 127.0.0.1, port 0,
 * answering canned JSON per {@code METHOD path}. It only tests the CLI; it is no model of a node.
 * With {@link #requireAuthorization} it answers 401 (as a node with users does) to a request
 * without that {@code Authorization} header.
 */
final class FakeNode implements AutoCloseable {
  /** A canned answer; {@code null} from a supplier means: drop the connection without answering. */
  record Answer(int status, String body) {}

  private final HttpServer server;
  private final Map<String, Supplier<Answer>> routes = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private volatile String requiredAuthorization;

  FakeNode() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  FakeNode on(String method, String path, int status, String body) {
    return on(method, path, () -> new Answer(status, body));
  }

  FakeNode on(String method, String path, Supplier<Answer> answer) {
    routes.put(method + " " + path, answer);
    return this;
  }

  /** Answers 401 to every request whose {@code Authorization} header is not {@code value}. */
  FakeNode requireAuthorization(String value) {
    requiredAuthorization = value;
    return this;
  }

  /** The {@code Authorization} header of every request received ({@code none} when absent). */
  List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Every request received, as {@code METHOD path}. */
  List<String> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
    requests.add(key);
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    authorizations.add(authorization == null ? "none" : authorization);
    exchange.getRequestBody().readAllBytes();
    Supplier<Answer> route = routes.get(key);
    Answer answer;
    if (requiredAuthorization != null && !requiredAuthorization.equals(authorization)) {
      exchange
          .getResponseHeaders()
          .set("WWW-Authenticate", "Basic realm=\"ringstore\", charset=\"UTF-8\"");
      answer = new Answer(401, "{\"error\":\"unauthorized\",\"message\":\"credentials required\"}");
    } else {
      answer =
          route == null
              ? new Answer(404, "{\"error\":\"not_found\",\"message\":\"no such path\"}")
              : route.get();
    }
    if (answer == null) {
      exchange.close();
      return;
    }
    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
