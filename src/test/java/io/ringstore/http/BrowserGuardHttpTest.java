package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.testing.HttpTestNode;
import io.ringstore.testing.RawHttp;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Host and Origin over real HTTP against one in-JVM node without authentication (issue 15, item 8):
 * DNS rebinding (a foreign Host) gets 421, a change from another origin's page 403 whatever its
 * content type, and the node's own names, IP literals, same-origin pages and clients without {@code
 * Origin} (curl) are served.
 */
class BrowserGuardHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final HttpTestNode NODE =
      HttpTestNode.joined().config("ringstore.http.allowed-hosts = [\"ringstore.internal\"]");

  @Test
  void onlyTheNodesOwnNamesAreAnswered() throws Exception {
    String p = ":" + NODE.port();
    // Host header, path, expected status
    Object[][] table = {
      {"evil.example", "/kv/host-table", 421},
      {"evil.example" + p, "/kv/host-table", 421},
      {"evil.example" + p, "/admin/cluster", 421},
      {"evil.example" + p, "/metrics", 421},
      {"127.0.0.1.evil.example" + p, "/kv/host-table", 421},
      {"localhost.evil.example" + p, "/kv/host-table", 421},
      {"ringstore.internal.evil.example", "/kv/host-table", 421},
      {"127.0.0.1" + p, "/kv/host-table", 404},
      {"localhost" + p, "/kv/host-table", 404},
      {"LOCALHOST" + p, "/kv/host-table", 404},
      {"localhost", "/kv/host-table", 404},
      {"127.0.0.5" + p, "/kv/host-table", 404},
      {"[::1]" + p, "/kv/host-table", 404},
      {"10.1.2.3" + p, "/kv/host-table", 404},
      {"ringstore.internal" + p, "/kv/host-table", 404},
      {"ringstore.internal", "/admin/cluster", 200},
      // health stays answerable for load balancers whatever name they use
      {"evil.example" + p, "/health/alive", 200},
      {"lb.example", "/health/ready", 200},
    };
    for (Object[] row : table) {
      RawHttp.Answer answer =
          RawHttp.send(NODE.port(), "GET", (String) row[1], (String) row[0], null, null);
      assertEquals(
          (int) (Integer) row[2],
          answer.status(),
          "GET " + row[1] + " with Host " + row[0] + ": " + answer.body());
      if (answer.status() == 421) {
        JsonNode error = JSON.readTree(answer.body());
        assertEquals("misdirected_request", error.path("error").asText(), answer.body());
        assertTrue(error.path("message").asText().contains("allowed-hosts"), answer.body());
      }
      assertNull(answer.header("Access-Control-Allow-Origin"), "no CORS headers");
    }
    assertTrue(refused("foreign_host") >= 7, "refusals counted in /metrics");
  }

  @Test
  void aCrossSiteFormCannotMakeTheNodeLeave() throws Exception {
    String host = "127.0.0.1:" + NODE.port();
    for (String origin :
        new String[] {
          "http://evil.example",
          "null",
          "http://127.0.0.1:" + (NODE.port() == 65535 ? 1 : NODE.port() + 1),
          "https://127.0.0.1:" + NODE.port(),
          "http://127.0.0.1:" + NODE.port() + ".evil.example"
        }) {
      RawHttp.Answer answer =
          RawHttp.send(
              NODE.port(),
              "POST",
              "/admin/leave",
              host,
              "Origin: " + origin + "\r\nContent-Type: text/plain\r\n",
              "x=1");
      assertEquals(
          403, answer.status(), "a form POST from Origin " + origin + ": " + answer.body());
      assertEquals("forbidden_origin", JSON.readTree(answer.body()).path("error").asText());
    }
    assertEquals(
        "Up", NODE.node().cluster().selfMember().status().toString(), "the node is still Up");
  }

  @Test
  void aWriteFromAForeignOriginStoresNothing() throws Exception {
    String host = "127.0.0.1:" + NODE.port();
    for (String type :
        new String[] {
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/octet-stream"
        }) {
      for (String method : new String[] {"PUT", "POST", "DELETE"}) {
        RawHttp.Answer answer =
            RawHttp.send(
                NODE.port(),
                method,
                "/kv/foreign",
                host,
                "Origin: http://evil.example\r\nContent-Type: " + type + "\r\n",
                "forged");
        assertEquals(403, answer.status(), method + " " + type + ": " + answer.body());
      }
    }
    assertEquals(
        404,
        RawHttp.send(NODE.port(), "GET", "/kv/foreign", host, null, null).status(),
        "nothing stored");
    // a read from another origin reaches the route (the browser keeps the answer from the page)
    assertEquals(
        404,
        RawHttp.send(
                NODE.port(), "GET", "/kv/foreign", host, "Origin: http://evil.example\r\n", null)
            .status());
  }

  @Test
  void theNodesOwnPagesAndClientsWithoutOriginAreServed() throws Exception {
    String host = "127.0.0.1:" + NODE.port();
    RawHttp.Answer same =
        RawHttp.send(
            NODE.port(),
            "PUT",
            "/kv/same-origin",
            host,
            "Origin: http://127.0.0.1:" + NODE.port() + "\r\nContent-Type: text/plain\r\n",
            "mine");
    assertEquals(204, same.status(), "same-origin PUT: " + same.body());
    RawHttp.Answer byName =
        RawHttp.send(
            NODE.port(),
            "PUT",
            "/kv/same-origin",
            "localhost:" + NODE.port(),
            "Origin: http://localhost:" + NODE.port() + "\r\nContent-Type: text/plain\r\n",
            "by name");
    assertEquals(204, byName.status(), "same-origin PUT through localhost: " + byName.body());
    RawHttp.Answer curl =
        RawHttp.send(
            NODE.port(),
            "PUT",
            "/kv/curl",
            host,
            "User-Agent: curl/8.5.0\r\nContent-Type: text/plain\r\n",
            "curl");
    assertEquals(204, curl.status(), "no Origin (curl): " + curl.body());
    assertEquals("curl", RawHttp.send(NODE.port(), "GET", "/kv/curl", host, null, null).body());
  }

  private static long refused(String reason) throws Exception {
    String metrics =
        RawHttp.send(NODE.port(), "GET", "/metrics", "127.0.0.1:" + NODE.port(), null, null).body();
    Matcher m =
        Pattern.compile("(?m)^ringstore_http_refused_total\\{reason=\"" + reason + "\"} (\\d+)")
            .matcher(metrics);
    assertTrue(m.find(), "ringstore_http_refused_total{reason=" + reason + "} in /metrics");
    return Long.parseLong(m.group(1));
  }
}
