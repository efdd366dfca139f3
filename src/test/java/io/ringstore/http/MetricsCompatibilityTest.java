package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.testing.HttpTestNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a user's dashboards depend on in {@code GET /metrics} stays: every metric family the
 * hand-written exposition served (recorded from a real node in {@code
 * metrics/families-before-library.txt}: family, type, and each sample name with its label names) is
 * still served by a real node with the same type and label names after the same traffic. Families
 * may be added, never dropped or renamed. The current families are written to {@code
 * target/metrics-families.txt} for a reviewer to compare. A scraper that asks for OpenMetrics gets
 * it; any other gets Prometheus's text format 0.0.4 as before.
 */
class MetricsCompatibilityTest {
  private static final String BASELINE = "/metrics/families-before-library.txt";
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? \\S+");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

  @RegisterExtension static final HttpTestNode NODE = HttpTestNode.joined();

  @Test
  void everyFamilyTheHandWrittenExpositionServedIsServedWithItsTypeAndLabels() throws Exception {
    assertEquals(204, NODE.send("PUT", "/kv/compat-a", "one", Map.of()).statusCode());
    assertEquals(200, NODE.send("GET", "/kv/compat-a", null, Map.of()).statusCode());
    assertEquals(404, NODE.send("GET", "/kv/compat-never", null, Map.of()).statusCode());
    assertEquals(400, NODE.send("PUT", "/kv/compat-a?w=9", "bad", Map.of()).statusCode());
    assertEquals(204, NODE.send("PUT", "/kv/compat-b", "x", Map.of()).statusCode());
    assertEquals(204, NODE.send("PUT", "/kv/compat-b", "y", Map.of()).statusCode());
    assertEquals(300, NODE.send("GET", "/kv/compat-b", null, Map.of()).statusCode());
    assertEquals(204, NODE.send("DELETE", "/kv/compat-a", null, Map.of()).statusCode());
    assertEquals(
        403,
        NODE.send("PUT", "/kv/compat-c", "z", Map.of("Origin", "http://evil.example"))
            .statusCode());
    NODE.send("GET", "/metrics", null, Map.of());

    HttpResponse<String> scrape = NODE.send("GET", "/metrics", null, Map.of());
    assertEquals(200, scrape.statusCode(), "GET /metrics");
    Set<String> current = families(scrape.body());
    Path dump = Path.of("target", "metrics-families.txt");
    Files.createDirectories(dump.getParent());
    Files.write(dump, current);

    List<String> missing = new ArrayList<>();
    for (String expected : baseline()) {
      if (!current.contains(expected)) {
        missing.add(expected);
      }
    }
    assertTrue(
        missing.isEmpty(),
        "families (type, sample label names) served before and not now: "
            + missing
            + "\nnow: "
            + current);
  }

  @Test
  void aScraperAskingForOpenMetricsGetsOpenMetricsWithItsEof() throws Exception {
    for (String accept :
        new String[] {
          "application/openmetrics-text",
          "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
              + "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        }) {
      HttpResponse<String> scrape = NODE.send("GET", "/metrics", null, Map.of("Accept", accept));
      assertEquals(200, scrape.statusCode(), "GET /metrics, Accept: " + accept);
      String type = scrape.headers().firstValue("Content-Type").orElse("");
      assertTrue(
          type.startsWith("application/openmetrics-text")
              && type.contains("version=1.0.0")
              && type.toLowerCase(Locale.ROOT).contains("charset=utf-8"),
          "OpenMetrics 1.0.0 for Accept " + accept + ": " + type);
      String body = scrape.body();
      assertTrue(
          body.endsWith("# EOF\n"),
          "OpenMetrics ends with # EOF: " + body.substring(Math.max(0, body.length() - 200)));
      assertTrue(
          body.contains("\n# TYPE ringstore_requests counter\n"),
          "an OpenMetrics counter family is named without _total");
      assertTrue(
          body.contains("\nringstore_requests_total{op=\"put\",outcome=\"ok\"} "),
          "its samples keep _total");
      assertTrue(
          body.contains("\n# TYPE ringstore_request_duration_seconds histogram\n"),
          "the latency histogram");
      assertTrue(body.contains("\n# TYPE ringstore_node_ready gauge\n"), "a gauge");
    }
  }

  @Test
  void anyOtherScraperGetsPrometheusTextFormat004() throws Exception {
    List<Map<String, String>> requests =
        List.of(
            Map.of(),
            Map.of("Accept", "text/plain"),
            Map.of("Accept", "*/*"),
            Map.of("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1"),
            Map.of("Accept", "application/json"));
    for (Map<String, String> headers : requests) {
      HttpResponse<String> scrape = NODE.send("GET", "/metrics", null, headers);
      assertEquals(200, scrape.statusCode(), "GET /metrics " + headers);
      assertEquals(
          "text/plain; version=0.0.4; charset=UTF-8",
          scrape.headers().firstValue("Content-Type").orElse(""),
          "text format for " + headers);
      assertTrue(!scrape.body().contains("# EOF"), "no OpenMetrics EOF in the text format");
      assertTrue(
          scrape.body().contains("\n# TYPE ringstore_requests_total counter\n"),
          "a counter family keeps its _total in the text format");
    }
  }

  /**
   * One line per sample shape: {@code family type sample{label,names}}, label names sorted; a
   * histogram's {@code le} and the values are left out of the comparison except {@code le}'s name.
   */
  static Set<String> families(String text) {
    Map<String, String> types = new TreeMap<>();
    Set<String> shapes = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        types.put(parts[2], parts[3]);
        continue;
      }
      if (line.startsWith("#") || line.isEmpty()) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "a sample line: " + line);
      String name = m.group(1);
      String family = types.containsKey(name) ? name : name.replaceAll("_(bucket|sum|count)$", "");
      assertTrue(types.containsKey(family), "a sample of a declared family: " + line);
      Set<String> labels = new TreeSet<>();
      if (m.group(2) != null) {
        Matcher label = LABEL.matcher(m.group(2));
        while (label.find()) {
          labels.add(label.group(1));
        }
      }
      shapes.add(
          family + " " + types.get(family) + " " + name + "{" + String.join(",", labels) + "}");
    }
    return shapes;
  }

  private static List<String> baseline() throws IOException {
    try (InputStream in = MetricsCompatibilityTest.class.getResourceAsStream(BASELINE)) {
      assertTrue(in != null, BASELINE + " on the test class path");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.isBlank() && !line.startsWith("#"))
          .toList();
    }
  }
}
