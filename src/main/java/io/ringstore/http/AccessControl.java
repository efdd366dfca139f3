package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractCredentials;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.onComplete;

import io.ringstore.config.LogText;
import io.ringstore.config.RingstoreSettings.AuthSettings;
import io.ringstore.security.Access;
import io.ringstore.security.AccessPolicy;
import io.ringstore.security.Authenticator;
import io.ringstore.security.Role;
import io.ringstore.security.User;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.BasicHttpCredentials;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.HttpCredentials;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users and roles on the HTTP API (README, Security): every request but {@code /health/*} carries
 * HTTP Basic credentials of a user in the users file whose roles grant what {@link AccessPolicy}
 * says the request needs. Without credentials, or with credentials that are not a user's, the
 * answer is {@code 401} with a {@code WWW-Authenticate} challenge; with a user lacking the role,
 * {@code 403}; both with the API's JSON error body, decided before any route runs, so a refused
 * request changes nothing. Password checks run on the {@link Authenticator}'s own threads; when
 * those are saturated the answer is {@code 503} with {@code Retry-After}. Changes to the node
 * ({@code POST /admin/leave}) are logged with the user who asked.
 */
final class AccessControl {
  private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);

  private final Optional<Authenticator> authenticator;
  private final String realm;
  private final LongAdder unauthorized = new LongAdder();
  private final LongAdder forbidden = new LongAdder();
  private final LongAdder overloaded = new LongAdder();

  private AccessControl(Optional<Authenticator> authenticator, String realm) {
    this.authenticator = authenticator;
    this.realm = realm;
  }

  /** No authentication: every route open, as on a loopback-only node. */
  static AccessControl open() {
    return new AccessControl(Optional.empty(), "ringstore");
  }

  /**
   * Authentication as {@code settings} says; when enabled, the users file is read now and then
   * every reload interval (a file that became unreadable keeps the users in force and is logged
   * once), and the checking threads stop with the actor system.
   */
  static AccessControl start(ActorSystem<?> system, AuthSettings settings) {
    if (!settings.enabled()) {
      return open();
    }
    Authenticator authenticator =
        new Authenticator(
            settings.usersFile(),
            settings.hashThreads(),
            settings.maxQueuedChecks(),
            settings.cacheTtl(),
            System::nanoTime);
    system
        .log()
        .info(
            "HTTP authentication on: {} user(s) from {}, reloaded every {}",
            authenticator.users().size(),
            settings.usersFile(),
            settings.reloadInterval());
    Duration every = settings.reloadInterval();
    var reloads =
        system
            .scheduler()
            .scheduleWithFixedDelay(
                every,
                every,
                () -> logReload(system, settings, authenticator.reloadIfChanged()),
                system.dispatchers().lookup(DispatcherSelector.blocking()));
    system
        .getWhenTerminated()
        .thenRunAsync(
            () -> {
              reloads.cancel();
              authenticator.close();
            },
            Stages.SAME_THREAD);
    return new AccessControl(Optional.of(authenticator), settings.realm());
  }

  private static void logReload(
      ActorSystem<?> system, AuthSettings settings, Authenticator.Reload reload) {
    if (reload instanceof Authenticator.Reload.Reloaded r) {
      system
          .log()
          .info("users file {} changed: {} user(s) in force", settings.usersFile(), r.users());
    } else if (reload instanceof Authenticator.Reload.Failed f && f.firstTime()) {
      system
          .log()
          .error(
              "cannot reload the users file (the users loaded before stay in force): {}",
              f.message());
    }
  }

  /** Whether requests are checked at all. */
  boolean enabled() {
    return authenticator.isPresent();
  }

  /** Requests refused so far, by answer: for /metrics. */
  Map<String, Long> refusals() {
    return Map.of(
        "unauthorized",
        unauthorized.sum(),
        "forbidden",
        forbidden.sum(),
        "overloaded",
        overloaded.sum());
  }

  /** {@code inner} for requests that may have it; the refusal for the others. */
  Route protect(Supplier<Route> inner) {
    if (authenticator.isEmpty()) {
      return inner.get();
    }
    Authenticator auth = authenticator.get();
    return extractRequest(
        request -> {
          Access needed = AccessPolicy.required(request.method().value(), request.getUri().path());
          if (needed == Access.PUBLIC) {
            return inner.get();
          }
          return extractCredentials(
              credentials -> {
                Optional<BasicHttpCredentials> basic = credentials.flatMap(AccessControl::basic);
                if (basic.isEmpty()) {
                  unauthorized.increment();
                  return complete(
                      unauthorized(
                          credentials.isPresent()
                              ? "only HTTP Basic credentials are accepted"
                              : "this endpoint needs credentials (HTTP Basic)"));
                }
                String name = basic.get().username();
                return onComplete(
                    () -> auth.authenticate(name, basic.get().password()),
                    result -> {
                      if (result.isFailure()) {
                        // the checking threads are gone: the node is stopping
                        overloaded.increment();
                        return complete(overloaded());
                      }
                      Authenticator.Result answer = result.get();
                      if (answer instanceof Authenticator.Result.Overloaded) {
                        overloaded.increment();
                        return complete(overloaded());
                      }
                      if (!(answer instanceof Authenticator.Result.Authenticated authenticated)) {
                        unauthorized.increment();
                        return complete(unauthorized("unknown user or wrong password"));
                      }
                      User user = authenticated.user();
                      if (!needed.grantedTo(user.roles())) {
                        forbidden.increment();
                        return complete(forbidden(user, needed, request));
                      }
                      if (needed == Access.ADMIN && !isRead(request)) {
                        // the connection's peer, not X-Forwarded-For (which any client may send)
                        String from =
                            request
                                .getAttribute(AttributeKeys.remoteAddress)
                                .flatMap(RemoteAddress::getAddress)
                                .map(InetAddress::getHostAddress)
                                .orElse("unknown");
                        LOG.info(
                            "{} {} by user '{}' from {}",
                            request.method().value(),
                            LogText.escape(request.getUri().path()),
                            user.name(),
                            from);
                      }
                      return inner.get();
                    });
              });
        });
  }

  private static Optional<BasicHttpCredentials> basic(HttpCredentials credentials) {
    return credentials instanceof BasicHttpCredentials b ? Optional.of(b) : Optional.empty();
  }

  private static boolean isRead(HttpRequest request) {
    String method = request.method().value();
    return method.equals("GET") || method.equals("HEAD");
  }

  private HttpResponse unauthorized(String message) {
    return Json.response(StatusCodes.UNAUTHORIZED, new Dto.Error("unauthorized", message))
        .addHeader(
            WWWAuthenticate.create(
                HttpChallenge.create("Basic", realm, Map.of("charset", "UTF-8"))));
  }

  private static HttpResponse forbidden(User user, Access needed, HttpRequest request) {
    String granting =
        needed.grantedBy().stream().map(Role::label).collect(Collectors.joining(", "));
    String held = user.roles().stream().map(Role::label).sorted().collect(Collectors.joining(", "));
    return Json.response(
        StatusCodes.FORBIDDEN,
        new Dto.Error(
            "forbidden",
            "user '"
                + user.name()
                + "' has role(s) ["
                + held
                + "]; "
                + request.method().value()
                + " "
                + request.getUri().path()
                + " needs one of ["
                + granting
                + "]"));
  }

  private static HttpResponse overloaded() {
    return Json.response(
            StatusCodes.SERVICE_UNAVAILABLE,
            new Dto.Error("overloaded", "too many credential checks in progress; retry shortly"))
        .addHeader(RetryAfter.create(1L));
  }
}
