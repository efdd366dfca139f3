package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.testing.HttpTestNode;
import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.VersionVector;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The per-key limits over HTTP against one in-JVM node with small limits (5 siblings, contexts of
 * at most 8 actors and 512 characters): what a client gets past each one (DESIGN invariants 5 and
 * 6), that the refusal is counted, and that the key is still readable and resolvable afterwards.
 */
class KeyLimitsHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTEXT = "X-Causal-Context";

  @RegisterExtension
  static final HttpTestNode NODE =
      HttpTestNode.joined()
          .config(
              "ringstore.requests { max-siblings = 5,"
                  + " warn-siblings = 3, max-context-actors = 8, max-context-size = 512,"
                  + " max-object-size = 1MiB }");

  @Test
  void aBlindWriteThatWouldMakeTheObjectTooLargeIs413AndAWriteWithTheContextResolves()
      throws Exception {
    String key = "/kv/large-object";
    String big = "a".repeat(600 * 1024);
    assertEquals(204, send("PUT", key, big, null).statusCode(), "a first 600 KiB value");
    HttpResponse<String> refused = send("PUT", key, "b" + big, null);
    assertEquals(413, refused.statusCode(), "a second one would make 1.2 MB: " + refused.body());
    JsonNode error = JSON.readTree(refused.body());
    assertEquals("object_too_large", error.path("error").asText(), "error code: " + error);
    assertTrue(
        error.path("message").asText().contains("X-Causal-Context"),
        "the message tells the client to resolve the siblings with the context: " + error);
    HttpResponse<String> metrics = send("GET", "/metrics", null, null);
    assertTrue(
        metrics.body().contains("ringstore_writes_refused_total{reason=\"object_too_large\"} 1"),
        "counted in /metrics");

    HttpResponse<String> read = send("GET", key, null, null);
    assertEquals(200, read.statusCode(), "the refused write stored nothing");
    assertEquals(big, read.body(), "the first value");
    String context = read.headers().firstValue(CONTEXT).orElseThrow();
    assertEquals(
        204,
        send("PUT", key, "b" + big, context).statusCode(),
        "with the read's context the value replaces the first one and fits");
  }

  @Test
  void aBlindWritePastTheSiblingLimitIs409AndAWriteWithTheContextResolves() throws Exception {
    String key = "/kv/siblings";
    for (int i = 0; i < 5; i++) {
      assertEquals(204, send("PUT", key, "v" + i, null).statusCode(), "blind PUT " + i);
    }
    long rejectedBefore = rejectedPuts();
    HttpResponse<String> refused = send("PUT", key, "v5", null);
    assertEquals(409, refused.statusCode(), "the sixth blind PUT: " + refused.body());
    JsonNode error = JSON.readTree(refused.body());
    assertEquals("too_many_siblings", error.path("error").asText(), "error code: " + error);
    assertTrue(
        error.path("message").asText().contains("context"),
        "the message tells the client to resolve with the context: " + error);
    assertEquals(rejectedBefore + 1, rejectedPuts(), "counted as a rejected put in /metrics");

    HttpResponse<String> read = send("GET", key, null, null);
    assertEquals(300, read.statusCode(), "the key is still readable: " + read.body());
    assertEquals(
        5,
        JSON.readTree(read.body()).path("siblings").size(),
        "five siblings, the refused write stored nothing");
    String context = read.headers().firstValue(CONTEXT).orElseThrow();
    assertEquals(
        204,
        send("PUT", key, "merged", context).statusCode(),
        "a write with the read's context is accepted");
    HttpResponse<String> after = send("GET", key, null, null);
    assertEquals(200, after.statusCode(), "one value after resolving");
    assertEquals("merged", after.body(), "the resolved value");
    assertEquals(
        204,
        send("PUT", key, "blind again", null).statusCode(),
        "a blind write is accepted again once the siblings are resolved");
  }

  @Test
  void contextsPastTheLimitsOrNamingWhatTheKeyDoesNotHoldAre400AndChangeNothing() throws Exception {
    String key = "/kv/contexts";
    assertEquals(204, send("PUT", key, "original", null).statusCode(), "setup PUT");
    HttpResponse<String> before = send("GET", key, null, null);
    String context = before.headers().firstValue(CONTEXT).orElseThrow();
    VersionVector real = CausalContextCodec.decode(context);
    String self = real.entries().firstKey();

    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("made-up actors", forged(Map.of("x01", 1L, "x02", 1L)));
    bad.put("the real actor and a made-up one", forged(Map.of(self, 1L, "evil", 3L)));
    bad.put("the real actor at Long.MAX_VALUE", forged(Map.of(self, Long.MAX_VALUE)));
    bad.put("the real actor one past its counter", forged(Map.of(self, real.get(self) + 1)));
    Map<String, Long> nine = new LinkedHashMap<>();
    for (int i = 0; i < 9; i++) {
      nine.put("a" + i, 1L);
    }
    bad.put("9 actors, more than the limit of 8", forged(nine));
    bad.put("600 characters, more than the limit of 512", "A".repeat(600));
    for (Map.Entry<String, String> c : bad.entrySet()) {
      for (String method : new String[] {"PUT", "DELETE"}) {
        HttpResponse<String> response =
            send(method, key, "PUT".equals(method) ? "bad" : null, c.getValue());
        assertEquals(
            400, response.statusCode(), method + " with " + c.getKey() + ": " + response.body());
        assertEquals(
            "bad_request",
            JSON.readTree(response.body()).path("error").asText(),
            method + " with " + c.getKey());
      }
      HttpResponse<String> after = send("GET", key, null, null);
      assertEquals(200, after.statusCode(), c.getKey() + ": still one value");
      assertEquals("original", after.body(), c.getKey() + ": value unchanged");
      assertEquals(
          context,
          after.headers().firstValue(CONTEXT).orElse(null),
          c.getKey() + ": the stored clock is unchanged (nothing adopted from the context)");
    }
    assertEquals(
        204,
        send("PUT", key, "updated", context).statusCode(),
        "the context the key handed out still works");
    assertEquals("updated", send("GET", key, null, null).body(), "and replaced the value");
  }

  private static String forged(Map<String, Long> counters) {
    return CausalContextCodec.encode(VersionVector.of(counters));
  }

  private static long rejectedPuts() throws Exception {
    String sample = "ringstore_requests_total{op=\"put\",outcome=\"rejected\"}";
    for (String line : send("GET", "/metrics", null, null).body().split("\n")) {
      if (line.startsWith(sample + " ")) {
        return (long) Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    throw new AssertionError("no " + sample + " in /metrics");
  }

  private static HttpResponse<String> send(String method, String path, String body, String context)
      throws Exception {
    return NODE.sendText(method, path, body, context);
  }
}
