package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.testing.TestNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's slow-connection attack scaled to a 2-core machine, against one in-JVM node with small
 * limits (20 connections per address, 30 in all, Pekko's own cap at 30 as well, request heads
 * within 2 s): 40 connections from 127.0.0.1 that each dribble a header line every 250 ms and are
 * reopened as soon as the node closes them. Meanwhile a client on 127.0.0.2 gets {@code
 * /health/ready} and a PUT and GET answered within a few seconds; the dribbling connections are
 * closed by the head deadline; the refusals are counted in {@code /metrics}. DESIGN invariant 6.
 */
class SlowConnectionsHttpTest {
  private static final int SLOW_CONNECTIONS = 40;
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(6);

  @TempDir Path dataDir;

  private TestNode node;
  private int port;
  private SlowClients attacker;

  @BeforeEach
  void startNode() {
    node =
        TestNode.start(
                TestNode.config(
                    dataDir,
                    1,
                    1,
                    1,
                    "ringstore.http {"
                        + " max-connections-per-address = 20, max-connections = 30, request-head-timeout = 2s }\n"
                        // the attack of issue 15 filled Pekko's own cap (1024 by default); the same
                        // at this scale
                        + "pekko.http.server.max-connections = 30"))
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
  void slowConnectionsFromOneAddressDoNotStarveAnotherAndAreClosedByTheHeadDeadline()
      throws Exception {
    // before the attack: the key's replica is up (a first write on a busy machine can take longer
    // than the request timeout)
    long warm = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    boolean warmed = false;
    while (!warmed && System.nanoTime() < warm) {
      warmed = status("PUT", "/kv/warm-up", "x") == 204;
    }
    assertTrue(warmed, "no write succeeded within 30 s before the attack");
    attacker = new SlowClients("127.0.0.1", port, SLOW_CONNECTIONS);
    attacker.start();
    // the probes span a few head deadlines: the attacker keeps reopening what the node closes
    long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
    int round = 0;
    while (round < 3 || System.nanoTime() < until) {
      round++;
      assertEquals(200, status("GET", "/health/ready", null), "round " + round + ": ready");
      // one key (its replica warmed up before), each write replacing what it read. Every request
      // is answered within ANSWER_WITHIN; a 503 (the store's own timeout on an overloaded
      // machine, not the gateway's) is retried as a client would, after reading again
      RawHttp.Response put = null;
      for (int attempt = 0; attempt < 3 && (put == null || put.status() == 503); attempt++) {
        String context = send("GET", "/kv/warm-up?timeout=4000", null).header("X-Causal-Context");
        put =
            RawHttp.send(
                "127.0.0.2",
                port,
                "PUT",
                "/kv/warm-up?timeout=4000",
                "value " + round,
                ANSWER_WITHIN,
                "X-Causal-Context: " + context);
      }
      assertEquals(204, put.status(), "round " + round + ": PUT: " + put.text());
      RawHttp.Response read = null;
      for (int attempt = 0; attempt < 3 && (read == null || read.status() == 503); attempt++) {
        read = send("GET", "/kv/warm-up?timeout=4000", null);
      }
      assertEquals(200, read.status(), "round " + round + ": GET");
      assertTrue(read.text().endsWith("value " + round), "round " + round + ": GET's value");
      attacker.awaitTick();
      attacker.awaitTick();
    }
    long perAddress = refused("per_address");
    assertTrue(perAddress >= 1, "connections past 20 from 127.0.0.1 were refused: " + perAddress);
    assertTrue(refused("head_timeout") >= 1, "dribbling connections were closed by the deadline");
    long open = metric("ringstore_http_connections_open{listener=\"api\"}");
    assertTrue(open <= 21, "at most 20 from 127.0.0.1 and this probe are open, was " + open);

    // no more reconnects: every dribbling connection is closed within the head deadline (Pekko's
    // idle-timeout, 60 s, never ends them: they are never idle)
    attacker.stopReopening();
    long deadline = System.nanoTime() + Duration.ofSeconds(12).toNanos();
    while (attacker.openCount() > 0 && System.nanoTime() < deadline) {
      attacker.awaitTick();
    }
    assertEquals(
        0, attacker.openCount(), "dribbling connections still open after the head deadline");
    assertTrue(
        attacker.opened() > SLOW_CONNECTIONS,
        "closed connections were reopened and closed"
            + " again (opened "
            + attacker.opened()
            + ")");
    assertEquals(
        attacker.opened(),
        refused("per_address") + refused("total") + refused("head_timeout"),
        "every slow connection was refused or timed out, and counted");
  }

  private long refused(String reason) throws IOException {
    return metric(
        "ringstore_http_connections_refused_total{listener=\"api\",reason=\"" + reason + "\"}");
  }

  private long metric(String sample) throws IOException {
    RawHttp.Response metrics = send("GET", "/metrics", null);
    assertEquals(200, metrics.status(), "/metrics");
    for (String line : metrics.text().split("\n")) {
      if (line.startsWith(sample + " ")) {
        return (long) Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    throw new AssertionError("no " + sample + " in /metrics");
  }

  private int status(String method, String path, String body) throws IOException {
    return send(method, path, body).status();
  }

  private RawHttp.Response send(String method, String path, String body) throws IOException {
    return RawHttp.send("127.0.0.2", port, method, path, body, ANSWER_WITHIN);
  }
}
