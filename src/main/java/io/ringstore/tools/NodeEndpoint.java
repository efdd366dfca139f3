package io.ringstore.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One node's HTTP gateway, as the CLI calls it: plain GET and POST on {@code /admin} paths. An
 * {@link IOException} from {@link #get}/{@link #post} means the node did not answer at all
 * (refused, reset, timed out); any HTTP answer, whatever its status, is a {@link Reply}.
 */
final class NodeEndpoint {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ClientAccess access;
  private final String host;
  private final int port;
  private final HttpClient http;
  private final Duration requestTimeout;

  /** A node's gateway reached with {@code access} (scheme, credentials) through {@code http}. */
  NodeEndpoint(
      ClientAccess access, String host, int port, HttpClient http, Duration requestTimeout) {
    this.access = access;
    this.host = host;
    this.port = port;
    this.http = http;
    this.requestTimeout = requestTimeout;
  }

  /** {@code scheme://host:port}, for messages. */
  String url() {
    return access.scheme() + "://" + address();
  }

  /** {@code host:port} of the HTTP gateway (not the node's cluster name). */
  String address() {
    return host + ":" + port;
  }

  int port() {
    return port;
  }

  NodeEndpoint withTimeout(Duration timeout) {
    return new NodeEndpoint(access, host, port, http, timeout);
  }

  /** How this endpoint is reached: scheme and credentials. */
  ClientAccess access() {
    return access;
  }

  /** Another node's gateway, called with the same client and credentials. */
  NodeEndpoint at(String otherHost, int otherPort) {
    return new NodeEndpoint(access, otherHost, otherPort, http, requestTimeout);
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  Reply post(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            access
                .authorize(request.timeout(requestTimeout).header("Accept", "application/json"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Reply(
        address(), response.request().uri().getPath(), response.statusCode(), response.body());
  }

  private URI uri(String path) {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return URI.create(access.scheme() + "://" + h + ":" + port + path);
  }

  /** An HTTP answer. */
  record Reply(String endpoint, String path, int status, String body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    /** The body read as {@code type}; a body that is not that JSON is a {@link BadAnswer}. */
    <T> T as(Class<T> type) {
      try {
        return JSON.readValue(body, type);
      } catch (JsonProcessingException e) {
        throw new BadAnswer(
            endpoint
                + " answered "
                + path
                + " with something that is not the expected "
                + "JSON ("
                + e.getOriginalMessage()
                + ")");
      }
    }

    /** What an error answer says: its JSON {@code message}, else its text, else the status. */
    String errorMessage() {
      try {
        AdminViews.Error error = JSON.readValue(body, AdminViews.Error.class);
        if (error != null && error.message() != null && !error.message().isBlank()) {
          return error.message();
        }
        if (error != null && error.error() != null) {
          return error.error();
        }
      } catch (JsonProcessingException e) {
        // not JSON: fall back to the text
      }
      String text = body == null ? "" : body.strip();
      if (text.isEmpty()) {
        return "HTTP " + status;
      }
      return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
  }

  /** A node answered, but not with what the contract promises. */
  static final class BadAnswer extends RuntimeException {
    BadAnswer(String message) {
      super(message);
    }
  }
}
