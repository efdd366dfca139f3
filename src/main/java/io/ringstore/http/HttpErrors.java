package io.ringstore.http;

import io.ringstore.config.LogText;
import io.ringstore.coordinator.RequestLimits;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps exceptions from request handling to honest HTTP errors with JSON bodies (DESIGN invariant 5,
 * issue 15 item 6): every failure of the request's own body or head is a 4xx, a missed internal
 * deadline a 503, and anything else a 500. No body carries a class name, an actor path or an
 * exception's text: those go to the node's log under the request's id ({@link RequestTracking}),
 * which the answer carries in {@code X-Request-Id}.
 */
final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  /**
   * What a body must not show: class names ({@code …Exception}, {@code …Error}), actor paths and
   * refs, stack frames and qualified Java or Scala names.
   */
  private static final Pattern LEAK =
      Pattern.compile(
          "\\w+(Exception|Error|Throwable)\\b|pekko(\\.\\w+)*://|Actor\\[|\\bat [\\w$.]+\\("
              + "|\\b(java|javax|scala|jdk|sun|org\\.apache|com\\.fasterxml|io\\.ringstore)\\.[\\w$]");

  private HttpErrors() {}

  /** Thrown when a request body did not arrive in full within the body-read timeout (408). */
  static final class BodyReadTimeoutException extends RuntimeException {
    BodyReadTimeoutException(long millis) {
      super("the request body did not arrive in full within " + millis + " ms");
    }
  }

  /** Thrown when reading a request body failed some other way: the client's fault (400). */
  static final class BodyFailedException extends RuntimeException {
    BodyFailedException(Throwable cause) {
      super("the request body is malformed or incomplete", cause);
    }
  }

  /** {@code text} when it is fit for a response body, else {@code fallback}. */
  static String clean(String text, String fallback) {
    return text == null || text.isBlank() || LEAK.matcher(text).find() ? fallback : text;
  }

  /** Whether {@code text} would show internals in a response body. */
  static boolean leaks(String text) {
    return text != null && LEAK.matcher(text).find();
  }

  /**
   * The answer to {@code t}, a failure of the request {@code requestId} ({@link
   * RequestTracking#id}).
   */
  static HttpResponse fromThrowable(Throwable t, String requestId) {
    Throwable e = t;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof RequestLimits.ValueTooLargeException
        || e instanceof EntityStreamSizeException) {
      return KvResponses.tooLarge(
          e instanceof EntityStreamSizeException s
              ? "the value is larger than the limit of " + s.limit() + " bytes"
              : clean(e.getMessage(), "the value is larger than the limit"));
    }
    if (e instanceof EntityStreamException stream) {
      // the body of the request was malformed (a bad chunk) or cut short (the client closed)
      LOG.debug(
          "request {}: body failed: {}", requestId, LogText.escape(stream.info().formatPretty()));
      return KvResponses.badRequest(
          clean(
              "the request body is malformed or incomplete: " + stream.info().summary(),
              "the request body is malformed or incomplete"));
    }
    if (e instanceof BodyFailedException) {
      LOG.info(
          "request {}: reading the body failed: {}",
          requestId,
          LogText.escape(String.valueOf(e.getCause())));
      return KvResponses.badRequest(e.getMessage());
    }
    if (e instanceof IllegalRequestException illegal) {
      return Json.response(
          illegal.status(),
          new Dto.Error(
              JsonParsingErrorHandler.errorName(illegal.status()),
              clean(illegal.info().summary(), illegal.status().reason())));
    }
    if (e instanceof BodyReadTimeoutException) {
      return Json.response(
          StatusCodes.REQUEST_TIMEOUT, new Dto.Error("request_timeout", e.getMessage()));
    }
    if (e instanceof IllegalArgumentException) {
      if (leaks(e.getMessage())) {
        LOG.info("request {}: refused: {}", requestId, LogText.escape(e.toString()));
      }
      return KvResponses.badRequest(clean(e.getMessage(), "the request is malformed"));
    }
    if (e instanceof AskTimeoutException || e instanceof TimeoutException) {
      LOG.info("request {}: no answer in time: {}", requestId, LogText.escape(e.getMessage()));
      return Json.response(
              StatusCodes.SERVICE_UNAVAILABLE, new Dto.Error("unavailable", "no answer in time"))
          .addHeader(RawHeader.create("Retry-After", "1"));
    }
    LOG.error("request {} failed", requestId, e);
    return Json.response(
        StatusCodes.INTERNAL_SERVER_ERROR,
        new Dto.Error(
            "internal_error",
            "the node failed to handle the request (request id " + requestId + " in its log)"));
  }
}
