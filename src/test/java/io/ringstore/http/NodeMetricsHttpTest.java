package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.testing.HttpTestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The families added with the client library, on a real node: reclaim, transfer, anti-entropy
 * duration, hint replay bytes and the storage dispatcher's queue are served; the queue length moves
 * while every storage thread is busy and comes back to 0.
 */
class NodeMetricsHttpTest {
  private static final HttpClient HTTP = HttpTestNode.client();
  private static final String QUEUE = "ringstore_storage_dispatcher_queue_length";

  @RegisterExtension static final HttpTestNode NODE = HttpTestNode.joined();

  @Test
  void theNewFamiliesAreServedWithTheirTypes() throws Exception {
    String text = scrapeText();
    Map<String, String> types = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        types.put(parts[2], parts[3]);
      }
    }
    Map<String, String> expected =
        Map.of(
            "ringstore_reclaimed_partitions_total",
            "counter",
            "ringstore_reclaimed_keys_total",
            "counter",
            "ringstore_transfer_keys_total",
            "counter",
            "ringstore_transfer_bytes_total",
            "counter",
            "ringstore_transfer_rate_bytes_per_second",
            "gauge",
            "ringstore_transfers",
            "gauge",
            "ringstore_anti_entropy_exchange_duration_seconds",
            "histogram",
            "ringstore_hints_delivered_bytes_total",
            "counter",
            QUEUE,
            "gauge");
    expected.forEach(
        (family, type) ->
            assertEquals(type, types.get(family), family + " is served as a " + type));
    Map<String, Double> samples = samples(text);
    for (String state : new String[] {"pending", "copying", "syncing", "done", "failed"}) {
      assertNotNull(
          samples.get("ringstore_transfers{state=\"" + state + "\"}"),
          "transfers in state " + state);
    }
    assertNotNull(
        samples.get("ringstore_anti_entropy_exchange_duration_seconds_bucket{le=\"+Inf\"}"),
        "the exchange histogram's +Inf bucket");
    assertEquals(0.0, samples.get("ringstore_reclaimed_partitions_total"), "nothing reclaimed");
  }

  @Test
  void theStorageQueueLengthCountsCallsWaitingForABusyStorageDispatcher() throws Exception {
    Executor storage =
        NODE.node()
            .system()
            .dispatchers()
            .lookup(DispatcherSelector.fromConfig("ringstore-storage-dispatcher"));
    int threads = NODE.node().settings().storage().parallelism();
    int waiting = 3;
    CountDownLatch started = new CountDownLatch(threads);
    CountDownLatch release = new CountDownLatch(1);
    TestProbe<Void> probe = TestProbe.create(NODE.node().system());
    try {
      for (int i = 0; i < threads + waiting; i++) {
        storage.execute(
            () -> {
              started.countDown();
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
      }
      assertTrue(started.await(10, TimeUnit.SECONDS), "every storage thread is held");
      probe.awaitAssert(
          Duration.ofSeconds(20),
          () -> {
            double queued = samples(scrapeText()).get(QUEUE);
            assertTrue(
                queued >= waiting, "the calls past the threads wait in the queue: " + queued);
            return null;
          });
    } finally {
      release.countDown();
    }
    probe.awaitAssert(
        Duration.ofSeconds(20),
        () -> {
          assertEquals(0.0, samples(scrapeText()).get(QUEUE), "the queue drains");
          return null;
        });
  }

  private static Map<String, Double> samples(String text) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isEmpty()) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String value = line.substring(space + 1);
      samples.put(
          line.substring(0, space),
          value.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(value));
    }
    return samples;
  }

  private static String scrapeText() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + NODE.port() + "/metrics"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), "GET /metrics");
    return response.body();
  }
}
