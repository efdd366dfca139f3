package io.ringstore.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * How {@link HttpStoreClient#connect} finds a node that serves: every round asks each URL for
 * {@code GET /settings} (the cluster's N, R, W, default timeout and request limits) and then {@code
 * GET /health/ready}, all URLs at once; the first URL that answers both with 200 wins. Readiness is
 * asked because a node serves {@code /settings} as soon as its HTTP port is bound, before it has
 * joined, while its {@code /kv} answers only {@code 503 not_ready} until it has been ready: a
 * client whose connect completed has at least one node that serves its first request (it fails over
 * to that one from the others). Rounds repeat with a backoff (100 ms doubling to 1 s) until the
 * join timeout; then, or as soon as every URL gave an answer that will not change by itself (401,
 * 403, not a ringstore node), it fails with {@link ConnectFailedException} naming each URL and what
 * it last gave.
 */
final class HttpConnector {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
  private static final long FIRST_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 1000;

  private final HttpTransport transport;
  private final List<String> urls;
  private final Duration joinTimeout;
  private final long deadline;
  private final Map<String, Probe> last = new ConcurrentHashMap<>();
  private final CompletableFuture<HttpAnswers.NodeSettings> result = new CompletableFuture<>();

  /** What one URL gave in one round: settings when it serves, else what went wrong. */
  private record Probe(HttpAnswers.NodeSettings settings, String problem, boolean definitive) {
    static Probe failed(String problem, boolean definitive) {
      return new Probe(null, problem, definitive);
    }
  }

  private HttpConnector(HttpTransport transport, List<String> urls, Duration joinTimeout) {
    this.transport = transport;
    this.urls = urls;
    this.joinTimeout = joinTimeout;
    this.deadline = System.nanoTime() + joinTimeout.toNanos();
  }

  /** The settings of the first URL that serves, or {@link ConnectFailedException}. */
  static CompletableFuture<HttpAnswers.NodeSettings> connect(
      HttpTransport transport, List<String> urls, Duration joinTimeout) {
    HttpConnector connector = new HttpConnector(transport, urls, joinTimeout);
    CompletableFuture.delayedExecutor(
            joinTimeout.toMillis(), TimeUnit.MILLISECONDS, transport.executor())
        .execute(connector::fail);
    connector.round(FIRST_BACKOFF_MS);
    return connector.result;
  }

  private void round(long backoffMs) {
    if (result.isDone()) {
      return;
    }
    List<CompletableFuture<Probe>> probes = new ArrayList<>();
    for (String url : urls) {
      probes.add(
          probe(url)
              .thenApply(
                  p -> {
                    last.put(url, p);
                    if (p.settings() != null) {
                      result.complete(p.settings());
                    }
                    return p;
                  }));
    }
    // the callback ends the round itself (result, fail() or the next round)
    var unused =
        CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new))
            .whenComplete(
                (done, failure) -> {
                  if (result.isDone()) {
                    return;
                  }
                  long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                  if (remainingMs <= 0
                      || urls.stream()
                          .allMatch(u -> last.containsKey(u) && last.get(u).definitive())) {
                    fail();
                    return;
                  }
                  CompletableFuture.delayedExecutor(
                          Math.min(backoffMs, remainingMs),
                          TimeUnit.MILLISECONDS,
                          transport.executor())
                      .execute(() -> round(Math.min(backoffMs * 2, MAX_BACKOFF_MS)));
                });
  }

  /** Asks {@code url} for its settings, then whether it is ready. Never fails. */
  private CompletableFuture<Probe> probe(String url) {
    return get(url, "/settings")
        .thenCompose(
            answer -> {
              int status = answer.status();
              if (status == 200) {
                HttpAnswers.NodeSettings settings;
                try {
                  settings = HttpAnswers.settings(answer.body());
                } catch (IllegalArgumentException e) {
                  return done(Probe.failed("not a ringstore node: " + e.getMessage(), true));
                }
                return get(url, "/health/ready").thenApply(ready -> ready(settings, ready));
              }
              String text = HttpAnswers.errorText(answer);
              String problem = status + (text.isEmpty() ? "" : " " + text);
              return done(
                  switch (status) {
                    case 401, 403 -> Probe.failed(problem, true);
                    case 404 ->
                        Probe.failed("not a ringstore node (GET /settings answered 404)", true);
                    default -> Probe.failed("GET /settings answered " + problem, false);
                  });
            })
        .exceptionally(failure -> Probe.failed(describe(failure), false));
  }

  private static Probe ready(HttpAnswers.NodeSettings settings, HttpAnswers.Answer ready) {
    if (ready.status() == 200) {
      return new Probe(settings, null, false);
    }
    return Probe.failed(
        "not ready (GET /health/ready answered " + ready.status() + ")", ready.status() != 503);
  }

  private CompletableFuture<HttpAnswers.Answer> get(String url, String path) {
    long remaining = Math.max(1, deadline - System.nanoTime());
    return transport.send(
        HttpRequest.newBuilder(URI.create(url + path))
            .GET()
            .timeout(Duration.ofNanos(Math.min(remaining, PROBE_TIMEOUT.toNanos()))),
        url);
  }

  private static CompletableFuture<Probe> done(Probe probe) {
    return CompletableFuture.completedFuture(probe);
  }

  private static String describe(Throwable failure) {
    Throwable cause = HttpStoreClient.unwrap(failure);
    return cause instanceof IOException io ? HttpStoreClient.describe(io) : cause.toString();
  }

  private void fail() {
    if (result.isDone()) {
      return;
    }
    List<String> what = new ArrayList<>();
    for (String url : urls) {
      Probe probe = last.get(url);
      what.add(url + ": " + (probe == null ? "no answer yet" : probe.problem()));
    }
    result.completeExceptionally(
        new ConnectFailedException(String.join("; ", what), urls, joinTimeout, null));
  }
}
