package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.extractMaterializer;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.put;

import io.ringstore.client.ReadOptions;
import io.ringstore.client.RequestValidation;
import io.ringstore.client.RingstoreClient;
import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.RequestMetrics.Operation;
import io.ringstore.coordinator.RequestMetrics.RequestOutcome;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.headers.RawRequestURI;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.apache.pekko.stream.Materializer;

/**
 * {@code PUT/GET/DELETE /kv/{key}}: parses the request (key, r/w, timeout, context, sloppy) and has
 * the client validate it ({@link RequestValidation}, the same checks as the Java API's, a PUT's
 * before its body is read) before anything reaches a coordinator, then maps the outcome through
 * {@link KvResponses}. Bad input gets a 4xx and changes nothing.
 */
final class KvRoutes {
  static final String PREFIX = "/kv/";
  private static final Duration BODY_READ_TIMEOUT = Duration.ofSeconds(30);

  private final RingstoreClient client;
  private final BooleanSupplier started;
  private final InFlightBytes inFlight;

  /**
   * {@code started}: false until the node was first ready; requests are refused (503) until then.
   * {@code inFlight}: the node's bound on PUT body bytes in flight.
   */
  KvRoutes(RingstoreClient client, BooleanSupplier started, InFlightBytes inFlight) {
    this.client = client;
    this.started = started;
    this.inFlight = inFlight;
  }

  Route route() {
    return extractRequest(
        request -> {
          if (!request.getUri().path().startsWith(PREFIX)) {
            return Directives.reject();
          }
          String id = RequestTracking.id(request);
          if (!started.getAsBoolean()) {
            return complete(KvResponses.notReady(id));
          }
          String rawPath = rawPathAfter(request, 1);
          return concat(
              get(() -> handle(Operation.GET, id, () -> read(request, id, rawPath))),
              put(
                  () ->
                      extractMaterializer(
                          mat ->
                              inFlight.guard(
                                  request, mat, () -> handlePut(request, id, rawPath, mat)))),
              delete(() -> handle(Operation.DELETE, id, () -> remove(request, id, rawPath))));
        });
  }

  private Route read(HttpRequest request, String id, String rawPath) {
    String key = key(rawPath);
    Query query = request.getUri().query();
    ReadOptions options = new ReadOptions(quorum(query, "r"), timeout(query));
    return respond(
        Operation.GET, id, client.get(key, options), result -> KvResponses.read(result, id, key));
  }

  private Route write(HttpRequest request, String id, String rawPath, Materializer mat) {
    String key = key(rawPath);
    Query query = request.getUri().query();
    WriteOptions options = new WriteOptions(quorum(query, "w"), timeout(query), sloppy(query));
    HttpEntity entity = request.entity();
    // everything but the value is checked before the body is read: a refused PUT reads no body
    RequestValidation.PutHead head =
        client
            .validation()
            .putHead(
                key,
                entity.getContentType().toString(),
                context(request),
                options,
                entity.getContentLengthOption());
    long max = client.settings().requests().maxValueBytes();
    // the body, then the write, then the response, each on the thread that completes the step
    // before it (see respond): no thread-pool hop, and no thread started per PUT
    return respond(
        Operation.PUT,
        id,
        entity
            .withSizeLimit(max)
            .toStrict(BODY_READ_TIMEOUT.toMillis(), mat)
            .handleAsync(
                (strict, failure) -> failure == null ? strict : bodyFailed(failure), SAME_THREAD)
            .thenComposeAsync(
                strict -> client.write(head.withValue(strict.getData().toArray())), SAME_THREAD),
        result -> KvResponses.write(result, id, key));
  }

