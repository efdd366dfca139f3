package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.testing.HttpTestNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /metrics} on a real node: Prometheus's text format, request counts that move by
 * exactly the requests made (by operation and outcome, HTTP rejections included), a consistent
 * latency histogram, and every on-demand source (hints, tombstones, RocksDB) present.
 */
class MetricsEndpointTest {
  private static final Pattern SAMPLE =
      Pattern.compile(
          "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? "
              + "(-?[0-9.eE+-]+|\\+Inf|-Inf|NaN)");

  @RegisterExtension static final HttpTestNode NODE = HttpTestNode.joined();

  @Test
  void requestCountsMoveByExactlyTheRequestsMadeByOperationAndOutcome() throws Exception {
    Map<String, Double> before = scrape().samples;

    assertEquals(204, send("PUT", "/kv/metrics-a", "one").statusCode());
    assertEquals(200, send("GET", "/kv/metrics-a", null).statusCode());
    assertEquals(404, send("GET", "/kv/metrics-never-written", null).statusCode());
    assertEquals(400, send("PUT", "/kv/metrics-a?w=9", "bad quorum").statusCode());
    assertEquals(400, send("GET", "/kv/metrics-a?timeout=-1", null).statusCode());
    assertEquals(204, send("PUT", "/kv/metrics-b", "x").statusCode());
    assertEquals(204, send("PUT", "/kv/metrics-b", "y").statusCode());
    assertEquals(300, send("GET", "/kv/metrics-b", null).statusCode());
    assertEquals(204, send("DELETE", "/kv/metrics-a", null).statusCode());

    Map<String, Double> after = scrape().samples;
    Map<String, Integer> expected =
        Map.of(
            "put/ok",
            3,
            "put/rejected",
            1,
            "get/ok",
            1,
            "get/not_found",
            1,
            "get/rejected",
            1,
            "get/siblings",
            1,
            "delete/ok",
            1,
            "get/unavailable",
            0,
            "put/unavailable",
            0,
            "put/error",
            0);
    expected.forEach(
        (opOutcome, delta) -> {
          String[] parts = opOutcome.split("/");
          String sample =
              "ringstore_requests_total{op=\"" + parts[0] + "\",outcome=\"" + parts[1] + "\"}";
          assertNotNull(after.get(sample), sample + " is reported");
          assertEquals(
              delta,
              after.get(sample) - before.getOrDefault(sample, 0.0),
              0.0,
              sample + " moved by the requests made");
        });
    for (String impossible :
        new String[] {
          "put\",outcome=\"not_found", "put\",outcome=\"siblings", "delete\",outcome=\"siblings"
        }) {
      String sample = "ringstore_requests_total{op=\"" + impossible + "\"}";
      assertTrue(
          !after.containsKey(sample), "no series for an outcome a write cannot have: " + sample);
    }
  }

  @Test
  void theLatencyHistogramIsCumulativeAndCountsEveryRequest() throws Exception {
    for (int i = 0; i < 5; i++) {
      send("PUT", "/kv/metrics-h" + i, "v" + i);
      send("GET", "/kv/metrics-h" + i, null);
    }
    Map<String, Double> samples = scrape().samples;
    for (String op : new String[] {"get", "put", "delete"}) {
      double previous = 0;
      for (String le :
          new String[] {
            "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
            "1", "2.5", "5", "10", "+Inf"
          }) {
        // the client library writes a bound as Java does (0.0005 as 5.0E-4, 1 as 1.0)
        String written = le.equals("+Inf") ? le : Double.toString(Double.parseDouble(le));
        String bucket =
            "ringstore_request_duration_seconds_bucket{op=\"" + op + "\",le=\"" + written + "\"}";
        Double value = samples.get(bucket);
        assertNotNull(value, bucket + " is reported");
        assertTrue(value >= previous, bucket + " is cumulative: " + value + " < " + previous);
        previous = value;
      }
      double count = samples.get("ringstore_request_duration_seconds_count{op=\"" + op + "\"}");
      assertEquals(previous, count, 0.0, op + ": the +Inf bucket equals the count");
      double outcomes =
          samples.entrySet().stream()
              .filter(e -> e.getKey().startsWith("ringstore_requests_total{op=\"" + op + "\""))
              .mapToDouble(Map.Entry::getValue)
              .sum();
      assertEquals(outcomes, count, 0.0, op + ": every counted request is in the histogram");
      assertTrue(
          samples.get("ringstore_request_duration_seconds_sum{op=\"" + op + "\"}") >= 0,
          op + ": a sum of latencies");
    }
    assertTrue(
        samples.get("ringstore_request_duration_seconds_count{op=\"put\"}") >= 5,
        "the five PUTs are counted");
  }

