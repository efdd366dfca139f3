package io.ringstore.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK's {@link HttpClient} as {@link HttpStoreClient} and its connect use it: HTTP/1.1, no
 * redirects, the TLS context of the settings for {@code https://} URLs, HTTP Basic credentials on
 * every request when the settings have them, and an executor of its own (daemon threads) that
 * {@link #close} shuts down. Java 17's {@code HttpClient} has no {@code close()}: closing drops
 * this transport's reference to it, so its selector thread and pooled connections go once it is
 * collected; requests still in flight are failed at once.
 */
final class HttpTransport implements AutoCloseable {
  /** How long one attempt may take to open a connection before the next node is tried. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final String threadPrefix;
  private final ExecutorService executor;
  private final String authorization;
  private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
  private volatile HttpClient http;
  private volatile boolean closed;

  HttpTransport(ClientSettings settings) {
    this.threadPrefix = "ringstore-http-client-" + CLIENTS.incrementAndGet() + "-";
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            task -> {
              Thread t = new Thread(task, threadPrefix + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(
                CONNECT_TIMEOUT.compareTo(settings.joinTimeout()) < 0
                    ? CONNECT_TIMEOUT
                    : settings.joinTimeout())
            .executor(executor);
    if (settings.sslContext() != null) {
      builder.sslContext(settings.sslContext());
    }
    this.http = builder.build();
    this.authorization =
        settings.user() == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString(
                        (settings.user()
                                + ":"
                                + (settings.password() == null ? "" : settings.password()))
                            .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A node URL as the client uses it: {@code http://} or {@code https://}, a host, no query, no
   * trailing slash (a path before it is kept, for a node behind a proxy's prefix).
   *
   * @throws IllegalArgumentException for anything else
   */
  static String baseUrl(String url) {
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a node URL: '" + url + "': " + e.getMessage(), e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "not a node URL: '"
              + url
              + "' (expected http://host:port or https://host:port; credentials go in"
              + " ClientSettings.withCredentials)");
    }
    String base = uri.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base;
  }

  /**
   * Sends {@code request} (credentials added); the stage completes with the answer, or fails with
   * the {@link java.io.IOException} of the exchange, or with {@link IllegalStateException} once the
   * transport is closed.
   */
  @SuppressWarnings("CollectionUndefinedEquality") // identity is what inFlight needs
  CompletableFuture<HttpAnswers.Answer> send(HttpRequest.Builder request, String url) {
    CompletableFuture<HttpAnswers.Answer> answer = new CompletableFuture<>();
    HttpClient client = http;
    if (closed || client == null) {
      answer.completeExceptionally(closedException());
      return answer;
    }
    if (authorization != null) {
      request.setHeader("Authorization", authorization);
    }
    inFlight.add(answer);
    // the callback completes answer itself
    var unused =
        client
            .sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
            .whenComplete(
                (response, failure) -> {
                  inFlight.remove(answer);
                  if (failure != null) {
                    answer.completeExceptionally(HttpStoreClient.unwrap(failure));
                  } else {
                    answer.complete(
                        new HttpAnswers.Answer(
                            response.statusCode(), response.headers(), response.body(), url));
                  }
                });
    if (closed) {
      answer.completeExceptionally(closedException());
    }
    return answer;
  }

  /** This transport's threads, for callbacks and delays. */
  ExecutorService executor() {
    return executor;
  }

  boolean isClosed() {
    return closed;
  }

  static IllegalStateException closedException() {
    return new IllegalStateException("the ringstore HTTP client is closed");
  }

  /**
   * Fails what is in flight, shuts the executor down and waits (at most 2 s, and not when called on
   * one of its own threads) for its threads to finish. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    http = null;
    for (CompletableFuture<?> request : inFlight) {
      request.completeExceptionally(closedException());
    }
    inFlight.clear();
    executor.shutdown();
    if (!Thread.currentThread().getName().startsWith(threadPrefix)) {
      try {
        executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
