package io.ringstore.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.tools.ClientAccess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Watches the nodes while a check runs: about every {@link #INTERVAL} (longer while a poll waits
 * for its timeout) it polls every node's {@code GET /health/ready} and, from the nodes that answer,
 * {@code GET /admin/cluster} (the members they see unreachable), all at once, each with the check's
 * request timeout (kept within 1..5 s: a node that answers its clients in time answers this in
 * time), and feeds each round to a {@link FaultWindowTracker}. {@link #stop} closes the open
 * windows and hands them to the {@link HistoryChecker}: the observed fault windows and the times
 * each node was down or not ready.
 */
final class HealthMonitor {
  static final Duration INTERVAL = Duration.ofMillis(500);
  static final Duration MIN_POLL_TIMEOUT = Duration.ofSeconds(1);
  static final Duration MAX_POLL_TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final ClientAccess access;
  private final Supplier<List<String>> nodes;
  private final Duration pollTimeout;
  private final FaultWindowTracker tracker = new FaultWindowTracker();
  private final Thread thread;
  private final long firstRound;
  private volatile boolean running = true;

  /**
   * Starts polling {@code nodes} (asked again each round, as they may change) at once (the first
   * round counts from this call, so start the monitor before the load) through {@code http} with
   * {@code access}'s scheme and credentials, each poll with {@code requestTimeout} kept within 1..5
   * s.
   */
  HealthMonitor(
      HttpClient http, ClientAccess access, Supplier<List<String>> nodes, Duration requestTimeout) {
    this.http = http;
    this.access = access;
    this.nodes = nodes;
    this.pollTimeout =
        requestTimeout.compareTo(MIN_POLL_TIMEOUT) < 0
            ? MIN_POLL_TIMEOUT
            : requestTimeout.compareTo(MAX_POLL_TIMEOUT) > 0 ? MAX_POLL_TIMEOUT : requestTimeout;
    this.firstRound =
        System.nanoTime(); // the first round's time: what it sees is the state from now on
    this.thread = new Thread(this::loop, "ringstore-check-health-monitor");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Stops polling (waits for the round in flight), closes the open windows at {@code nanos} and
   * records every window on {@code checker}. Call once.
   */
  void stop(long nanos, HistoryChecker checker) throws InterruptedException {
    abort();
    thread.interrupt();
    thread.join();
    tracker.finish(nanos);
    tracker.windows().forEach(checker::observed);
    tracker.nodesDown().forEach(checker::nodeDown);
  }

  /** Stops polling without waiting or recording anything. */
  void abort() {
    running = false;
    thread.interrupt();
  }

  private void loop() {
    for (long round = firstRound; running; round = System.nanoTime()) {
      List<CompletableFuture<FaultWindowTracker.Observation>> polls = new ArrayList<>();
      for (String node : nodes.get()) {
        polls.add(poll(node));
      }
      // each poll ends within its request timeout, with an observation (never exceptionally)
      List<FaultWindowTracker.Observation> observations =
          polls.stream().map(CompletableFuture::join).toList();
      if (!running) {
        return;
      }
      tracker.observe(round, observations);
      long left = round + INTERVAL.toNanos() - System.nanoTime();
      try {
        if (left > 0) {
          TimeUnit.NANOSECONDS.sleep(left);
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private CompletableFuture<FaultWindowTracker.Observation> poll(String node) {
    return http.sendAsync(get(node, "/health/ready"), HttpResponse.BodyHandlers.ofByteArray())
        .thenCompose(
            ready -> {
              if (ready.statusCode() != 200) {
                return CompletableFuture.completedFuture(
                    FaultWindowTracker.Observation.notReady(
                        node, Integer.toString(ready.statusCode())));
              }
              String self = text(ready.body(), "self");
              return http.sendAsync(
                      get(node, "/admin/cluster"), HttpResponse.BodyHandlers.ofByteArray())
                  .handle(
                      (cluster, e) ->
                          FaultWindowTracker.Observation.ready(
                              node,
                              self,
                              cluster != null && cluster.statusCode() == 200
                                  ? unreachable(cluster.body())
                                  : List.of()));
            })
        .exceptionally(
            e ->
                FaultWindowTracker.Observation.noAnswer(
                    node, ConsistencyCheck.failure(e.getCause() != null ? e.getCause() : e)));
  }

  private HttpRequest get(String node, String path) {
    return ConsistencyCheck.request(access, node, path).timeout(pollTimeout).GET().build();
  }

  private static String text(byte[] body, String field) {
    try {
      JsonNode json = JSON.readTree(body);
      return json.hasNonNull(field) ? json.get(field).asText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The members an {@code /admin/cluster} answer lists as not reachable. */
  static List<String> unreachable(byte[] body) {
    List<String> unreachable = new ArrayList<>();
    try {
      for (JsonNode member : JSON.readTree(body).path("members")) {
        if (member.has("reachable") && !member.path("reachable").asBoolean(true)) {
          unreachable.add(member.path("node").asText());
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    return unreachable;
  }
}
