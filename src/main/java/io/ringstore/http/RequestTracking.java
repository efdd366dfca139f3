package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;
import static org.apache.pekko.http.javadsl.server.Directives.optionalAttribute;
import static org.apache.pekko.http.javadsl.server.Directives.withRequestTimeoutResponse;

import io.ringstore.config.LogText;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outermost layer of the gateway (issue 15, item 6): gives every request an id, returned in
 * {@code X-Request-Id} on every answer and written in every log line about the request's failure (a
 * 5xx is always logged with it, the detail by whoever chose the answer), and counts every answered
 * request by route and status code for {@code /metrics}. Also answers Pekko's request timeout with
 * the API's JSON error body instead of Pekko's text.
 */
final class RequestTracking {
  private static final Logger LOG = LoggerFactory.getLogger(RequestTracking.class);

  /** The response header naming a request in the node's log. */
  static final String HEADER = "X-Request-Id";

  static final AttributeKey<String> ID = AttributeKey.create("ringstore-request-id", String.class);

  /** The routes of {@code ringstore_http_responses_total}. */
  static final String[] ROUTES = {"kv", "admin", "metrics", "health", "other"};

  private final Map<String, Map<Integer, LongAdder>> responses = new ConcurrentHashMap<>();

  /** {@code inner} with an id per request, the id on its answer, and the answer counted. */
  Route track(Supplier<Route> inner) {
    return extractRequest(
        request -> {
          String id = newId();
          return mapRequest(
              r -> r.addAttribute(ID, id),
              () ->
                  withRequestTimeoutResponse(
                      r -> timedOut(r, id),
                      () -> mapResponse(response -> answered(request, id, response), inner)));
        });
  }

  /** The id {@link #track} gave this request ({@code "-"} outside it, e.g. in a unit test). */
  static String id(HttpRequest request) {
    return request.getAttribute(ID).orElse("-");
  }

  /** A route built with the id of the request. */
  static Route withId(Function<String, Route> inner) {
    return optionalAttribute(ID, id -> inner.apply(id.orElse("-")));
  }

  /** Answers counted so far: route, then status code, then count (sorted). */
  Map<String, Map<Integer, Long>> responses() {
    Map<String, Map<Integer, Long>> out = new TreeMap<>();
    responses.forEach(
        (route, codes) -> {
          Map<Integer, Long> counts = new TreeMap<>();
          codes.forEach((code, count) -> counts.put(code, count.sum()));
          out.put(route, counts);
        });
    return out;
  }

  /** The route label of a request path. */
  static String route(String path) {
    if (path.startsWith("/kv/")) {
      return "kv";
    }
    if (path.equals("/admin") || path.startsWith("/admin/")) {
      return "admin";
    }
    if (path.equals("/metrics")) {
      return "metrics";
    }
    if (path.startsWith("/health/")) {
      return "health";
    }
    return "other";
  }

  private HttpResponse answered(HttpRequest request, String id, HttpResponse response) {
    int status = response.status().intValue();
    count(request, status);
    if (status >= 500) {
      LOG.info(
          "request {}: {} {} answered {}",
          id,
          request.method().value(),
          LogText.escape(request.getUri().path()),
          status);
    }
    return response.removeHeader(HEADER).addHeader(RawHeader.create(HEADER, id));
  }

  private HttpResponse timedOut(HttpRequest request, String id) {
    count(request, StatusCodes.SERVICE_UNAVAILABLE.intValue());
    LOG.warn(
        "request {}: {} {} got no answer within pekko.http.server.request-timeout",
        id,
        request.method().value(),
        LogText.escape(request.getUri().path()));
    return Json.response(
            StatusCodes.SERVICE_UNAVAILABLE,
            new Dto.Error("unavailable", "the node did not answer in time; retry shortly"))
        .addHeader(RawHeader.create("Retry-After", "1"))
        .addHeader(RawHeader.create(HEADER, id));
  }

  private void count(HttpRequest request, int status) {
    responses
        .computeIfAbsent(route(request.getUri().path()), r -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, s -> new LongAdder())
        .increment();
  }

  /** 16 hex digits: unique enough to find one request in a node's log. */
  static String newId() {
    return String.format("%016x", ThreadLocalRandom.current().nextLong());
  }
}
