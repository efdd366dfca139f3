package io.ringstore.http;

import io.ringstore.coordinator.RequestLimits;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.AskTimeoutException;

/** Maps exceptions from request handling to honest HTTP errors with JSON bodies. */
final class HttpErrors {
  private HttpErrors() {}

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
    if (e instanceof IllegalArgumentException) {
      return KvResponses.badRequest(e.getMessage());
    }
    if (e instanceof AskTimeoutException || e instanceof TimeoutException) {
      return Json.response(StatusCodes.SERVICE_UNAVAILABLE,
          new Dto.Error("unavailable", "no answer in time: " + e.getMessage()));
    }
    return Json.response(StatusCodes.INTERNAL_SERVER_ERROR,
        new Dto.Error("internal_error", e.getClass().getSimpleName() + ": " + e.getMessage()));
  }
}
