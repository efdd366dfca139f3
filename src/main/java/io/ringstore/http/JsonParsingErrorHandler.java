package io.ringstore.http;

import java.util.Locale;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests Pekko HTTP cannot even parse (a malformed request target such as {@code /kv/%zz},
 * a URI or header over the limits) with the API's JSON error body instead of Pekko's plain text, so
 * every 4xx of the gateway is JSON (DESIGN invariant 5). Installed by {@link HttpGateway#start};
 * instantiated by Pekko through its public no-argument constructor.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    log.debug("rejected an unparsable request: {}", info.formatPretty());
    String message = settings.verboseErrorMessages() ? info.formatPretty() : info.summary();
    return Json.response(status, new Dto.Error(errorName(status), message));
  }

  static String errorName(org.apache.pekko.http.javadsl.model.StatusCode status) {
    if (status.intValue() == StatusCodes.BAD_REQUEST.intValue()) {
      return "bad_request";
    }
    if (status.intValue() == StatusCodes.PAYLOAD_TOO_LARGE.intValue()) {
      return "value_too_large";
    }
    return status.reason().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
  }
}
