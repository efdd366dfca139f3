package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.testing.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pooled keep-alive client ({@code java.net.http.HttpClient} over HTTP/1.1, as the multi-JVM
 * tests' {@code NodeHttp} is) that waits between two requests longer than the request-head deadline
 * is answered promptly on its second request, over HTTP and over HTTPS: the deadline runs only
 * while a request head is on its way, and an idle connection between requests is left to Pekko's
 * {@code idle-timeout}. (SecureClusterIT's GET after a 45 s pause timed out when the deadline also
 * closed idle connections.) A head that stops halfway over HTTPS is closed at the deadline with
 * TLS's {@code close_notify}, so the client sees the close.
 */
class IdleKeepAliveHttpTest {
  private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(1);

  /** The pause between the two requests: well past the head deadline. */
  private static final Duration IDLE = HEAD_TIMEOUT.multipliedBy(3);

  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

  @TempDir Path dir;

  private TestNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aKeepAliveConnectionIdlePastTheHeadDeadlineServesTheNextRequestOverHttp() throws Exception {
    int port = start("");
    twoRequestsAPauseApart(
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(ANSWER_WITHIN)
            .build(),
        "http://127.0.0.1:" + port);
  }

  @Test
  void aKeepAliveConnectionIdlePastTheHeadDeadlineServesTheNextRequestOverHttps() throws Exception {
    SelfSignedTls tls = SelfSignedTls.create(dir);
    int port = start(tls.nodeConfig());
    twoRequestsAPauseApart(
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(tls.clientContext())
            .connectTimeout(ANSWER_WITHIN)
            .build(),
        "https://127.0.0.1:" + port);
  }

  @Test
  void aHalfSentHeadOverHttpsIsClosedAtTheDeadlineWithCloseNotify() throws Exception {
    SelfSignedTls tls = SelfSignedTls.create(dir);
    int port = start(tls.nodeConfig());
    try (SSLSocket socket =
        (SSLSocket) tls.clientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout((int) ANSWER_WITHIN.toMillis());
      socket.startHandshake();
      socket
          .getOutputStream()
          .write(
              "GET /health/alive HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      long start = System.nanoTime();
      // -1: the node's close_notify (a reset would throw, a connection left open would time out)
      assertEquals(-1, socket.getInputStream().read(), "the connection ends cleanly, unanswered");
      long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
      assertTrue(
          millis < HEAD_TIMEOUT.plus(ANSWER_WITHIN).toMillis(),
          "closed at the head deadline, after " + millis + " ms");
    }
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(tls.clientContext())
            .connectTimeout(ANSWER_WITHIN)
            .build();
    assertEquals(1, headTimeouts(client, "https://127.0.0.1:" + port), "counted as a head timeout");
  }

  private int start(String extraHocon) {
    node =
        TestNode.start(
                TestNode.config(
                    dir.resolve("data"),
                    1,
                    1,
                    1,
                    extraHocon
                        + "\nringstore.http.request-head-timeout = "
                        + HEAD_TIMEOUT.toMillis()
                        + "ms"))
            .joinSelf();
    return node.awaitReady(Duration.ofSeconds(60));
  }

  private void twoRequestsAPauseApart(HttpClient client, String base) throws Exception {
    assertEquals(200, get(client, base + "/health/alive").statusCode(), "the first request");
    // the idle gap under test: the client says nothing for a while (TestKit's bounded wait for
    // nothing to happen)
    TestProbe.create(node.system()).expectNoMessage(IDLE);
    assertEquals(
        200,
        get(client, base + "/health/alive").statusCode(),
        "the request after " + IDLE + " idle");
    assertEquals(
        0, headTimeouts(client, base), "an idle keep-alive connection is not a late request head");
  }

  private static long headTimeouts(HttpClient client, String base) throws Exception {
    String sample =
        "ringstore_http_connections_refused_total{listener=\"api\",reason=\"head_timeout\"} ";
    for (String line : get(client, base + "/metrics").body().split("\n")) {
      if (line.startsWith(sample)) {
        return (long) Double.parseDouble(line.substring(sample.length()).trim());
      }
    }
    throw new AssertionError("no head_timeout count in /metrics");
  }

  private static HttpResponse<String> get(HttpClient client, String uri) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(uri)).timeout(ANSWER_WITHIN).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
