package io.ringstore.http;

import io.ringstore.coordinator.RequestLimits;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
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
 * Maps exceptions from request handling to honest HTTP errors with JSON bodies (DESIGN invariant 5):
 * every failure of the request's own body or head is a 4xx, a missed internal deadline a 503, and
 * anything else a 500 whose body carries a request id, never a class name, an actor path or an
 * exception's text (those go to the node's log under the same id).
 */
final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);
  /** The response header naming a failed request in the node's log. */
  static final String REQUEST_ID_HEADER = "X-Request-Id";

  private HttpErrors() {}

  /** Thrown when a request body did not arrive in full within the body-read timeout (408). */
  static final class BodyReadTimeoutException extends RuntimeException {
    BodyReadTimeoutException(long millis) {
      super("the request body did not arrive in full within " + millis + " ms");
    }
  }

  static HttpResponse fromThrowable(Throwable t) {
    Throwable e = t;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof RequestLimits.ValueTooLargeException || e instanceof EntityStreamSizeException) {
      return KvResponses.tooLarge(e instanceof EntityStreamSizeException s
          ? "the value is larger than the limit of " + s.limit() + " bytes"
          : e.getMessage());
    }
    if (e instanceof EntityStreamException stream) {
      // the body of the request was malformed (a bad chunk) or cut short (the client closed)
      return KvResponses.badRequest("the request body is malformed or incomplete: "
          + stream.info().summary());
    }
    if (e instanceof IllegalRequestException illegal) {
      return Json.response(illegal.status(), new Dto.Error(
          JsonParsingErrorHandler.errorName(illegal.status()), illegal.info().summary()));
    }
    if (e instanceof BodyReadTimeoutException) {
      return Json.response(StatusCodes.REQUEST_TIMEOUT,
          new Dto.Error("request_timeout", e.getMessage()));
    }
    if (e instanceof IllegalArgumentException) {
      return KvResponses.badRequest(e.getMessage());
    }
    if (e instanceof AskTimeoutException || e instanceof TimeoutException) {
      return Json.response(StatusCodes.SERVICE_UNAVAILABLE,
          new Dto.Error("unavailable", "no answer in time"));
    }
    String id = UUID.randomUUID().toString();
    LOG.error("request {} failed", id, e);
    return Json.response(StatusCodes.INTERNAL_SERVER_ERROR,
            new Dto.Error("internal_error",
                "the node failed to handle the request (request id " + id + " in its log)"))
        .addHeader(RawHeader.create(REQUEST_ID_HEADER, id));
  }
}
