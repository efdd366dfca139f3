package io.ringstore.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.testing.HttpTestNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Load shedding by bytes against one in-JVM node whose gateway may hold 1.5 MiB of PUT bodies
 * (values up to 1 MiB): while one client uploads a 1 MiB body slowly, another 1 MiB PUT is answered
 * 503 overloaded with Retry-After (counted), not a 500 or a reset; a small PUT still fits; once the
 * slow upload is answered the same large PUT succeeds (DESIGN invariant 6).
 */
class InFlightBytesHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MIB = 1 << 20;
  private static final HttpClient HTTP = HttpTestNode.client();

  @RegisterExtension
  static final HttpTestNode NODE =
      HttpTestNode.joined().config("ringstore.requests.max-in-flight-bytes = 1536KiB");

  @Test
  void aPutPastTheBytesInFlightIs503OverloadedAndFitsOnceTheOthersAreAnswered() throws Exception {
    long shedBefore = metric("ringstore_http_shed_total");
    try (Socket slow = new Socket("127.0.0.1", NODE.port())) {
      slow.setSoTimeout(30_000);
      OutputStream out = slow.getOutputStream();
      out.write(
          ("PUT /kv/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream"
                  + "\r\nContent-Length: "
                  + MIB
                  + "\r\n\r\n")
              .getBytes(US_ASCII));
      out.write(new byte[1000]);
      out.flush();
      awaitMetric("ringstore_http_in_flight_bytes", MIB);

      HttpResponse<String> shed = put("/kv/large", new byte[MIB]);
      assertEquals(503, shed.statusCode(), "a second 1 MiB body does not fit: " + shed.body());
      assertEquals("1", shed.headers().firstValue("Retry-After").orElse(null), "Retry-After");
      assertEquals("overloaded", JSON.readTree(shed.body()).path("error").asText(), shed.body());
      assertEquals(shedBefore + 1, metric("ringstore_http_shed_total"), "counted in /metrics");
      assertEquals(204, put("/kv/small", new byte[100]).statusCode(), "a small body still fits");

      out.write(new byte[MIB - 1000]);
      out.flush();
      String status = statusLine(slow.getInputStream());
      assertTrue(status.startsWith("HTTP/1.1 204"), "the slow upload is stored: " + status);
    }
    awaitMetric("ringstore_http_in_flight_bytes", 0);
    assertEquals(
        204, put("/kv/large", new byte[MIB]).statusCode(), "fits once the others are done");
    assertEquals(
        MIB,
        HTTP.send(
                HttpRequest.newBuilder(URI.create(base() + "/kv/large")).build(),
                HttpResponse.BodyHandlers.ofByteArray())
            .body()
            .length,
        "and is readable");
  }

  private static String statusLine(InputStream in) throws Exception {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      line.append((char) c);
    }
    return line.toString().trim();
  }

  private static String base() {
    return "http://127.0.0.1:" + NODE.port();
  }

  private static HttpResponse<String> put(String path, byte[] body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(base() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitMetric(String name, long expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    long value = metric(name);
    while (value != expected && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      value = metric(name);
    }
    assertEquals(expected, value, name);
  }

  private static long metric(String name) throws Exception {
    String body =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(base() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ")) {
        return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError("no " + name + " in /metrics");
  }
}
