package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.testing.HttpTestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The web console's routes on a real node: {@code /ui} serves the page, its script and style and
 * uPlot from the webjar with their content types and a same-origin-only policy, links nothing
 * outside the node, and nothing else under {@code /ui}; {@code GET /admin/stats} reports the node's
 * requests (moved by exactly the requests made), latency histogram and storage.
 */
class ConsoleHttpTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpTestNode.client();

  @RegisterExtension static final HttpTestNode NODE = HttpTestNode.joined();

  @Test
  void servesThePageItsAssetsAndUplotFromTheJar() throws Exception {
    Object[][] table = {
      {"/ui", "text/html", "<script src=\"/ui/console.js\">"},
      {"/ui/", "text/html", "<script src=\"/ui/uPlot.iife.min.js\">"},
      {"/ui/console.js", "application/javascript", "fetchJson('/admin/' + n)"},
      {"/ui/console.css", "text/css", ".badge"},
      {"/ui/uPlot.iife.min.js", "application/javascript", "uPlot"},
      {"/ui/uPlot.min.css", "text/css", ".uplot"},
    };
    for (Object[] row : table) {
      HttpResponse<String> response = send("GET", (String) row[0]);
      assertEquals(200, response.statusCode(), row[0] + ": " + response.body());
      String type = response.headers().firstValue("Content-Type").orElse("");
      assertTrue(type.startsWith((String) row[1]), row[0] + " content type: " + type);
      assertTrue(response.body().contains((String) row[2]), row[0] + " has " + row[2]);
      String policy = response.headers().firstValue("Content-Security-Policy").orElse("");
      assertTrue(policy.contains("default-src 'self'"), row[0] + " same-origin policy: " + policy);
      assertEquals(
          "nosniff",
          response.headers().firstValue("X-Content-Type-Options").orElse(""),
          row[0] + " nosniff");
    }
  }

  @Test
  void thePageLinksNothingOutsideTheNode() throws Exception {
    for (String asset : List.of("/ui", "/ui/console.js", "/ui/console.css")) {
      String body =
          send("GET", asset)
              .body()
              // the SVG namespace is a name, not a link
              .replace("'http://www.w3.org/2000/svg'", "");
      assertFalse(body.contains("://"), asset + " refers to another host");
    }
  }

  @Test
  void nothingElseUnderUiIsServed() throws Exception {
    for (String target :
        List.of(
            "/ui/nothing.js",
            "/ui/%2e%2e/reference.conf",
            "/ui/ui/index.html",
            "/ui/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js",
            "/uix")) {
      HttpResponse<String> response = send("GET", target);
      assertEquals(404, response.statusCode(), target + ": " + response.body());
      assertEquals("no_route", JSON.readTree(response.body()).path("error").asText(), target);
    }
    assertEquals(405, send("POST", "/ui").statusCode(), "the page is read-only");
  }

  @Test
  void statsReportTheNodesRequestsLatencyAndStorage() throws Exception {
    JsonNode before = awaitSelf();
    for (int i = 0; i < 3; i++) {
      assertEquals(204, send("PUT", "/kv/console-" + i).statusCode());
    }
    assertEquals(404, send("GET", "/kv/console-never-written").statusCode());
    JsonNode after = self(stats());

    assertEquals(
        3,
        after.at("/requests/put/ok").asLong() - before.at("/requests/put/ok").asLong(),
        "PUTs counted: " + after);
    assertEquals(
        1,
        after.at("/requests/get/not_found").asLong()
            - before.at("/requests/get/not_found").asLong(),
        "the miss counted: " + after);
    assertEquals(
        4,
        after.path("requestsTotal").asLong() - before.path("requestsTotal").asLong(),
        "the total: " + after);
    JsonNode bounds = after.at("/latency/boundsSeconds");
    JsonNode put = after.at("/latency/buckets/put");
    assertEquals(bounds.size() + 1, put.size(), "a count per bound and one of all: " + after);
    assertEquals(
        after.at("/requests/put/ok").asLong(),
        put.get(put.size() - 1).asLong(),
        "every PUT in the histogram");
    double p50 = after.path("p50Seconds").asDouble(-1);
    double p99 = after.path("p99Seconds").asDouble(-1);
    assertTrue(p50 > 0 && p50 <= p99 && p99 <= 10, "p50 " + p50 + " <= p99 " + p99);
    assertTrue(after.path("storageBytes").asLong(-1) >= 0, "storage size: " + after);
    assertTrue(after.path("storage").has("sst_bytes"), "storage statistics: " + after);
    assertEquals(
        "http://127.0.0.1:" + NODE.port() + "/ui",
        after.path("console").asText(),
        "the node's console URL");
    assertTrue(after.path("error").isNull() || after.path("error").isMissingNode(), "no error");
  }

  /** The node's own entry once its stats reporter has registered (just after the gateway bound). */
  private static JsonNode awaitSelf() {
    JsonNode[] found = new JsonNode[1];
    new TestKit(Adapter.toClassic(NODE.node().system())) {
      {
        awaitAssert(
            START,
            Duration.ofMillis(200),
            () -> {
              try {
                found[0] = self(stats());
                return found[0];
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
      }
    };
    return found[0];
  }

  private static JsonNode stats() throws Exception {
    HttpResponse<String> response = send("GET", "/admin/stats");
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(
        response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    return JSON.readTree(response.body());
  }

  private static JsonNode self(JsonNode stats) {
    JsonNode nodes = stats.path("nodes");
    assertEquals(1, nodes.size(), "one data node: " + stats);
    assertEquals(stats.path("self").asText(), nodes.get(0).path("node").asText(), stats.toString());
    return nodes.get(0);
  }

  private static HttpResponse<String> send(String method, String target) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + NODE.port() + target))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                method.equals("PUT")
                    ? HttpRequest.BodyPublishers.ofString("v")
                    : HttpRequest.BodyPublishers.noBody())
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