  @Test
  void theScrapeIsPrometheusTextWithEverySourcePresent() throws Exception {
    Scrape scrape = scrape();
    assertTrue(
        scrape.contentType.startsWith("text/plain") && scrape.contentType.contains("version=0.0.4"),
        "Prometheus text format 0.0.4: " + scrape.contentType);
    Map<String, Double> s = scrape.samples;
    assertEquals(1.0, s.get("ringstore_node_ready"), "the node reports itself ready");
    assertEquals(1.0, s.get("ringstore_cluster_members{status=\"up\"}"), "one Up member");
    assertEquals(0.0, s.get("ringstore_cluster_unreachable_members"), "no unreachable member");
    for (String source : new String[] {"hints", "tombstones", "storage"}) {
      assertEquals(
          1.0,
          s.get("ringstore_metrics_source_up{source=\"" + source + "\"}"),
          source + " answered the scrape");
    }
    for (String present :
        new String[] {
          "ringstore_hints_queued",
          "ringstore_hints_delivered_total",
          "ringstore_tombstones_pending",
          "ringstore_anti_entropy_exchanges_total",
          "ringstore_read_repairs_total",
          "ringstore_hinted_writes_total",
          "ringstore_storage_estimated_keys",
          "ringstore_storage_sst_bytes",
          "ringstore_storage_memtable_bytes",
          "ringstore_storage_overloaded_total",
          "jvm_threads_current",
          "process_uptime_seconds",
          "jvm_memory_bytes_used{area=\"heap\"}"
        }) {
      assertNotNull(s.get(present), present + " is reported: " + s.keySet());
    }
    assertEquals(0.0, s.get("ringstore_hints_queued"), "a single node queues no hints");
    assertEquals(
        0.0,
        s.get("ringstore_storage_overloaded_total"),
        "no storage call refused under the node's bound");
    assertTrue(s.get("jvm_memory_bytes_used{area=\"heap\"}") > 0, "heap in use");
  }

  @Test
  void walFsyncsAreCountedAndTheDefaultPeriodicSyncRunsEverySecond() throws Exception {
    String metric = "ringstore_storage_wal_syncs_total";
    Scrape first = scrape();
    assertEquals("counter", first.types.get(metric), metric + " is a counter");
    double before = first.samples.get(metric);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    double now = before;
    while (now < before + 2 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
      now = scrape().samples.get(metric);
    }
    assertTrue(
        now >= before + 2,
        "sync = periodic, sync-interval = 1s (the defaults) fsync the WAL"
            + " every second with no write: "
            + before
            + " -> "
            + now);
  }

  @Test
  void otherMethodsOnMetricsAreRejected() throws Exception {
    HttpResponse<String> post = send("POST", "/metrics", "x");
    assertEquals(405, post.statusCode(), "POST /metrics: " + post.body());
  }

  private record Scrape(
      String contentType, Map<String, Double> samples, Map<String, String> types) {}

  /** Fetches /metrics and checks its syntax: every sample parses and follows its family's TYPE. */
  private static Scrape scrape() throws Exception {
    HttpResponse<String> response = send("GET", "/metrics", null);
    assertEquals(200, response.statusCode(), "GET /metrics: " + response.body());
    Map<String, Double> samples = new HashMap<>();
    Set<String> typed = new HashSet<>();
    Map<String, String> types = new HashMap<>();
    for (String line : response.body().split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        assertEquals(4, parts.length, "TYPE line: " + line);
        assertTrue(Set.of("counter", "gauge", "histogram").contains(parts[3]), line);
        assertTrue(typed.add(parts[2]), "family declared once: " + line);
        types.put(parts[2], parts[3]);
        continue;
      }
      if (line.startsWith("# HELP ") || line.isEmpty()) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "a valid sample line: " + line);
      String family = m.group(1).replaceAll("_(bucket|sum|count)$", "");
      assertTrue(
          typed.contains(m.group(1)) || typed.contains(family),
          "sample after its family's TYPE: " + line);
      String value = m.group(3);
      samples.put(
          m.group(1) + (m.group(2) == null ? "" : m.group(2)),
          value.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(value));
    }
    return new Scrape(response.headers().firstValue("Content-Type").orElse(""), samples, types);
  }

  private static HttpResponse<String> send(String method, String target, String body)
      throws Exception {
    return NODE.send(method, target, body, Map.of());
  }
}
