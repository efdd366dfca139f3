package io.ringstore.client;

import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * A {@link StoreClient} over the nodes' HTTP API (DESIGN.md), for apps that should not join the
 * cluster's gossip: the JDK's {@code HttpClient} sending to a list of node URLs, with the same
 * results, siblings and causal contexts as the member client ({@link HttpAnswers} maps the statuses
 * back). Input is checked before anything is sent, by the same {@link RequestValidation} as the
 * member client, with the limits the cluster's {@code GET /settings} gave at connect.
 *
 * <p><b>Failover.</b> Each request starts at the next URL in turn (round robin, URLs that refused a
 * connection or gave no answer in the last 5 s last) and moves to the next URL when a connection
 * cannot be opened or breaks, or when the node answers {@code 503} (too few replicas answered in
 * time, the node is not ready or is overloaded): each URL at most once, while the request's
 * deadline (its timeout, or the cluster's default, plus 1 s for the round trip) has not passed; a
 * retry asks the node for no more than the time left. The answer is then the last {@code 503}'s
 * {@link io.ringstore.coordinator.Outcome.Unavailable}, or, when no node answered, a failed stage
 * with a {@link ConnectException} naming every URL tried and what it gave; a node that does not
 * answer within the deadline fails the stage with an {@link HttpTimeoutException}. A {@code 4xx} is
 * never retried.
 *
 * <p><b>Retried writes.</b> A write answered {@code 503} (fewer than W acks in time), or whose
 * connection broke after it was sent, may still have been stored by the replicas that did ack. Its
 * retry on the next node carries the same causal context, so it is a second write of the same
 * value, concurrent with the first: where the first was stored, the key holds both as siblings (a
 * dotted version vector gives each write its own dot; neither context covers the other). A read
 * shows equal siblings once (same bytes and content type), and its context covers both, so the next
 * write with that context resolves them; meanwhile the extra sibling counts toward {@code
 * max-siblings} and {@code max-object-size}. A blind write (no context) that is retried is the
 * same: two siblings of equal value. Nothing is lost and nothing is applied twice in a way a read
 * could tell, which is why retrying writes after a {@code 503} is safe here.
 *
 * <p><b>Results.</b> {@link WriteResult.Written} carries the replicas, hints and quorum mode of the
 * {@code X-Ringstore-*} headers (empty lists when a node does not send them). {@code 401} and
 * {@code 403} fail the stage with an {@link HttpStatusException} naming the status, as does any
 * status without a result (with the node's {@code X-Request-Id}). A content type Pekko HTTP cannot
 * parse is a {@code 400} here ({@code Rejected}), where the member client stores it as given; the
 * key {@code ..} cannot be addressed over HTTP and throws {@link IllegalArgumentException}.
 */
final class HttpStoreClient implements StoreClient {
  /** Added to a request's timeout for the HTTP round trip: the node answers 503 at its timeout. */
  static final Duration MARGIN = Duration.ofSeconds(1);

  /** A retry needs at least this much of the request's own timeout left. */
  private static final long MIN_RETRY_MS = 50;

  /** How long a URL that refused a connection or did not answer is tried last. */
  private static final long DOWN_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final HttpTransport transport;
  private final List<String> urls;
  private final Replication replication;
  private final RequestValidation validation;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicLongArray downUntil;

  private HttpStoreClient(
      HttpTransport transport, List<String> urls, HttpAnswers.NodeSettings settings) {
    this.transport = transport;
    this.urls = urls;
    this.replication = settings.replication();
    this.validation = new RequestValidation(settings.limits());
    this.downUntil = new AtomicLongArray(urls.size());
  }

  /**
   * Connects as {@link HttpConnector} describes: completes once a node URL answered its settings
   * and readiness, or fails with {@link ConnectFailedException} after the join timeout.
   *
   * @throws IllegalArgumentException for settings that are not {@link ClientSettings.Mode#HTTP} or
   *     a URL that is not {@code http(s)://host:port}
   */
  static CompletionStage<StoreClient> connect(ClientSettings settings) {
    if (settings.mode() != ClientSettings.Mode.HTTP) {
      throw new IllegalArgumentException("not HTTP client settings: " + settings);
    }
    List<String> urls = settings.endpoints().stream().map(HttpTransport::baseUrl).toList();
    HttpTransport transport = new HttpTransport(settings);
    return HttpConnector.connect(transport, urls, settings.joinTimeout())
        .handle(
            (nodeSettings, failure) -> {
              if (failure != null) {
                transport.close();
                throw failure instanceof CompletionException c
                    ? c
                    : new CompletionException(failure);
              }
              return (StoreClient) new HttpStoreClient(transport, urls, nodeSettings);
            });
  }

  @Override
  public CompletionStage<ReadResult> get(String key, ReadOptions options) {
    ReadOptions o = options == null ? ReadOptions.DEFAULT : options;
    var read = validation.read(key, o).request();
    checkHttpKey(key);
    return send(
        new Call<>(
            "GET",
            key,
            HttpRequest.BodyPublishers.noBody(),
            null,
            null,
            query("r", o.r(), null),
            o.timeout() != null,
            read.timeout(),
            answer -> HttpAnswers.read(answer, read.r())));
  }

  @Override
  public CompletionStage<WriteResult> put(
      String key, byte[] value, String contentType, String context, WriteOptions options) {
    WriteOptions o = options == null ? WriteOptions.DEFAULT : options;
    var write = validation.put(key, value, contentType, context, o).request();
    checkHttpKey(key);
    return send(
        new Call<>(
            "PUT",
            key,
            HttpRequest.BodyPublishers.ofByteArray(value),
            write.value().contentType(),
            context,
            query("w", o.w(), o.sloppy()),
            o.timeout() != null,
            write.timeout(),
            answer -> HttpAnswers.write(answer, write.w())));
  }

  @Override
  public CompletionStage<WriteResult> delete(String key, String context, WriteOptions options) {
    WriteOptions o = options == null ? WriteOptions.DEFAULT : options;
    var write = validation.delete(key, context, o).request();
    checkHttpKey(key);
    return send(
        new Call<>(
            "DELETE",
            key,
            HttpRequest.BodyPublishers.noBody(),
            null,
            context,
            query("w", o.w(), o.sloppy()),
            o.timeout() != null,
            write.timeout(),
            answer -> HttpAnswers.write(answer, write.w())));
  }

  @Override
  public Replication replication() {
    return replication;
  }

  @Override
  public void close() {
    transport.close();
  }

  @Override
  public String toString() {
    return "HttpStoreClient" + urls;
  }

  /**
   * One request as every attempt sends it: {@code query} without the timeout (each attempt adds its
   * own), {@code timeout} the request's (asked for when {@code explicitTimeout}, else the cluster's
   * default).
   */
  private record Call<T>(
      String method,
      String key,
      HttpRequest.BodyPublisher body,
      String contentType,
      String context,
      List<String> query,
      boolean explicitTimeout,
      Duration timeout,
      Function<HttpAnswers.Answer, T> result) {}

  /** The request's query parameters but the timeout: R or W as the server parses it, sloppy. */
  private static List<String> query(String name, Quorum quorum, Boolean sloppy) {
    List<String> query = new ArrayList<>();
    if (quorum != null && quorum.kind() != Quorum.Kind.DEFAULT) {
      query.add(name + "=" + quorum);
    }
    if (sloppy != null) {
      query.add("sloppy=" + sloppy);
    }
    return query;
  }

  private <T> CompletableFuture<T> send(Call<T> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + call.timeout().plus(MARGIN).toNanos();
    attempt(call, order(), 0, deadline, new ArrayList<>(), null, result);
    return result;
  }

  /**
   * Sends {@code call} to the URL at {@code order[i]}; moves on to the next on a connection failure
   * or a 503 ({@code unavailable}: the last 503's result) while the deadline allows.
   */
  private <T> void attempt(
      Call<T> call,
      int[] order,
      int i,
      long deadline,
      List<String> tried,
      T unavailable,
      CompletableFuture<T> result) {
    long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    long budgetMs = leftMs - MARGIN.toMillis();
    if (i == order.length || (i > 0 && budgetMs < MIN_RETRY_MS)) {
      if (unavailable != null) {
        result.complete(unavailable);
      } else {
        result.completeExceptionally(
            new ConnectException(
                "no ringstore node answered "
                    + call.method()
                    + " within "
                    + call.timeout().plus(MARGIN).toMillis()
                    + " ms: "
                    + String.join(", ", tried)));
      }
      return;
    }
    int node = order[i];
    String url = urls.get(node);
    List<String> query = new ArrayList<>(call.query());
    long timeoutMs = call.timeout().toMillis();
    if (i > 0) {
      query.add("timeout=" + Math.min(timeoutMs, budgetMs));
    } else if (call.explicitTimeout()) {
      query.add("timeout=" + timeoutMs);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    url
                        + "/kv/"
                        + encodeKey(call.key())
                        + (query.isEmpty() ? "" : "?" + String.join("&", query))))
            .method(call.method(), call.body())
            .timeout(Duration.ofMillis(Math.max(1, leftMs)));
    if (call.contentType() != null) {
      request.header("Content-Type", call.contentType());
    }
    if (call.context() != null) {
      request.header(HttpAnswers.CONTEXT_HEADER, call.context());
    }
    // the callback completes result itself, or tries the next node
    var unused =
        transport
            .send(request, url)
            .whenComplete(
                (answer, failure) -> {
                  if (failure != null) {
                    Throwable cause = unwrap(failure);
                    if (!(cause instanceof IOException io)) {
                      result.completeExceptionally(cause);
                      return;
                    }
                    downUntil.set(node, System.nanoTime() + DOWN_NANOS);
                    if (io instanceof HttpTimeoutException
                        && !(io instanceof HttpConnectTimeoutException)) {
                      tried.add(url + " (no answer in time)");
                      HttpTimeoutException timeout =
                          new HttpTimeoutException(
                              call.method()
                                  + " got no answer within "
                                  + call.timeout().plus(MARGIN).toMillis()
                                  + " ms: "
                                  + String.join(", ", tried));
                      timeout.initCause(io);
                      result.completeExceptionally(timeout);
                      return;
                    }
                    tried.add(url + " (" + describe(io) + ")");
                    attempt(call, order, i + 1, deadline, tried, unavailable, result);
                    return;
                  }
                  T outcome;
                  try {
                    outcome = call.result().apply(answer);
                  } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                    return;
                  }
                  if (answer.status() == 503) {
                    tried.add(url + " (503)");
                    attempt(call, order, i + 1, deadline, tried, outcome, result);
                  } else {
                    result.complete(outcome);
                  }
                });
  }

  /**
   * The URLs' indexes in the order this request tries them: from the next one in turn, those that
   * recently failed last.
   */
  private int[] order() {
    int n = urls.size();
    int start = Math.floorMod(next.getAndIncrement(), n);
    long now = System.nanoTime();
    int[] order = new int[n];
    int at = 0;
    for (int pass = 0; pass < 2; pass++) {
      for (int k = 0; k < n; k++) {
        int node = (start + k) % n;
        boolean down = downUntil.get(node) - now > 0;
        if (down == (pass == 1)) {
          order[at++] = node;
        }
      }
    }
    return order;
  }

  /**
   * Refuses the key {@code ..}, which the node's HTTP API cannot address: the server resolves the
   * request's path, which removes the dot segment ({@code %2E%2E} decodes to it too), so the
   * request would reach another route. The member client can use it.
   */
  private static void checkHttpKey(String key) {
    if (key.equals("..")) {
      throw new IllegalArgumentException(
          "the key '..' cannot be addressed over HTTP (the node resolves it as a path segment)");
    }
  }

  /**
   * {@code key} as one percent-encoded path segment: its UTF-8 bytes, every byte but ASCII letters,
   * digits, {@code -}, {@code _} and {@code ~} as {@code %XX} ({@code /}, {@code .}, {@code %},
   * spaces and non-ASCII included), which the node's {@code KeyPath} decodes back to the key.
   */
  static String encodeKey(String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length * 3);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** What a failed exchange says, short: "connection refused", "connect timed out", … */
  static String describe(IOException e) {
    if (e instanceof HttpConnectTimeoutException) {
      return "connect timed out";
    }
    if (e instanceof ConnectException) {
      String message = e.getMessage();
      return message == null
              || message.isBlank()
              || message.toLowerCase(Locale.ROOT).contains("refused")
          ? "connection refused"
          : "cannot connect: " + message;
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