  /**
   * A body that did not arrive within {@link #BODY_READ_TIMEOUT} is the client's fault (408), not
   * an internal deadline missed (503); the size limit is a 413, and every other failure of the body
   * (a bad chunk, a cut connection, a stream error of any kind) a 400: the body is the client's.
   */
  private static HttpEntity.Strict bodyFailed(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof TimeoutException && !(cause instanceof AskTimeoutException)) {
      throw new HttpErrors.BodyReadTimeoutException(BODY_READ_TIMEOUT.toMillis());
    }
    if (cause instanceof EntityStreamSizeException || cause instanceof EntityStreamException) {
      throw (RuntimeException) cause;
    }
    throw new HttpErrors.BodyFailedException(cause);
  }

  private Route remove(HttpRequest request, String id, String rawPath) {
    String key = key(rawPath);
    Query query = request.getUri().query();
    WriteOptions options = new WriteOptions(quorum(query, "w"), timeout(query), sloppy(query));
    return respond(
        Operation.DELETE,
        id,
        client.delete(key, context(request), options),
        result -> KvResponses.write(result, id, key));
  }

  /**
   * Maps the outcome to the response on the thread that completes it. pekko-http's javadsl {@code
   * onComplete} would first pass every answer through Scala's global {@code ExecutionContext} (to
   * unwrap a {@code CompletionException}): a second thread pool and a thread wake-up per request.
   * {@code handleAsync} with an explicit executor, because the non-async methods of the stage
   * Pekko's ask returns run on the common pool (on two cores: a new thread per call).
   */
  private <T> Route respond(
      Operation op, String id, CompletionStage<T> stage, Function<T, HttpResponse> mapping) {
    return completeWithFuture(
        stage.handleAsync(
            (value, failure) ->
                failure == null ? mapping.apply(value) : failed(op, id, unwrap(failure)),
            SAME_THREAD));
  }

  /**
   * A failure before the request reached the client (the body over the limit, a value the client
   * refused) is a rejection to count here; the client counts what failed after it sent the request.
   */
  private HttpResponse failed(Operation op, String id, Throwable failure) {
    HttpResponse response = HttpErrors.fromThrowable(failure, id);
    if (response.status().intValue() < 500) {
      client.metrics().record(op, RequestOutcome.REJECTED, 0);
    }
    return response;
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private static final Executor SAME_THREAD = Stages.SAME_THREAD;

  /**
   * Like {@link #handle}, but a rejected PUT is answered only after its body has been read and
   * dropped (up to {@link #DRAIN_LIMIT_BYTES}). A server that answers 413 from the {@code
   * Content-Length} and closes while the client is still uploading makes most clients (curl, the
   * JDK's HttpClient) report a broken pipe or reset instead of the 413; reading the body first
   * keeps the answer readable and the connection open. Larger bodies are not drained: they are
   * answered at once and the connection is closed.
   */
  private Route handlePut(HttpRequest request, String id, String rawPath, Materializer mat) {
    try {
      return write(request, id, rawPath, mat);
    } catch (RuntimeException e) {
      HttpResponse rejection = rejected(Operation.PUT, id, e);
      HttpEntity entity = request.entity();
      if (entity.isKnownEmpty() || entity.getContentLengthOption().orElse(0) > DRAIN_LIMIT_BYTES) {
        return complete(rejection);
      }
      return completeWithFuture(
          entity
              .withSizeLimit(DRAIN_LIMIT_BYTES)
              .discardBytes(mat)
              .completionStage()
              .handleAsync((done, failure) -> rejection, SAME_THREAD));
    }
  }

  /** The largest rejected request body read before answering (see {@link #handlePut}). */
  static final long DRAIN_LIMIT_BYTES = 16L * 1024 * 1024;

  /**
   * Runs a route builder that may reject the request by throwing; maps that to a 4xx and counts it
   * as rejected (requests that reach the client are counted there when they complete).
   */
  private Route handle(Operation op, String id, Supplier<Route> route) {
    try {
      return route.get();
    } catch (RuntimeException e) {
      return complete(rejected(op, id, e));
    }
  }

  private HttpResponse rejected(Operation op, String id, RuntimeException e) {
    HttpResponse response = HttpErrors.fromThrowable(e, id);
    client
        .metrics()
        .record(
            op,
            response.status().intValue() < 500 ? RequestOutcome.REJECTED : RequestOutcome.ERROR,
            0);
    return response;
  }

  /**
   * The still percent-encoded rest of the request's path after its first {@code segments} segments,
   * from the {@code Raw-Request-URI} header that {@link HttpGateway#start} turns on. Pekko's parsed
   * {@code getUri().path()} is not the raw path: it is decoded and re-encoded, and invalid UTF-8 in
   * an escape has become U+FFFD by then, so {@code %C3%28} and {@code %FF%28} would both silently
   * name the key "\uFFFD(". Callers have matched the leading segments on the parsed path already.
   * Without the header (routes bound elsewhere) it falls back to the parsed path.
   */
  static String rawPathAfter(HttpRequest request, int segments) {
    String raw =
        request
            .getHeader(RawRequestURI.class)
            .map(RawRequestURI::uri)
            .map(KvRoutes::pathOfTarget)
            .orElseGet(() -> request.getUri().path());
    int at = 0;
    for (int s = 0; s <= segments; s++) {
      at = raw.indexOf('/', at);
      if (at < 0) {
        throw new IllegalArgumentException("the request path has too few segments");
      }
      at++;
    }
    return raw.substring(at);
  }

  /** The path of a raw request target, in origin form ({@code /p?q}) or absolute form. */
  private static String pathOfTarget(String target) {
    String path = target;
    int scheme = path.indexOf("://");
    if (!path.startsWith("/") && scheme >= 0) {
      int slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? "/" : path.substring(slash);
    }
    int end = path.length();
    int query = path.indexOf('?');
    int fragment = path.indexOf('#');
    if (query >= 0) {
      end = Math.min(end, query);
    }
    if (fragment >= 0) {
      end = Math.min(end, fragment);
    }
    return path.substring(0, end);
  }

  private static String key(String rawPath) {
    String key = KeyPath.decode(rawPath);
    if (key.isEmpty()) {
      throw new IllegalArgumentException("the key must not be empty");
    }
    return key;
  }

  private static String context(HttpRequest request) {
    Optional<String> header =
        request.getHeader(KvResponses.CONTEXT_HEADER).map(h -> h.value().trim());
    if (header.isPresent() && header.get().isEmpty()) {
      throw new IllegalArgumentException("the " + KvResponses.CONTEXT_HEADER + " header is empty");
    }
    return header.orElse(null);
  }

  private static Quorum quorum(Query query, String name) {
    Optional<String> value = query.get(name);
    if (value.isEmpty()) {
      return null;
    }
    try {
      return Quorum.parse(value.get());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("query parameter " + name + ": " + e.getMessage());
    }
  }

  private static Boolean sloppy(Query query) {
    Optional<String> value = query.get("sloppy");
    if (value.isEmpty()) {
      return null;
    }
    return switch (value.get().toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default ->
          throw new IllegalArgumentException(
              "query parameter sloppy must be true or false, got '" + value.get() + "'");
    };
  }

  private static Duration timeout(Query query) {
    Optional<String> value = query.get("timeout");
    if (value.isEmpty()) {
      return null;
    }
    String v = value.get();
    if (v.isEmpty()
        || v.length() > 9
        || !v.chars().allMatch(c -> c >= '0' && c <= '9')
        || Long.parseLong(v) == 0) {
      throw new IllegalArgumentException(
          "query parameter timeout must be a positive number of milliseconds, got '"
              + value.get()
              + "'");
    }
    return Duration.ofMillis(Long.parseLong(v));
  }
}
