package io.ringstore.http;

import io.ringstore.config.LogText;
import java.util.Locale;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests Pekko HTTP cannot even parse (a malformed request target such as {@code
 * /kv/%zz}, a URI or header over the limits) with the API's JSON error body instead of Pekko's
 * plain text, so every 4xx of the gateway is JSON (DESIGN invariant 5). A request line with a
 * missing or unknown HTTP version is a 400 rather than Pekko's 505: bad input never gets a 5xx (an
 * unknown method keeps HTTP's 501). Installed by {@link HttpGateway#start}; instantiated by Pekko
 * through its public no-argument constructor.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    String id = RequestTracking.newId();
    log.debug(
        "request {}: rejected an unparsable request: {}", id, LogText.escape(info.formatPretty()));
    HttpResponse response;
    if (status.intValue() == 505) {
      // a request line without a version or with a version nobody speaks is the client's error:
      // never a 5xx for bad input (DESIGN invariant 5)
      response =
          Json.response(
              StatusCodes.BAD_REQUEST,
              new Dto.Error(
                  "http_version_not_supported",
                  "the request line must end in HTTP/1.0 or HTTP/1.1"));
    } else {
      String message = settings.verboseErrorMessages() ? info.formatPretty() : info.summary();
      response =
          Json.response(
              status, new Dto.Error(errorName(status), HttpErrors.clean(message, status.reason())));
    }
    return response.addHeader(RawHeader.create(RequestTracking.HEADER, id));
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
