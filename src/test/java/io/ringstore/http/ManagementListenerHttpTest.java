package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.testing.TestNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management listener ({@code ringstore.http.management-port}): while slow connections hold
 * every connection the data port allows (10 in all; heads within 60 s, so they stay), a new
 * connection to the data port is closed unanswered and counted as {@code total}, and the management
 * port still answers {@code /health/ready} and {@code /metrics}, and nothing else. Once the slow
 * connections go, the data port serves again (their slots were given back).
 */
class ManagementListenerHttpTest {
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(6);

  @TempDir Path dataDir;

  private TestNode node;
  private int port;
  private int managementPort;
  private SlowClients attacker;

  @BeforeEach
  void startNode() throws IOException {
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      managementPort = free.getLocalPort();
    }
    node =
        TestNode.start(
                TestNode.config(
                    dataDir,
                    1,
                    1,
                    1,
                    "ringstore.http {"
                        + " max-connections-per-address = 10, max-connections = 10, request-head-timeout = 60s,"
                        + " management-port = "
                        + managementPort
                        + " }"))
            .joinSelf();
    port = node.awaitReady(Duration.ofSeconds(60));
  }

  @AfterEach
  void stop() {
    if (attacker != null) {
      attacker.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void healthAndMetricsAreAnsweredOnTheManagementPortWhileTheDataPortIsFull() throws Exception {
    assertEquals(200, management("/health/ready").status(), "ready before the attack");
    attacker = new SlowClients("127.0.0.1", port, 10);
    attacker.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (openOnDataPort() < 10 && System.nanoTime() < deadline) {
      attacker.awaitTick();
    }
    assertEquals(10, openOnDataPort(), "the slow connections hold the data port's 10");

    assertTrue(
        RawHttp.closedWithoutAnswer("127.0.0.2", port, ANSWER_WITHIN),
        "a new connection to the full data port is closed unanswered");
    assertEquals(200, management("/health/ready").status(), "/health/ready on the management port");
    assertEquals(200, management("/health/alive").status(), "/health/alive on the management port");
    assertTrue(
        metric("ringstore_http_connections_refused_total{listener=\"api\",reason=\"total\"}") >= 1,
        "the refusal is counted");
    assertEquals(404, management("/kv/anything").status(), "the management port serves no data");
    assertEquals(404, management("/admin/cluster").status(), "nor operations");

    attacker.close();
    deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (openOnDataPort() > 0 && System.nanoTime() < deadline) {
      attacker.awaitTick();
    }
    assertEquals(0, openOnDataPort(), "the slow connections' slots were given back");
    assertEquals(
        200,
        RawHttp.send("127.0.0.2", port, "GET", "/health/ready", null, ANSWER_WITHIN).status(),
        "the data port serves again");
  }

  private RawHttp.Response management(String path) throws IOException {
    return RawHttp.send("127.0.0.2", managementPort, "GET", path, null, ANSWER_WITHIN);
  }

  private long openOnDataPort() throws IOException {
    return metric("ringstore_http_connections_open{listener=\"api\"}");
  }

  private long metric(String sample) throws IOException {
    RawHttp.Response metrics = management("/metrics");
    assertEquals(200, metrics.status(), "/metrics on the management port");
    for (String line : metrics.text().split("\n")) {
      if (line.startsWith(sample + " ")) {
        return (long) Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    throw new AssertionError("no " + sample + " in /metrics");
  }
}
