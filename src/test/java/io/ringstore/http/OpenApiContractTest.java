package io.ringstore.http;

import static io.ringstore.testing.HttpTestNode.readerWriterWatcher;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ringstore.security.Access;
import io.ringstore.security.AccessPolicy;
import io.ringstore.testing.HttpTestNode;
import io.ringstore.testing.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OpenAPI document ({@code src/main/resources/openapi.yaml}, served at {@code /openapi.yaml})
 * against the code and a real node: it names exactly the routes the gateway serves (an inventory
 * here, checked against the route classes' path literals too, so a route added to the code alone
 * fails), and every documented operation answers on real nodes as documented: a status among its
 * documented ones, the documented required headers, a documented content type, and JSON bodies with
 * the documented fields and types. Two in-JVM nodes: one joined (N = 3, R = W = 2 alone, so default
 * quorums answer 503 while {@code r=1}/{@code w=1} succeed; 1 KiB values and 2 siblings at most, so
 * 413 and 409 are cheap) and one never joined with authentication on (401, 403, {@code not_ready}).
 */
class OpenApiContractTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path ROUTE_SOURCES = Path.of("src/main/java/io/ringstore/http");
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

  /** Every route the gateway serves: method and path template. */
  private static final Set<String> INVENTORY =
      Set.of(
          "GET /kv/{key}",
          "PUT /kv/{key}",
          "DELETE /kv/{key}",
          "GET /settings",
          "GET /admin/cluster",
          "GET /admin/ring",
          "GET /admin/replicas/{key}",
          "GET /admin/hints",
          "GET /admin/anti-entropy",
          "GET /admin/tombstones",
          "GET /admin/transfers",
          "GET /admin/stats",
          "POST /admin/leave",
          "GET /health/alive",
          "GET /health/ready",
          "GET /metrics",
          "GET /openapi.yaml",
          "GET /docs",
          "GET /docs/{file}",
          "GET /ui",
          "GET /ui/{file}");

  /** Path literals of the route classes that name files served under a templated path. */
  private static final Map<String, String> FILES_UNDER_TEMPLATES =
      Map.of(
          "index.html",
          "/docs/{file}",
          "swagger-initializer.js",
          "/docs/{file}",
          "console.js",
          "/ui/{file}",
          "console.css",
          "/ui/{file}",
          "uPlot.iife.min.js",
          "/ui/{file}",
          "uPlot.min.css",
          "/ui/{file}");

  @RegisterExtension
  static final HttpTestNode NODE =
      HttpTestNode.joined()
          .replication(3, 2, 2)
          .config(
              "ringstore.requests { max-value-size = 1KiB, max-siblings = 2, warn-siblings = 1,"
                  // the local replica answers in milliseconds, but a niced test JVM on a
                  // loaded machine stalled 15 s: room for that, under RawHttp's 30 s read timeout
                  + " timeout = 25s }\n"
                  + "pekko.http.server.request-timeout = 28s");

  /** Never joins: it serves HTTP but is never ready. */
  @RegisterExtension
  static final HttpTestNode SECURED =
      HttpTestNode.neverJoined().replication(3, 2, 2).users(readerWriterWatcher());

  private static int port;
  private static int securedPort;
  private static JsonNode document;

  @BeforeAll
  static void start() throws IOException {
    try (InputStream in =
        OpenApiContractTest.class.getClassLoader().getResourceAsStream(DocsRoutes.SPEC_RESOURCE)) {
      assertNotNull(in, "openapi.yaml is on the classpath");
      document = YAML.readTree(in);
    }
    port = NODE.port();
    securedPort = SECURED.port();
  }

  // ---------------------------------------------------------------- the document and the code

  @Test
  void theDocumentNamesExactlyTheRoutesOfTheInventory() {
    assertTrue(document.path("openapi").asText().startsWith("3."), "openapi: 3.x");
    assertEquals(
        new TreeSet<>(INVENTORY),
        new TreeSet<>(operations().keySet()),
        "the document's operations are the gateway's routes");
  }

  @Test
  void everyReferenceResolvesAndEveryOperationIsComplete() {
    List<String> refs = new ArrayList<>();
    collectRefs(document, refs);
    assertTrue(refs.size() > 50, "references found: " + refs.size());
    refs.forEach(
        ref ->
            assertFalse(
                document.at(ref.substring(1)).isMissingNode(), "the reference resolves: " + ref));
    Set<String> ids = new TreeSet<>();
    operations()
        .forEach(
            (route, operation) -> {
              assertTrue(
                  ids.add(operation.path("operationId").asText("")),
                  route + ": a unique operationId");
              assertFalse(operation.path("responses").isEmpty(), route + ": responses");
              operation
                  .path("responses")
                  .fields()
                  .forEachRemaining(
                      response -> {
                        assertTrue(
                            response.getKey().matches("[1-5]\\d\\d"),
                            route + ": status " + response.getKey());
                        assertTrue(
                            resolve(response.getValue()).path("description").isTextual(),
                            route + " " + response.getKey() + ": a description");
                      });
              assertTrue(
                  operation.path("responses").has("200")
                      || operation.path("responses").has("202")
                      || operation.path("responses").has("204"),
                  route + ": a success answer");
            });
  }

  private static void collectRefs(JsonNode node, List<String> refs) {
    if (node.has("$ref")) {
      refs.add(node.path("$ref").asText());
    }
    node.forEach(child -> collectRefs(child, refs));
  }

  @Test
  void everyPathLiteralOfTheRouteClassesIsInTheInventory() throws IOException {
    List<Path> sources;
    try (Stream<Path> files = Files.list(ROUTE_SOURCES)) {
      sources =
          files.filter(f -> f.getFileName().toString().endsWith("Routes.java")).sorted().toList();
    }
    assertTrue(sources.size() >= 5, "the route classes are found: " + sources);
    Set<String> templates = new TreeSet<>();
    Set<String> segments = new TreeSet<>();
    for (String route : INVENTORY) {
      String template = route.substring(route.indexOf(' ') + 1);
      templates.add(template);
      for (String segment : template.split("/")) {
        if (!segment.isEmpty() && !segment.startsWith("{")) {
          segments.add(segment);
        }
      }
    }
    Pattern directive = Pattern.compile("\\b(?:path|pathPrefix)\\(\\s*\"([^\"]+)\"");
    Pattern absolute = Pattern.compile("\"(/[A-Za-z][^\"]*)\"");
    List<String> missing = new ArrayList<>();
    int literals = 0;
    for (Path source : sources) {
      String text = Files.readString(source);
      Matcher m = directive.matcher(text);
      while (m.find()) {
        literals++;
        String literal = m.group(1);
        boolean known =
            segments.contains(literal)
                || templates.contains(FILES_UNDER_TEMPLATES.getOrDefault(literal, ""));
        if (!known) {
          missing.add(source.getFileName() + ": path(\"" + literal + "\")");
        }
      }
      Matcher a = absolute.matcher(text);
      while (a.find()) {
        literals++;
        String literal = a.group(1);
        if (templates.stream().noneMatch(t -> t.startsWith(literal))) {
          missing.add(source.getFileName() + ": \"" + literal + "\"");
        }
      }
    }
    assertTrue(literals >= 15, "path literals found in the route classes: " + literals);
    assertEquals(
        List.of(),
        missing,
        "path literals of the route classes that no route of the inventory (and so of the document)"
            + " has: add the route to openapi.yaml and to INVENTORY");
  }

  @Test
  void everyOperationNamesTheRoleTheGuardsRequire() {
    Map<Access, String> labels =
        Map.of(
            Access.PUBLIC,
            "none",
            Access.READ,
            "read",
            Access.WRITE,
            "readwrite",
            Access.MONITOR,
            "monitor",
            Access.ADMIN,
            "admin");
    operations()
        .forEach(
            (route, operation) -> {
              String method = route.substring(0, route.indexOf(' '));
              String path =
                  route
                      .substring(route.indexOf(' ') + 1)
                      .replace("{key}", "k")
                      .replace("{file}", "swagger-ui.css");
              assertEquals(
                  labels.get(AccessPolicy.required(method, path)),
                  operation.path("x-ringstore-role").asText(null),
                  route + ": x-ringstore-role");
              boolean open = operation.has("security") && operation.path("security").isEmpty();
              assertEquals(
                  AccessPolicy.required(method, path) == Access.PUBLIC,
                  open,
                  route + ": open (security: []) exactly when the guards ask no credentials");
            });
  }

  // ---------------------------------------------------------------- the document and the nodes

  @Test
  void everyOperationAnswersAsDocumented() throws IOException {
    Checker check = new Checker();
    String local = "127.0.0.1:" + port;
    String text = "Content-Type: text/plain\r\n";

    // values: written, read, siblings, too many siblings, deleted
    RawHttp.Answer put =
        check.call(port, "PUT /kv/{key}", "PUT", "/kv/one?w=1", local, text, "v1", 204);
    check.call(
        port,
        "PUT /kv/{key}",
        "PUT",
        "/kv/one?w=1&timeout=25000&sloppy=false",
        local,
        text + "X-Causal-Context: " + put.header("X-Causal-Context") + "\r\n",
        "v2",
        204);
    RawHttp.Answer value =
        check.call(port, "GET /kv/{key}", "GET", "/kv/one?r=1&timeout=25000", local, "", null, 200);
    assertEquals("v2", value.body(), "the value written with the context replaced v1");
    assertTrue(value.header("Content-Type").startsWith("text/plain"), "the stored content type");
    check.call(port, "PUT /kv/{key}", "PUT", "/kv/pair?w=1", local, text, "left", 204);
    check.call(port, "PUT /kv/{key}", "PUT", "/kv/pair?w=one", local, text, "right", 204);
    RawHttp.Answer siblings =
        check.call(port, "GET /kv/{key}", "GET", "/kv/pair?r=1", local, "", null, 300);
    assertEquals(2, JSON.readTree(siblings.body()).path("siblings").size(), "two siblings");
    assertEquals(Set.of("left", "right"), siblingValues(siblings), "the siblings' values");
    check.call(port, "PUT /kv/{key}", "PUT", "/kv/pair?w=1", local, text, "third", 409);
    check.call(port, "GET /kv/{key}", "GET", "/kv/never-written?r=1", local, "", null, 404);
    check.call(
        port,
        "DELETE /kv/{key}",
        "DELETE",
        "/kv/one?w=1",
        local,
        "X-Causal-Context: " + value.header("X-Causal-Context") + "\r\n",
        null,
        204);
    RawHttp.Answer deleted =
        check.call(port, "GET /kv/{key}", "GET", "/kv/one?r=1", local, "", null, 404);
    assertNotNull(
        deleted.header("X-Causal-Context"), "a deleted key's 404 carries its tombstone's context");

    // refusals
    check.call(port, "GET /kv/{key}", "GET", "/kv/x?r=abc", local, "", null, 400);
    check.call(port, "GET /kv/{key}", "GET", "/kv/%FF%FE?r=1", local, "", null, 400);
    check.call(port, "PUT /kv/{key}", "PUT", "/kv/x?w=1&sloppy=maybe", local, text, "v", 400);
    check.call(port, "DELETE /kv/{key}", "DELETE", "/kv/x?w=1&timeout=soon", local, "", null, 400);
    check.call(port, "PUT /kv/{key}", "PUT", "/kv/big?w=1", local, text, "x".repeat(2048), 413);
    check.call(
        port,
        "PUT /kv/{key}",
        "PUT",
        "/kv/x?w=1",
        local,
        text + "Origin: http://evil.example\r\n",
        "v",
        403);
    check.call(port, "GET /admin/cluster", "GET", "/admin/cluster", "evil.example", "", null, 421);
    check.call(port, "GET /kv/{key}", "GET", "/kv/one?r=1", "evil.example:80", "", null, 421);
    // default quorums of 2 with one member: the 503 with acks, required, replicas and nodes
    for (String[] request :
        new String[][] {{"GET", "/kv/one"}, {"PUT", "/kv/q"}, {"DELETE", "/kv/q"}}) {
      RawHttp.Answer unavailable =
          check.call(
              port,
              request[0] + " /kv/{key}",
              request[0],
              request[1],
              local,
              request[0].equals("PUT") ? text : "",
              request[0].equals("PUT") ? "v" : null,
              503);
      JsonNode body = JSON.readTree(unavailable.body());
      assertEquals("unavailable", body.path("error").asText(), unavailable.body());
      assertEquals(2, body.path("required").asInt(), unavailable.body());
    }

    // the cluster's settings, as configured above
    JsonNode settings =
        JSON.readTree(
            check.call(port, "GET /settings", "GET", "/settings", local, "", null, 200).body());
    assertEquals(3, settings.path("n").asInt(), "n: " + settings);
    assertEquals(25_000, settings.path("timeoutMs").asLong(), "timeoutMs: " + settings);
    assertEquals(1024, settings.path("maxValueBytes").asInt(), "maxValueBytes: " + settings);

    // the views, health and metrics
    for (String route :
        List.of(
            "/admin/cluster",
            "/admin/ring",
            "/admin/hints",
            "/admin/anti-entropy",
            "/admin/tombstones",
            "/admin/transfers")) {
      check.call(port, "GET " + route, "GET", route, local, "", null, 200);
    }
    check.call(
        port, "GET /admin/replicas/{key}", "GET", "/admin/replicas/pair", local, "", null, 200);
    check.call(
        port, "GET /admin/replicas/{key}", "GET", "/admin/replicas/%C3%28", local, "", null, 400);
    // the only data member cannot leave: refused, nothing changes
    check.call(port, "POST /admin/leave", "POST", "/admin/leave", local, "", null, 409);
    check.call(port, "GET /health/alive", "GET", "/health/alive", local, "", null, 200);
    check.call(port, "GET /health/ready", "GET", "/health/ready", local, "", null, 200);
    RawHttp.Answer metrics =
        check.call(port, "GET /metrics", "GET", "/metrics", local, "", null, 200);
    assertTrue(metrics.body().contains("ringstore_requests_total"), "metrics in the text format");

    // the contract and its browser
    RawHttp.Answer yaml =
        check.call(port, "GET /openapi.yaml", "GET", "/openapi.yaml", local, "", null, 200);
    assertEquals(document, YAML.readTree(yaml.body()), "the node serves the document of its jar");
    RawHttp.Answer page = check.call(port, "GET /docs", "GET", "/docs", local, "", null, 200);
    assertTrue(
        page.body().contains("/docs/swagger-ui-bundle.js")
            && page.body().contains("/docs/swagger-initializer.js"),
        "the page loads Swagger UI: " + page.body());
    RawHttp.Answer initializer =
        check.call(
            port, "GET /docs/{file}", "GET", "/docs/swagger-initializer.js", local, "", null, 200);
    assertTrue(
        initializer.body().contains("url: \"/openapi.yaml\""), "Swagger UI loads /openapi.yaml");
    for (RawHttp.Answer own : List.of(page, initializer)) {
      assertFalse(
          own.body().contains("http://") || own.body().contains("https://"),
          "nothing is loaded from the internet: " + own.body());
    }
    RawHttp.Answer css =
        check.call(port, "GET /docs/{file}", "GET", "/docs/swagger-ui.css", local, "", null, 200);
    assertTrue(
        css.header("Content-Type").startsWith("text/css"), "CSS: " + css.header("Content-Type"));
    RawHttp.Answer bundle =
        check.call(
            port, "GET /docs/{file}", "GET", "/docs/swagger-ui-bundle.js", local, "", null, 200);
    assertTrue(bundle.body().length() > 100_000, "the whole bundle");
    check.call(port, "GET /docs/{file}", "GET", "/docs/no-such-file.js", local, "", null, 404);
    check.call(port, "GET /docs/{file}", "GET", "/docs/..%2Fopenapi.yaml", local, "", null, 404);

    // the web console: its page, files and 304s, nothing else under /ui, and its stats
    for (String target : List.of("/ui", "/ui/")) {
      RawHttp.Answer console = check.call(port, "GET /ui", "GET", target, local, "", null, 200);
      assertTrue(console.body().contains("<script src=\"/ui/console.js\">"), "the console page");
    }
    Map<String, String> files =
        Map.of(
            "console.js",
            "application/javascript",
            "console.css",
            "text/css",
            "uPlot.iife.min.js",
            "application/javascript",
            "uPlot.min.css",
            "text/css");
    assertEquals(
        new TreeSet<>(files.keySet()),
        textValues(
            operations()
                .get("GET /ui/{file}")
                .path("parameters")
                .path(0)
                .path("schema")
                .path("enum")),
        "the documented files");
    for (Map.Entry<String, String> file : files.entrySet()) {
      RawHttp.Answer served =
          check.call(port, "GET /ui/{file}", "GET", "/ui/" + file.getKey(), local, "", null, 200);
      assertTrue(
          served.header("Content-Type").startsWith(file.getValue()),
          file.getKey() + ": " + served.header("Content-Type"));
      assertFalse(served.body().isEmpty(), file.getKey() + " has a body");
      check.call(
          port,
          "GET /ui/{file}",
          "GET",
          "/ui/" + file.getKey(),
          local,
          "If-None-Match: " + served.header("ETag") + "\r\n",
          null,
          304);
    }
    RawHttp.Answer consolePage = check.call(port, "GET /ui", "GET", "/ui", local, "", null, 200);
    check.call(
        port,
        "GET /ui",
        "GET",
        "/ui",
        local,
        "If-None-Match: " + consolePage.header("ETag") + "\r\n",
        null,
        304);
    for (String target :
        List.of(
            "/ui/nothing.js",
            "/ui/index.html",
            "/ui/uPlot.js",
            "/ui/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css")) {
      check.call(port, "GET /ui/{file}", "GET", target, local, "", null, 404);
    }
    check.call(port, "GET /admin/stats", "GET", "/admin/stats", "evil.example", "", null, 421);
    // the node's stats reporter registers just after the gateway binds: its entry, once listed
    JsonNode stats = awaitStats(check, local);
    assertEquals(NODE.node().name(), stats.path("self").asText(), "self: " + stats);
    JsonNode own = stats.path("nodes").path(0);
    assertTrue(own.path("error").isNull(), "the node answered: " + own);
    assertTrue(own.path("requestsTotal").asLong() >= 10, "the requests made above: " + own);
    assertEquals(
        own.at("/latency/boundsSeconds").size() + 1,
        own.at("/latency/buckets/put").size(),
        "a count per bound and one of all: " + own);
    assertEquals("http://" + local + "/ui", own.path("console").asText(), "the console URL");

    // the guards with authentication on, on a node that never joined
    String secure = "127.0.0.1:" + securedPort;
    RawHttp.Answer anonymous =
        check.call(
            securedPort, "GET /admin/cluster", "GET", "/admin/cluster", secure, "", null, 401);
    assertTrue(anonymous.header("WWW-Authenticate").startsWith("Basic"), "a Basic challenge");
    check.call(securedPort, "GET /docs", "GET", "/docs", secure, "", null, 401);
    check.call(securedPort, "GET /kv/{key}", "GET", "/kv/x?r=1", secure, "", null, 401);
    check.call(
        securedPort, "GET /kv/{key}", "GET", "/kv/x?r=1", secure, basic("watcher"), null, 403);
    check.call(
        securedPort,
        "GET /openapi.yaml",
        "GET",
        "/openapi.yaml",
        secure,
        basic("reader"),
        null,
        403);
    check.call(
        securedPort,
        "GET /openapi.yaml",
        "GET",
        "/openapi.yaml",
        secure,
        basic("watcher"),
        null,
        200);
    check.call(
        securedPort,
        "GET /docs/{file}",
        "GET",
        "/docs/swagger-ui.css",
        secure,
        basic("watcher"),
        null,
        200);
    check.call(
        securedPort, "PUT /kv/{key}", "PUT", "/kv/x?w=1", secure, basic("reader") + text, "v", 403);
    check.call(
        securedPort,
        "POST /admin/leave",
        "POST",
        "/admin/leave",
        secure,
        basic("watcher"),
        null,
        403);
    check.call(securedPort, "GET /ui", "GET", "/ui", secure, "", null, 401);
    check.call(securedPort, "GET /ui", "GET", "/ui", secure, basic("reader"), null, 403);
    check.call(securedPort, "GET /ui", "GET", "/ui", secure, basic("watcher"), null, 200);
    check.call(
        securedPort, "GET /ui/{file}", "GET", "/ui/console.js", secure, basic("writer"), null, 403);
    check.call(
        securedPort,
        "GET /ui/{file}",
        "GET",
        "/ui/console.js",
        secure,
        basic("watcher"),
        null,
        200);
    check.call(securedPort, "GET /admin/stats", "GET", "/admin/stats", secure, "", null, 401);
    check.call(securedPort, "GET /settings", "GET", "/settings", secure, "", null, 401);
    check.call(
        securedPort, "GET /settings", "GET", "/settings", secure, basic("watcher"), null, 403);
    check.call(
        securedPort, "GET /settings", "GET", "/settings", secure, basic("reader"), null, 200);
    check.call(
        securedPort, "GET /admin/stats", "GET", "/admin/stats", secure, basic("reader"), null, 403);
    for (String[] request :
        new String[][] {
          {"GET", "/kv/x?r=1", "reader"},
          {"PUT", "/kv/x?w=1", "writer"},
          {"DELETE", "/kv/x?w=1", "writer"}
        }) {
      RawHttp.Answer notReady =
          check.call(
              securedPort,
              request[0] + " /kv/{key}",
              request[0],
              request[1],
              secure,
              basic(request[2]) + (request[0].equals("PUT") ? text : ""),
              request[0].equals("PUT") ? "v" : null,
              503);
      assertEquals(
          "not_ready", JSON.readTree(notReady.body()).path("error").asText(), notReady.body());
    }
    RawHttp.Answer notReady =
        check.call(securedPort, "GET /health/ready", "GET", "/health/ready", secure, "", null, 503);
    assertEquals("not_ready", JSON.readTree(notReady.body()).path("status").asText());
    check.call(securedPort, "GET /health/alive", "GET", "/health/alive", secure, "", null, 200);

    assertEquals(List.of(), check.problems, "answers that differ from the document");
    assertEquals(
        new TreeSet<>(INVENTORY),
        check.exercised.keySet(),
        "every documented operation was called");
    Map<String, Set<Integer>> required =
        Map.of(
            "GET /kv/{key}", Set.of(200, 300, 400, 401, 403, 404, 421, 503),
            "PUT /kv/{key}", Set.of(204, 400, 403, 409, 413, 503),
            "DELETE /kv/{key}", Set.of(204, 400, 503),
            "GET /health/ready", Set.of(200, 503),
            "GET /ui", Set.of(200, 304, 401, 403),
            "GET /ui/{file}", Set.of(200, 304, 403, 404),
            "GET /admin/stats", Set.of(200, 401, 403, 421),
            "GET /settings", Set.of(200, 401, 403));
    required.forEach(
        (route, statuses) ->
            assertTrue(
                check.exercised.get(route).containsAll(statuses),
                route
                    + ": statuses seen "
                    + check.exercised.get(route)
                    + ", expected at least "
                    + statuses));
  }

  /** {@code GET /admin/stats} on the joined node once it lists the node itself. */
  private static JsonNode awaitStats(Checker check, String host) {
    JsonNode[] found = new JsonNode[1];
    new TestKit(Adapter.toClassic(NODE.node().system())) {
      {
        awaitAssert(
            START,
            Duration.ofMillis(200),
            () -> {
              try {
                found[0] =
                    JSON.readTree(
                        check
                            .call(
                                port,
                                "GET /admin/stats",
                                "GET",
                                "/admin/stats",
                                host,
                                "",
                                null,
                                200)
                            .body());
              } catch (IOException e) {
                throw new AssertionError(e);
              }
              assertEquals(1, found[0].path("nodes").size(), "the one data node: " + found[0]);
              return found[0];
            });
      }
    };
    return found[0];
  }

  private static String basic(String user) {
    return "Authorization: Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + user + "-pw").getBytes(StandardCharsets.UTF_8))
        + "\r\n";
  }

  private static Set<String> siblingValues(RawHttp.Answer answer) throws IOException {
    Set<String> values = new TreeSet<>();
    for (JsonNode sibling : JSON.readTree(answer.body()).path("siblings")) {
      values.add(
          new String(
              Base64.getDecoder().decode(sibling.path("value").asText()), StandardCharsets.UTF_8));
    }
    return values;
  }

  /** The document's operations by "METHOD /path/template". */
  private static Map<String, JsonNode> operations() {
    Map<String, JsonNode> operations = new TreeMap<>();
    document
        .path("paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fields()
                    .forEachRemaining(
                        op -> {
                          if (METHODS.contains(op.getKey())) {
                            operations.put(
                                op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(),
                                op.getValue());
                          }
                        }));
    return operations;
  }

  /** A JSON pointer reference of the document, resolved (repeatedly). */
  private static JsonNode resolve(JsonNode node) {
    JsonNode n = node;
    while (n.has("$ref")) {
      String ref = n.path("$ref").asText();
      assertTrue(ref.startsWith("#/"), "a local reference: " + ref);
      n = document.at(ref.substring(1));
      assertFalse(n.isMissingNode(), "the reference resolves: " + ref);
    }
    return n;
  }

  /** Calls the nodes and compares each answer with the document, collecting what differs. */
  private static final class Checker {
    final List<String> problems = new ArrayList<>();
    final Map<String, Set<Integer>> exercised = new TreeMap<>();

    /**
     * Sends the request, asserts its status is {@code expected} (what this test set up), then
     * checks the answer against the documented operation {@code route}.
     */
    RawHttp.Answer call(
        int port,
        String route,
        String method,
        String target,
        String host,
        String headers,
        String body,
        int expected)
        throws IOException {
      RawHttp.Answer answer = RawHttp.send(port, method, target, host, headers, body);
      String what = method + " " + target + " (" + route + ")";
      assertEquals(expected, answer.status(), what + ": " + answer.body());
      exercised.computeIfAbsent(route, r -> new TreeSet<>()).add(answer.status());
      JsonNode operation = operations().get(route);
      if (operation == null) {
        problems.add(what + ": not documented");
        return answer;
      }
      JsonNode response = operation.path("responses").path(String.valueOf(answer.status()));
      if (response.isMissingNode()) {
        problems.add(what + ": status " + answer.status() + " not documented");
        return answer;
      }
      response = resolve(response);
      checkHeaders(what, resolve(response).path("headers"), answer);
      checkContent(what, response.path("content"), answer);
      return answer;
    }

    private void checkHeaders(String what, JsonNode headers, RawHttp.Answer answer) {
      headers
          .fields()
          .forEachRemaining(
              entry -> {
                JsonNode header = resolve(entry.getValue());
                String value = answer.header(entry.getKey());
                if (value == null) {
                  if (header.path("required").asBoolean(false)) {
                    problems.add(what + ": header " + entry.getKey() + " missing");
                  }
                  return;
                }
                JsonNode schema = resolve(header.path("schema"));
                if (schema.has("pattern")
                    && !Pattern.compile(schema.path("pattern").asText()).matcher(value).find()) {
                  problems.add(
                      what
                          + ": header "
                          + entry.getKey()
                          + " '"
                          + value
                          + "' does not match "
                          + schema.path("pattern").asText());
                }
                if (schema.has("enum") && !textValues(schema.path("enum")).contains(value)) {
                  problems.add(
                      what
                          + ": header "
                          + entry.getKey()
                          + " '"
                          + value
                          + "' not in "
                          + schema.path("enum"));
                }
                if (schema.path("type").asText().equals("integer") && !value.matches("\\d+")) {
                  problems.add(
                      what + ": header " + entry.getKey() + " '" + value + "' not an integer");
                }
              });
    }

    private void checkContent(String what, JsonNode content, RawHttp.Answer answer)
        throws IOException {
      String contentType = answer.header("Content-Type");
      if (content.isMissingNode() || content.isEmpty()) {
        if (!answer.body().isEmpty()) {
          problems.add(what + ": a body where none is documented: " + answer.body());
        }
        return;
      }
      if (contentType == null) {
        problems.add(what + ": no Content-Type");
        return;
      }
      String documented = null;
      for (Iterator<String> types = content.fieldNames(); types.hasNext(); ) {
        String type = types.next();
        if (matches(type, contentType)) {
          documented = type;
          break;
        }
      }
      if (documented == null) {
        problems.add(what + ": Content-Type " + contentType + " not among " + content);
        return;
      }
      if (mediaType(documented).equals("application/json")) {
        List<String> found = new ArrayList<>();
        validate(
            resolve(content.path(documented).path("schema")),
            JSON.readTree(answer.body()),
            "body",
            found);
        found.forEach(p -> problems.add(what + ": " + p));
      }
    }
  }

  /** Whether the answer's Content-Type is the documented one (its parameters present too). */
  static boolean matches(String documented, String actual) {
    if (documented.equals("*/*")) {
      return true;
    }
    if (!mediaType(documented).equals(mediaType(actual))) {
      return false;
    }
    Map<String, String> actualParameters = parameters(actual);
    return parameters(documented).entrySet().stream()
        .allMatch(p -> p.getValue().equalsIgnoreCase(actualParameters.get(p.getKey())));
  }

  private static String mediaType(String contentType) {
    return contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
  }

  private static Map<String, String> parameters(String contentType) {
    Map<String, String> parameters = new TreeMap<>();
    String[] parts = contentType.split(";");
    for (int i = 1; i < parts.length; i++) {
      String[] pair = parts[i].split("=", 2);
      parameters.put(
          pair[0].trim().toLowerCase(Locale.ROOT),
          pair.length > 1 ? pair[1].trim().replace("\"", "") : "");
    }
    return parameters;
  }

  /**
   * What of the document's schema {@code value} breaks, at {@code where}: the OpenAPI 3.0 subset
   * the document uses ($ref, oneOf, type, nullable, required, properties, items, enum).
   */
  static void validate(JsonNode schemaOrRef, JsonNode value, String where, List<String> problems) {
    JsonNode schema = resolve(schemaOrRef);
    if (schema.has("oneOf")) {
      int passing = 0;
      for (JsonNode alternative : schema.path("oneOf")) {
        List<String> found = new ArrayList<>();
        validate(alternative, value, where, found);
        passing += found.isEmpty() ? 1 : 0;
      }
      if (passing == 0) {
        problems.add(where + ": matches none of " + schema.path("oneOf") + ": " + value);
      }
      return;
    }
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        problems.add(where + ": null, not nullable");
      }
      return;
    }
    String type = schema.path("type").asText("");
    boolean typed =
        switch (type) {
          case "object" -> value.isObject();
          case "array" -> value.isArray();
          case "string" -> value.isTextual();
          case "integer" -> value.isIntegralNumber();
          case "number" -> value.isNumber();
          case "boolean" -> value.isBoolean();
          default -> true;
        };
    if (!typed) {
      problems.add(where + ": not of type " + type + ": " + value);
      return;
    }
    if (schema.has("enum") && !textValues(schema.path("enum")).contains(value.asText())) {
      problems.add(where + ": " + value + " not in " + schema.path("enum"));
    }
    if (value.isObject()) {
      for (JsonNode name : schema.path("required")) {
        if (!value.has(name.asText())) {
          problems.add(where + ": required field " + name.asText() + " missing in " + value);
        }
      }
      schema
          .path("properties")
          .fields()
          .forEachRemaining(
              property -> {
                if (value.has(property.getKey())) {
                  validate(
                      property.getValue(),
                      value.get(property.getKey()),
                      where + "." + property.getKey(),
                      problems);
                }
              });
    }
    if (value.isArray()) {
      int i = 0;
      for (JsonNode item : value) {
        validate(schema.path("items"), item, where + "[" + i++ + "]", problems);
      }
    }
  }

  private static Set<String> textValues(JsonNode array) {
    Set<String> values = new TreeSet<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
