package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.testing.TestNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With HTTPS on, both listeners of the gateway (bound connection by connection) speak TLS with the
 * node's key: the data port and the management port; the management port serves only health and
 * metrics.
 */
class ManagementListenerTlsHttpTest {
  @TempDir static Path dir;

  private static TestNode node;
  private static int port;
  private static int managementPort;
  private static HttpClient https;

  @BeforeAll
  static void startNode() throws Exception {
    SelfSignedTls tls = SelfSignedTls.create(dir);
    https =
        HttpClient.newBuilder()
            .sslContext(tls.clientContext())
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      managementPort = free.getLocalPort();
    }
    node =
        TestNode.start(
                TestNode.config(
                    dir.resolve("data"),
                    1,
                    1,
                    1,
                    tls.nodeConfig() + "\nringstore.http.management-port = " + managementPort))
            .joinSelf();
    port = node.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void bothListenersServeHttps() throws Exception {
    assertEquals(200, get(port, "/health/alive").statusCode(), "data port over HTTPS");
    assertEquals(
        200, get(managementPort, "/health/alive").statusCode(), "management port over HTTPS");
    HttpResponse<String> metrics = get(managementPort, "/metrics");
    assertEquals(200, metrics.statusCode(), "/metrics on the management port");
    assertTrue(
        metrics.body().contains("ringstore_http_connections_open{listener=\"management\"}"),
        "the management listener's connections are reported");
    assertEquals(
        404, get(managementPort, "/kv/key").statusCode(), "no data on the management port");
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return https.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
