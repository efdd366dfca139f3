package io.ringstore.multijvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * A small blocking HTTP client for one node's gateway (on 127.0.0.1 or the node's own address):
 * PUT/GET/DELETE with headers, answering the status, the headers and the body. Every call has a
 * request timeout, so no test waits forever.
 */
public final class NodeHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client;
  private final String scheme;
  private final String host;
  private final int port;

  /** The Authorization header sent with every request, or null. */
  private final String authorization;

  NodeHttp(String host, int port) {
    this.authorization = null;
    this.scheme = "http";
    this.host = host;
    this.port = port;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
  }

  /** An HTTPS client of the node's gateway, trusting the CAs of {@code tls}. */
  NodeHttp(String host, int port, SSLContext tls) {
    this.authorization = null;
    this.scheme = "https";
    this.host = host;
    this.port = port;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .sslContext(tls)
            .build();
  }

  private NodeHttp(NodeHttp base, String authorization) {
    this.client = base.client;
    this.scheme = base.scheme;
    this.host = base.host;
    this.port = base.port;
    this.authorization = authorization;
  }

  /** This client sending HTTP Basic credentials with every request. */
  public NodeHttp as(String user, String password) {
    return new NodeHttp(
        this,
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
  }

  /** This client without credentials. */
  public NodeHttp anonymous() {
    return new NodeHttp(this, null);
  }

  /** A response: status, headers and body bytes. */
  public record Response(int status, HttpHeaders headers, byte[] body) {
    public Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (status " + status + "): " + text(), e);
      }
    }

    @Override
    public String toString() {
      return "HTTP " + status + " " + headers.map() + " " + text();
    }
  }

  public Response get(String pathAndQuery) {
    return get(pathAndQuery, Map.of());
  }

  public Response get(String pathAndQuery, Map<String, String> headers) {
    return send(request(pathAndQuery, headers, DEFAULT_TIMEOUT).GET());
  }

  /** GET with a short timeout, for polling: an I/O failure or timeout is an empty answer. */
  Optional<Response> probe(String pathAndQuery, Duration timeout) {
    try {
      return Optional.of(send(request(pathAndQuery, Map.of(), timeout).GET()));
    } catch (UncheckedIOException e) {
      return Optional.empty();
    }
  }

  public Response put(String pathAndQuery, byte[] body) {
    return put(pathAndQuery, body, Map.of());
  }

  public Response put(String pathAndQuery, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder builder =
        request(pathAndQuery, headers, DEFAULT_TIMEOUT)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
      builder.header("Content-Type", "application/octet-stream");
    }
    return send(builder);
  }

  /** POST with an empty body (the admin actions). */
  public Response post(String pathAndQuery) {
    return send(
        request(pathAndQuery, Map.of(), DEFAULT_TIMEOUT).POST(HttpRequest.BodyPublishers.noBody()));
  }

  public Response delete(String pathAndQuery, Map<String, String> headers) {
    return send(request(pathAndQuery, headers, DEFAULT_TIMEOUT).DELETE());
  }

  private HttpRequest.Builder request(
      String pathAndQuery, Map<String, String> headers, Duration timeout) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(scheme + "://" + host + ":" + port + pathAndQuery))
            .timeout(timeout);
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    headers.forEach(builder::header);
    return builder;
  }

  private Response send(HttpRequest.Builder builder) {
    HttpRequest request = builder.build();
    try {
      HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      return new Response(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + request.method() + " " + request.uri(), e);
    }
  }
}
