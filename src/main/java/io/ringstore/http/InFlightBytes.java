package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.mapRouteResultFuture;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/**
 * Load shedding by bytes at the gateway ({@code ringstore.requests.max-in-flight-bytes}): the
 * bodies of the requests it guards (PUT /kv) are counted from arrival until their answer, each as
 * its {@code Content-Length} (a body of unknown length as the largest value accepted), and a
 * request that would pass the bound is answered {@code 503} with {@code Retry-After: 1} and {@code
 * {"error": "overloaded"}} before its body is read into memory, so a burst of large writes gets a
 * retryable answer instead of exhausting the heap (DESIGN invariant 6). Its body is read and
 * dropped (streamed, never held) so the client sees the answer, not a reset. Thread-safe.
 */
final class InFlightBytes {
  private final long maxBytes;
  private final long unknownLengthBytes;
  private final AtomicLong used = new AtomicLong();
  private final LongAdder shed = new LongAdder();

  /**
   * @param maxBytes the bound on body bytes in flight
   * @param unknownLengthBytes what a body counts as when its length is unknown or larger (the
   *     largest value accepted: a larger body is refused before it is read)
   */
  InFlightBytes(long maxBytes, long unknownLengthBytes) {
    if (maxBytes < 1 || unknownLengthBytes < 1) {
      throw new IllegalArgumentException(
          "in-flight bounds must be >= 1 but were " + maxBytes + " and " + unknownLengthBytes);
    }
    this.maxBytes = maxBytes;
    this.unknownLengthBytes = Math.min(unknownLengthBytes, maxBytes);
  }

  /** What a request's body counts as while in flight. */
  long cost(HttpRequest request) {
    HttpEntity entity = request.entity();
    if (entity.isKnownEmpty()) {
      return 0;
    }
    return Math.min(entity.getContentLengthOption().orElse(unknownLengthBytes), unknownLengthBytes);
  }

  /** Reserves {@code bytes} if they fit under the bound; false (nothing reserved) if not. */
  boolean tryAcquire(long bytes) {
    while (true) {
      long current = used.get();
      if (current + bytes > maxBytes) {
        return false;
      }
      if (used.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  long usedBytes() {
    return used.get();
  }

  long maxBytes() {
    return maxBytes;
  }

  /** Requests answered 503 overloaded since the node started. */
  long shed() {
    return shed.sum();
  }

  /**
   * Runs {@code inner} with the request's body bytes reserved until its route completes, or answers
   * 503 overloaded when they do not fit.
   */
  Route guard(HttpRequest request, Materializer mat, Supplier<Route> inner) {
    long cost = cost(request);
    if (!tryAcquire(cost)) {
      shed.increment();
      HttpEntity entity = request.entity();
      if (entity.getContentLengthOption().orElse(0) > KvRoutes.DRAIN_LIMIT_BYTES) {
        return complete(overloaded());
      }
      return completeWithFuture(
          entity
              .withSizeLimit(KvRoutes.DRAIN_LIMIT_BYTES)
              .discardBytes(mat)
              .completionStage()
              .handleAsync((done, failure) -> overloaded(), Stages.SAME_THREAD));
    }
    return mapRouteResultFuture(
        result -> result.whenCompleteAsync((value, failure) -> release(cost), Stages.SAME_THREAD),
        inner);
  }

  static HttpResponse overloaded() {
    return Json.response(
            StatusCodes.SERVICE_UNAVAILABLE,
            new Dto.Error(
                "overloaded", "this node holds as many request bytes as it may; retry shortly"))
        .addHeader(RetryAfter.create(1L));
  }
}
