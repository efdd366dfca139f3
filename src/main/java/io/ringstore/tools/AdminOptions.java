package io.ringstore.tools;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of {@code bin/ringstore status} and {@code leave}, parsed and checked before anything
 * is sent: a typo stops the command with the usage, never acts on a default the operator did not
 * mean.
 */
record AdminOptions(
    String host,
    Optional<Integer> httpPort,
    Duration timeout,
    Optional<HostPort> via,
    boolean https,
    Optional<Path> cacert,
    ClientCredentials.Options credentials) {
  static final String DEFAULT_HOST = "127.0.0.1";
  static final int DEFAULT_HTTP_PORT = 8080;
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

  /** A {@code host:port} pair. */
  record HostPort(String host, int port) {
    static HostPort parse(String text, String option) {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || colon == text.length() - 1) {
        throw new IllegalArgumentException(option + " expects HOST:PORT, got '" + text + "'");
      }
      String host = text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new HostPort(host, AdminOptions.port(text.substring(colon + 1), option));
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  AdminOptions(String host, Optional<Integer> httpPort, Duration timeout, Optional<HostPort> via) {
    this(host, httpPort, timeout, via, false, Optional.empty(), ClientCredentials.Options.NONE);
  }

  /** How to reach the node: the TLS options and the credentials, resolved with {@code env}. */
  ClientAccess access(Map<String, String> env, ClientCredentials.Prompt prompt) {
    return new ClientAccess(https, cacert, credentials.resolve(env, prompt));
  }

  /**
   * {@code https} with {@code --https}, {@code --cacert} or {@code --host https://...}, else {@code
   * http}.
   */
  String scheme() {
    return https ? "https" : "http";
  }

  /** The HTTP port asked for, or the default (status only; leave requires it). */
  int httpPortOrDefault() {
    return httpPort.orElse(DEFAULT_HTTP_PORT);
  }

  /**
   * Parses {@code args} for {@code command}, which accepts only the options in {@code allowed}.
   * Throws IllegalArgumentException with a message fit for the operator.
   */
  static AdminOptions parse(String command, List<String> allowed, String... args) {
    String host = DEFAULT_HOST;
    Optional<Integer> httpPort = Optional.empty();
    Duration timeout = DEFAULT_TIMEOUT;
    Optional<HostPort> via = Optional.empty();
    boolean https = false;
    Optional<Path> cacert = Optional.empty();
    ClientCredentials.Options credentials = ClientCredentials.Options.NONE;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (!allowed.contains(option)) {
        throw new IllegalArgumentException(command + ": unknown option '" + option + "'");
      }
      if (option.equals("--https")) {
        https = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(command + ": option " + option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--host" -> {
          if (value.isBlank()) {
            throw new IllegalArgumentException("--host must not be empty");
          }
          String lower = value.toLowerCase(Locale.ROOT);
          if (lower.startsWith("https://") || lower.startsWith("http://")) {
            // a URL: its scheme, host and (when given) port
            https |= lower.startsWith("https://");
            String rest = value.substring(value.indexOf("://") + 3);
            rest = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
            int colon = rest.lastIndexOf(':');
            boolean hasPort =
                rest.startsWith("[")
                    ? colon > rest.lastIndexOf(']')
                    : colon > 0 && rest.indexOf(':') == colon;
            if (hasPort) {
              httpPort = Optional.of(port(rest.substring(colon + 1), option));
              rest = rest.substring(0, colon);
            }
            if (rest.isBlank() || rest.contains("/")) {
              throw new IllegalArgumentException(
                  "--host expects H or a URL such as https://H:P, got '" + value + "'");
            }
            value = rest;
          }
          host =
              value.startsWith("[") && value.endsWith("]")
                  ? value.substring(1, value.length() - 1)
                  : value;
        }
        case "--cacert" -> {
          if (value.isBlank()) {
            throw new IllegalArgumentException("--cacert must not be empty");
          }
          cacert = Optional.of(Path.of(value));
          https = true;
        }
        case "--user", "--password-file" -> credentials = credentials.with(option, value);
        case "--http-port" -> httpPort = Optional.of(port(value, option));
        case "--timeout" -> timeout = duration(value, option);
        case "--via" -> via = Optional.of(HostPort.parse(value, option));
        default ->
            throw new IllegalArgumentException(command + ": unknown option '" + option + "'");
      }
    }
    return new AdminOptions(host, httpPort, timeout, via, https, cacert, credentials);
  }

  static int port(String text, String option) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(option + " expects a port 1..65535, got '" + text + "'");
  }

  /** {@code 90} (seconds), {@code 500ms}, {@code 45s}, {@code 30m}, {@code 2h}; more than zero. */
  static Duration duration(String text, String option) {
    Matcher m = DURATION.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      Duration d =
          switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
          };
      if (!d.isZero()) {
        return d;
      }
    }
    throw new IllegalArgumentException(
        option + " expects a duration such as 90s, 30m or 2h, got '" + text + "'");
  }
}
