package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import io.ringstore.config.LogText;
import io.ringstore.config.RingstoreSettings.HttpSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps web pages from using a browser against the node (issue 15, item 8), before any password is
 * checked: a request whose {@code Origin} is not the node's own is refused {@code 403} when it may
 * change something (any method but {@code GET}, {@code HEAD} and {@code OPTIONS}), whatever its
 * content type, authentication on or off (a browser holding credentials must not be usable by
 * another site); and while authentication is off, a request whose {@code Host} is not a name of
 * this node is refused {@code 421} (DNS rebinding: a page whose name resolves to the node reads it
 * as its own).
 *
 * <p>The node's own origin is {@code scheme://Host} of the request itself, the Host having passed
 * the check. Names of the node: {@code localhost}, every IP literal (a rebinding page always has a
 * name; a load balancer or a client addressing the node by IP is fine), the configured {@code
 * http.host} and {@code http.allowed-hosts} ({@code *} for any). {@code /health/*} is exempt from
 * the Host check (read-only, for load balancers that probe by name). A request without {@code Host}
 * (HTTP/1.0) or without {@code Origin} (curl, the command-line tools, same-origin {@code GET}s)
 * passes. No CORS headers are sent, so no other site can read an answer either.
 */
final class BrowserGuard {
  private static final Logger LOG = LoggerFactory.getLogger(BrowserGuard.class);
  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final boolean checkHost;
  private final boolean anyHost;
  private final Set<String> names;
  private final String scheme;
  private final LongAdder foreignHosts = new LongAdder();
  private final LongAdder foreignOrigins = new LongAdder();

  BrowserGuard(HttpSettings settings) {
    this.checkHost = !settings.auth().enabled();
    this.anyHost = settings.allowedHosts().contains("*");
    var all = new HashSet<String>(settings.allowedHosts());
    all.add("localhost");
    all.add(hostOnly(settings.host()));
    this.names = Set.copyOf(all);
    this.scheme = settings.scheme();
  }

  /** Requests refused so far, by reason: for /metrics. */
  Map<String, Long> refusals() {
    return Map.of("foreign_host", foreignHosts.sum(), "foreign_origin", foreignOrigins.sum());
  }

  /** {@code inner} for requests that pass; the refusal for the others. */
  Route protect(Supplier<Route> inner) {
    return extractRequest(
        request -> refusal(request).map(r -> (Route) complete(r)).orElseGet(inner));
  }

  Optional<HttpResponse> refusal(HttpRequest request) {
    Optional<String> host = header(request, "host");
    if (checkHost
        && host.isPresent()
        && !allowedHost(host.get())
        && !request.getUri().path().startsWith("/health/")) {
      foreignHosts.increment();
      LOG.info(
          "refused a request for Host {} ({} {}): not a name of this node; add it to "
              + "ringstore.http.allowed-hosts if clients use it",
          LogText.escape(host.get()),
          request.method().value(),
          LogText.escape(request.getUri().path()));
      return Optional.of(
          Json.response(
              StatusCodes.MISDIRECTED_REQUEST,
              new Dto.Error(
                  "misdirected_request",
                  "this node does not answer to the name in the Host header; "
                      + "use localhost, its IP address or a name in ringstore.http.allowed-hosts")));
    }
    Optional<String> origin = header(request, "origin");
    if (origin.isPresent()
        && !SAFE_METHODS.contains(request.method().value())
        && !sameOrigin(origin.get(), host)) {
      foreignOrigins.increment();
      LOG.info(
          "refused {} {} from Origin {}: not this node's origin",
          request.method().value(),
          LogText.escape(request.getUri().path()),
          LogText.escape(origin.get()));
      return Optional.of(
          Json.response(
              StatusCodes.FORBIDDEN,
              new Dto.Error(
                  "forbidden_origin",
                  "requests that change something are refused from web pages of other origins")));
    }
    return Optional.empty();
  }

  private boolean allowedHost(String hostHeader) {
    if (anyHost) {
      return true;
    }
    String name = hostOnly(hostHeader);
    return names.contains(name) || isIpLiteral(name);
  }

  /** Whether {@code origin} is {@code scheme://Host} of this request ({@code null} never is). */
  private boolean sameOrigin(String origin, Optional<String> hostHeader) {
    if (hostHeader.isEmpty()) {
      return false;
    }
    try {
      URI o = new URI(origin.trim());
      URI self = new URI(scheme + "://" + hostHeader.get().trim());
      return o.getScheme() != null
          && o.getScheme().equalsIgnoreCase(scheme)
          && o.getRawPath() != null
          && o.getRawPath().isEmpty()
          && o.getRawQuery() == null
          && o.getRawUserInfo() == null
          && o.getHost() != null
          && self.getHost() != null
          && o.getHost().toLowerCase(Locale.ROOT).equals(self.getHost().toLowerCase(Locale.ROOT))
          && port(o) == port(self);
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
  }

  /**
   * The name in a Host header or setting without its port, lower-case (IPv6 keeps its brackets).
   */
  static String hostOnly(String hostAndPort) {
    String h = hostAndPort.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(0, end + 1);
    }
    if (h.indexOf(':') != h.lastIndexOf(':')) {
      return "[" + h + "]"; // a bare IPv6 literal (the configured http.host may be one)
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  private static boolean isIpLiteral(String name) {
    if (name.startsWith("[") && name.endsWith("]")) {
      return name.length() > 2
          && name.substring(1, name.length() - 1)
              .chars()
              .allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
    }
    if (!IPV4.matcher(name).matches()) {
      return false;
    }
    for (String part : name.split("\\.", -1)) {
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  private static Optional<String> header(HttpRequest request, String lowercaseName) {
    for (HttpHeader header : request.getHeaders()) {
      if (header.lowercaseName().equals(lowercaseName)) {
        return Optional.of(header.value());
      }
    }
    return Optional.empty();
  }
}
