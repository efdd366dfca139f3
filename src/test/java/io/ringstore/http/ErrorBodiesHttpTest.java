package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.testing.RawHttp;
import io.ringstore.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Error answers over real HTTP against one in-JVM node (issue 15, items 6 and 7): every error body
 * is the API's JSON without class names, actor paths or exception text, carries an {@code
 * X-Request-Id} that the node's log names for every 5xx, and is counted by route and code in {@code
 * /metrics}; a key with a newline gives one escaped log line. The node is a one-node cluster
 * configured for N=3, R=W=2: with one replica of every key, the default read and write quorums
 * cannot be met (a real 503 from the coordinators), while r=1 and w=1 work.
 */
class ErrorBodiesHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LEAK = Pattern.compile("\\w+(Exception|Error)\\b|pekko://|Actor\\[");
  private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

  @TempDir static Path dataDir;

  private static TestNode node;
  private static int port;
  private static Logger logger;
  private static ListAppender<ILoggingEvent> log;
  private static Level level;

  @BeforeAll
  static void startNode() {
    logger = (Logger) LoggerFactory.getLogger("io.ringstore");
    level = logger.getLevel();
    log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    logger.setLevel(Level.INFO);
    node =
        TestNode.start(
                TestNode.config(dataDir, 3, 2, 2, "ringstore.requests.max-value-size = 1KiB"))
            .joinSelf();
    port = node.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopNode() {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      logger.detachAppender(log);
      logger.setLevel(level);
    }
  }

  @Test
  void errorBodiesSpeakTheApi() throws Exception {
    String host = "127.0.0.1:" + port;
    String json = "Content-Type: application/json\r\n";
    // what is sent (a raw request head and body), then the status expected
    Object[][] table = {
      {"malformed context", "PUT /kv/e1?w=1", "X-Causal-Context: !!notbase64!!\r\n", "v", 400},
      {
        "context of random bytes",
        "PUT /kv/e1?w=1",
        "X-Causal-Context: AAAAAAAAAAAAAAAA\r\n",
        "v",
        400
      },
      {"bad r", "GET /kv/e1?r=abc", "", null, 400},
      {"r past N", "GET /kv/e1?r=9", "", null, 400},
      {"bad w", "PUT /kv/e1?w=-1", "", "v", 400},
      {"bad timeout", "GET /kv/e1?timeout=soon", "", null, 400},
      {"bad sloppy", "PUT /kv/e1?w=1&sloppy=maybe", "", "v", 400},
      {"empty key", "GET /kv/", "", null, 400},
      {"invalid UTF-8 key", "GET /kv/%FF%FE", "", null, 400},
      {"key too long", "GET /kv/" + "k".repeat(1100), "", null, 400},
      {"malformed target", "GET /kv/%zz", "", null, 400},
      {"admin key invalid", "GET /admin/replicas/%C3%28", "", null, 400},
      {"unknown route", "GET /no/such/thing", "", null, 404},
      {"405 on kv", "POST /kv/e1", "", "v", 405},
      {"405 on admin", "DELETE /admin/cluster", "", null, 405},
      {"oversized body", "PUT /kv/e1?w=1", json, "x".repeat(4096), 413},
      {
        "oversized chunked body",
        "PUT /kv/e1?w=1",
        "Transfer-Encoding: chunked\r\n",
        "1000\r\n" + "x".repeat(4096) + "\r\n0\r\n\r\n",
        413
      },
      {
        "bad chunk",
        "PUT /kv/e1?w=1",
        "Transfer-Encoding: chunked\r\n",
        "zz\r\nabc\r\n0\r\n\r\n",
        400
      },
      {"malformed Content-Length", "PUT /kv/e1?w=1", "Content-Length: abc\r\n", "abc", 400},
      {"unknown HTTP version", "GET /kv/e1 HTTP/2.1", "", null, 400},
      {"foreign host", "GET /kv/e1", "Host: evil.example\r\n", null, 421},
      {"foreign origin", "PUT /kv/e1?w=1", "Origin: http://evil.example\r\n", "v", 403},
      {"read quorum not met (503)", "GET /kv/e1", "", null, 503},
      {"write quorum not met (503)", "PUT /kv/e1", "", "v", 503},
      {"delete quorum not met (503)", "DELETE /kv/e1", "", null, 503},
    };
    for (Object[] row : table) {
      String name = (String) row[0];
      String line = (String) row[1];
      String headers = (String) row[2];
      String body = (String) row[3];
      int expected = (Integer) row[4];
      RawHttp.Answer answer = send(line, headers, body, host);
      assertEquals(expected, answer.status(), name + ": " + answer.body());
      assertFalse(
          LEAK.matcher(answer.body()).find(),
          name + ": the body shows internals: " + answer.body());
      JsonNode error = JSON.readTree(answer.body());
      assertTrue(
          error.path("error").isTextual() && error.path("message").isTextual(),
          name + ": JSON error body: " + answer.body());
      String id = answer.header("X-Request-Id");
      assertTrue(id != null && ID.matcher(id).matches(), name + ": X-Request-Id " + id);
      if (expected >= 500) {
        assertTrue(logged(id), name + ": request id " + id + " in the node's log");
      }
    }
  }

  @Test
  void successfulAnswersCarryARequestIdToo() throws Exception {
    RawHttp.Answer put = send("PUT /kv/ok?w=1", "", "v", "127.0.0.1:" + port);
    assertEquals(204, put.status(), put.body());
    RawHttp.Answer get = send("GET /kv/ok?r=1", "", null, "127.0.0.1:" + port);
    assertEquals(200, get.status(), get.body());
    assertTrue(ID.matcher(get.header("X-Request-Id")).matches());
    assertFalse(
        get.header("X-Request-Id").equals(put.header("X-Request-Id")), "one id per request");
  }

  @Test
  void aKeyWithANewlineIsOneEscapedLogLine() throws Exception {
    RawHttp.Answer answer =
        send("GET /kv/line%0AINFO%20forged%1B%5B2K", "", null, "127.0.0.1:" + port);
    assertEquals(503, answer.status(), answer.body());
    String id = answer.header("X-Request-Id");
    List<String> lines =
        log.list.stream()
            .map(ILoggingEvent::getFormattedMessage)
            .filter(m -> m.contains(id))
            .toList();
    assertTrue(
        lines.stream().anyMatch(l -> l.contains("key line\\nINFO forged\\u001b[2K")),
        "the key is in the log, escaped: " + lines);
    assertTrue(
        lines.stream().noneMatch(l -> l.contains("\n") || l.contains("\u001b")),
        "no line break or terminal escape from the key: " + lines);
  }

  @Test
  void answersAreCountedByRouteAndCode() throws Exception {
    String host = "127.0.0.1:" + port;
    long kv503 = responses("kv", 503);
    long other404 = responses("other", 404);
    long health200 = responses("health", 200);
    assertEquals(503, send("GET /kv/counted", "", null, host).status());
    assertEquals(404, send("GET /elsewhere", "", null, host).status());
    assertEquals(200, send("GET /health/alive", "", null, host).status());
    assertEquals(kv503 + 1, responses("kv", 503), "kv 503");
    assertEquals(other404 + 1, responses("other", 404), "other 404");
    assertEquals(health200 + 1, responses("health", 200), "health 200");
    assertTrue(responses("metrics", 200) >= 3, "the scrapes themselves");
  }

  private static long responses(String route, int code) throws Exception {
    String metrics = send("GET /metrics", "", null, "127.0.0.1:" + port).body();
    // labels in name order, as the client library writes them
    Matcher m =
        Pattern.compile(
                "(?m)^ringstore_http_responses_total\\{code=\""
                    + code
                    + "\",route=\""
                    + route
                    + "\"} (\\d+)")
            .matcher(metrics);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static boolean logged(String id) {
    return log.list.stream().anyMatch(e -> e.getFormattedMessage().contains(id));
  }

  /**
   * {@code line} is "METHOD target" or "METHOD target VERSION"; a Host header is added unless
   * given.
   */
  private static RawHttp.Answer send(String line, String headers, String body, String host)
      throws Exception {
    String requestLine = line.split(" ").length == 3 ? line : line + " HTTP/1.1";
    boolean framed = headers.contains("Transfer-Encoding") || headers.contains("Content-Length");
    byte[] bytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
    String head =
        requestLine
            + "\r\n"
            + (headers.contains("Host:") ? "" : "Host: " + host + "\r\n")
            + headers
            + (bytes == null || framed ? "" : "Content-Length: " + bytes.length + "\r\n");
    return RawHttp.exchange(port, head, bytes);
  }
}
