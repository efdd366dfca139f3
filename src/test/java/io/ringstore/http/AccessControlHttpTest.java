package io.ringstore.http;

import static io.ringstore.testing.HttpTestNode.readerWriterWatcher;
import static io.ringstore.testing.HttpTestNode.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.security.Role;
import io.ringstore.security.Users;
import io.ringstore.security.UsersFile;
import io.ringstore.testing.HttpTestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Users and roles over real HTTP against one in-JVM node with authentication on (issue 11, item 3):
 * the whole role table, 401 with its challenge and one answer for an unknown user and a wrong
 * password, 403 naming the roles needed, {@code /health} open, a refused write storing nothing, a
 * percent-encoded path getting the same decision as its plain form, the users file reloaded without
 * a restart, and the refusals counted in {@code /metrics}.
 */
class AccessControlHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpTestNode.client();

  @RegisterExtension
  static final HttpTestNode NODE =
      HttpTestNode.joined()
          .users(readerWriterWatcher())
          .users(user("boss", Role.ADMIN))
          .config("ringstore.http.auth.reload-interval = 200ms");

  @Test
  void everyRoleGetsExactlyWhatTheTableGrants() throws Exception {
    assertEquals(204, send("PUT", "/kv/table", "v", "boss").statusCode(), "admin writes");
    // method, path, then the expected status for reader, writer, watcher, boss: 403 refused by
    // role;
    // anything else means the request reached its route
    Object[][] table = {
      {"GET", "/kv/table", 200, 200, 403, 200},
      {"HEAD", "/kv/table", 405, 405, 403, 405},
      {"PUT", "/kv/table-w", 403, 204, 403, 204},
      {"DELETE", "/kv/table-d", 403, 204, 403, 204},
      {"GET", "/metrics", 403, 403, 200, 200},
      {"GET", "/admin/cluster", 403, 403, 200, 200},
      {"GET", "/admin/ring", 403, 403, 200, 200},
      {"GET", "/admin/hints", 403, 403, 200, 200},
      {"GET", "/admin/transfers", 403, 403, 200, 200},
      {"GET", "/admin/stats", 403, 403, 200, 200},
      {"GET", "/ui", 403, 403, 200, 200},
      {"GET", "/ui/console.js", 403, 403, 200, 200},
      {"GET", "/admin/replicas/table", 403, 403, 403, 200},
      // POST /admin/leave would make the node leave: the admin row is a method the route refuses
      {"POST", "/admin/leave", 403, 403, 403, null},
      {"POST", "/%61dmin/leave", 403, 403, 403, null},
      {"POST", "/admin/cluster", 403, 403, 403, 405},
      {"GET", "/no/such/route", 404, 404, 404, 404},
    };
    String[] users = {"reader", "writer", "watcher", "boss"};
    for (Object[] row : table) {
      for (int u = 0; u < users.length; u++) {
        Integer expected = (Integer) row[2 + u];
        if (expected == null) {
          continue;
        }
        HttpResponse<String> answer =
            send((String) row[0], (String) row[1], row[0].equals("PUT") ? "x" : null, users[u]);
        assertEquals(
            expected.intValue(),
            answer.statusCode(),
            row[0] + " " + row[1] + " as " + users[u] + ": " + answer.body());
        if (expected == 403 && !row[0].equals("HEAD")) {
          JsonNode error = JSON.readTree(answer.body());
          assertEquals("forbidden", error.path("error").asText(), "403 body: " + answer.body());
          assertTrue(
              error.path("message").asText().contains("'" + users[u] + "'"),
              "the 403 names the user and the roles needed: " + answer.body());
        }
      }
    }
    assertTrue(
        NODE.node().cluster().selfMember().status().toString().equals("Up"),
        "no refused leave reached the node");
  }

  @Test
  void withoutCredentialsEveryEndpointButHealthIs401WithAChallenge() throws Exception {
    for (String path :
        List.of(
            "/kv/anon",
            "/metrics",
            "/admin/cluster",
            "/admin/replicas/anon",
            "/nowhere",
            "/ui",
            "/admin/stats")) {
      HttpResponse<String> answer = send("GET", path, null, null);
      assertEquals(401, answer.statusCode(), "GET " + path + " without credentials");
      String challenge = answer.headers().firstValue("WWW-Authenticate").orElse("");
      assertTrue(
          challenge.startsWith("Basic")
              && challenge.contains("realm=\"ringstore\"")
              && challenge.contains("charset=UTF-8"),
          "the challenge: " + challenge);
      assertEquals(
          "unauthorized", JSON.readTree(answer.body()).path("error").asText(), answer.body());
      assertTrue(
          answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }
    HttpResponse<String> put = send("PUT", "/kv/anon", "sneaky", null);
    assertEquals(401, put.statusCode(), "an anonymous write");
    assertEquals(404, send("GET", "/kv/anon", null, "boss").statusCode(), "stored nothing");
    for (String path : List.of("/health/alive", "/health/ready")) {
      assertEquals(200, send("GET", path, null, null).statusCode(), path + " stays open");
    }
  }

  @Test
  void anUnknownUserAndAWrongPasswordGetTheSameAnswer() throws Exception {
    HttpResponse<String> wrong = sendAs("GET", "/kv/x", "reader", "not-the-password");
    HttpResponse<String> unknown = sendAs("GET", "/kv/x", "nobody", "reader-pw");
    assertEquals(401, wrong.statusCode());
    assertEquals(401, unknown.statusCode());
    assertEquals(wrong.body(), unknown.body(), "one body for both");
    assertEquals(
        wrong.headers().firstValue("WWW-Authenticate"),
        unknown.headers().firstValue("WWW-Authenticate"),
        "one challenge for both");
    HttpResponse<String> bearer =
        HTTP.send(
            HttpRequest.newBuilder(uri("/kv/x"))
                .header("Authorization", "Bearer abc")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, bearer.statusCode(), "another scheme: " + bearer.body());
  }

  @Test
  void aRefusedWriteStoresNothing() throws Exception {
    assertEquals(403, send("PUT", "/kv/refused", "from-reader", "reader").statusCode());
    assertEquals(403, send("PUT", "/kv/refused", "from-watcher", "watcher").statusCode());
    assertEquals(404, send("GET", "/kv/refused", null, "boss").statusCode(), "nothing stored");
  }

  @Test
  void theUsersFileIsReloadedWithoutARestart() throws Exception {
    assertEquals(
        401, sendAs("GET", "/kv/reload", "late", "late-pw").statusCode(), "not yet a user");
    Users before = UsersFile.load(NODE.usersFile());
    UsersFile.write(NODE.usersFile(), before.with(user("late", Role.READ)));
    awaitStatus(404, "GET", "/kv/reload", null, "late", "late-pw");
    // revoked: the cache of passed credentials does not outlive the reload
    UsersFile.write(NODE.usersFile(), before);
    awaitStatus(401, "GET", "/kv/reload", null, "late", "late-pw");
    // a damaged file keeps the users in force
    Files.writeString(NODE.usersFile(), "this is: not a users file\n");
    assertEquals(
        404,
        send("GET", "/kv/reload", null, "reader").statusCode(),
        "a bad file leaves the users loaded before in force");
    UsersFile.write(NODE.usersFile(), before);
  }

  @Test
  void anAdminChangeIsLoggedWithTheUserAndThePeerAddress() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(AccessControl.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Level level = logger.getLevel();
    logger.setLevel(Level.INFO);
    logger.addAppender(appender);
    try {
      // a POST the route refuses (405) still passed the admin check, and is logged like a leave
      HttpResponse<String> answer =
          sendRaw("POST", "/admin/cluster%0Aforged", null, basic("boss", "boss-pw"));
      assertTrue(answer.statusCode() == 404 || answer.statusCode() == 405, answer.body());
      assertEquals(405, send("POST", "/admin/cluster", null, "boss").statusCode());
      List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertTrue(
          lines.contains("POST /admin/cluster by user 'boss' from 127.0.0.1"), lines.toString());
      assertTrue(lines.stream().noneMatch(l -> l.contains("\n")), "no line is forged: " + lines);
      assertTrue(
          lines.contains("POST /admin/cluster%0Aforged by user 'boss' from 127.0.0.1"),
          "the newline stays encoded: " + lines);
      HttpResponse<String> spoofed =
          HTTP.send(
              HttpRequest.newBuilder(uri("/admin/cluster"))
                  .header("Authorization", basic("boss", "boss-pw"))
                  .header("X-Forwarded-For", "203.0.113.9")
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(405, spoofed.statusCode());
      assertTrue(
          appender.list.stream()
              .map(ILoggingEvent::getFormattedMessage)
              .noneMatch(l -> l.contains("203.0.113.9")),
          "the peer's address, not a header's");
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(level);
    }
  }

  @Test
  void anAdminsBrowserCannotBeUsedByAnotherSite() throws Exception {
    // what a page on evil.example can make a browser that holds the admin's credentials send
    HttpResponse<String> leave =
        HTTP.send(
            HttpRequest.newBuilder(uri("/admin/leave"))
                .header("Authorization", basic("boss", "boss-pw"))
                .header("Origin", "http://evil.example")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(403, leave.statusCode(), leave.body());
    assertEquals("forbidden_origin", JSON.readTree(leave.body()).path("error").asText());
    HttpResponse<String> put =
        HTTP.send(
            HttpRequest.newBuilder(uri("/kv/cross-site"))
                .header("Authorization", basic("boss", "boss-pw"))
                .header("Origin", "null")
                .PUT(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(403, put.statusCode(), put.body());
    assertEquals(404, send("GET", "/kv/cross-site", null, "boss").statusCode(), "stored nothing");
    HttpResponse<String> anonymous =
        HTTP.send(
            HttpRequest.newBuilder(uri("/admin/leave"))
                .header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(
        403, anonymous.statusCode(), "refused before any credential check: " + anonymous.body());
    assertTrue(NODE.node().cluster().selfMember().status().toString().equals("Up"), "still Up");
  }

  @Test
  void refusalsAreCountedInMetrics() throws Exception {
    long before = refused("forbidden");
    assertEquals(403, send("DELETE", "/kv/counted", null, "reader").statusCode());
    assertEquals(before + 1, refused("forbidden"), "one more forbidden request");
    long unauthorized = refused("unauthorized");
    assertEquals(401, send("GET", "/kv/counted", null, null).statusCode());
    assertEquals(unauthorized + 1, refused("unauthorized"));
  }

  private static long refused(String reason) throws Exception {
    String metrics = send("GET", "/metrics", null, "watcher").body();
    Matcher m =
        Pattern.compile("(?m)^ringstore_http_refused_total\\{reason=\"" + reason + "\"} (\\d+)")
            .matcher(metrics);
    assertTrue(m.find(), "ringstore_http_refused_total{reason=" + reason + "} in /metrics");
    return Long.parseLong(m.group(1));
  }

  private static void awaitStatus(
      int status, String method, String path, String body, String name, String password) {
    new TestKit(Adapter.toClassic(NODE.node().system())) {
      {
        awaitAssert(
            Duration.ofSeconds(10),
            Duration.ofMillis(100),
            () -> {
              try {
                assertEquals(
                    status,
                    sendAs(method, path, name, password).statusCode(),
                    method + " " + path + " as " + name);
              } catch (Exception e) {
                throw new AssertionError(e);
              }
              return null;
            });
      }
    };
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + NODE.port() + path);
  }

  private static HttpResponse<String> send(String method, String path, String body, String user)
      throws Exception {
    return user == null
        ? sendRaw(method, path, body, null)
        : sendRaw(method, path, body, basic(user, user + "-pw"));
  }

  private static HttpResponse<String> sendAs(
      String method, String path, String name, String password) throws Exception {
    return sendRaw(method, path, null, basic(name, password));
  }

  private static HttpResponse<String> sendRaw(
      String method, String path, String body, String authorization) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String name, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
