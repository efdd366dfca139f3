package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;

import io.ringstore.antientropy.AntiEntropyStatus;
import io.ringstore.client.RingstoreClient;
import io.ringstore.cluster.NodeAddress;
import io.ringstore.cluster.RingView;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.handoff.HintManager;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.transfer.NodeLeave;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * The HTTP gateway (DESIGN.md's HTTP API): key-value routes, operations routes and health, with
 * JSON errors for everything that goes wrong, bound with Pekko HTTP.
 */
public final class HttpGateway {
  private HttpGateway() {}

  public static Route routes(
      ActorSystem<?> system,
      RingstoreClient client,
      ReplicaDirectory directory,
      NodeReadiness readiness,
      AntiEntropyStatus antiEntropy,
      CompletionStage<ActorRef<HintManager.Command>> hintManager,
      StoreView storeView,
      RingView ringView,
      ActorRef<NodeLeave.Command> leave,
      AccessControl access,
      BrowserGuard browsers,
      GatewayConnections connections,
      ReplicaActivity activity) {
    RequestTracking tracking = new RequestTracking();
    Cluster cluster = Cluster.get(Adapter.toClassic(system));
    InFlightBytes inFlight =
        new InFlightBytes(
            client.settings().requests().maxInFlightBytes(),
            client.settings().requests().maxValueBytes());
    Route all =
        concat(
            new KvRoutes(client, readiness::hasBeenReady, inFlight).route(),
            new SettingsRoutes(client.settings()).route(),
            new MoveRoutes(system, cluster, ringView, leave).route(),
            new ConsoleRoutes(system, cluster).route(),
            new AdminRoutes(
                    system,
                    cluster,
                    directory,
                    client,
                    readiness,
                    antiEntropy,
                    hintManager,
                    storeView)
                .route(),
            new MetricsRoutes(
                    system,
                    cluster,
                    client.metrics(),
                    readiness,
                    antiEntropy,
                    hintManager,
                    storeView,
                    access,
                    browsers,
                    tracking,
                    inFlight,
                    connections,
                    client.peerBytes(),
                    activity)
                .route(),
            new DocsRoutes().route());
    // Exception, not RuntimeException: a failed future may carry a checked one (fatal errors are
    // left to Pekko)
    ExceptionHandler errors =
        ExceptionHandler.newBuilder()
            .match(
                Exception.class,
                e -> RequestTracking.withId(id -> complete(HttpErrors.fromThrowable(e, id))))
            .build();
    RejectionHandler rejections =
        RejectionHandler.defaultHandler().mapRejectionResponse(HttpGateway::jsonRejection);
    return tracking.track(
        () ->
            handleRejections(
                rejections,
                () ->
                    handleExceptions(
                        errors,
                        () ->
                            extractRequest(
                                request ->
                                    malformedEntityHeader(request)
                                        .map(name -> complete(malformedHeader(name)))
                                        .orElse(
                                            browsers.protect(() -> access.protect(() -> all)))))));
  }

  /**
   * The name of a {@code Content-Length}, {@code Transfer-Encoding} or {@code Content-Type} header
   * that Pekko could not parse. Pekko keeps such a header as a raw one and frames the request as if
   * it were absent (an empty body): a {@code PUT} with {@code Content-Length: abc} or {@code
   * Transfer-Encoding: chunked;q=1} would store an empty value, and its body would be read as the
   * next request on the connection. ({@code Content-Length: 3 4} is not one of these: Pekko reads
   * it as 34 and waits for the body, answered 408 after the body timeout.) The parsed headers of
   * these names never appear among the request's headers (they live in its entity). (A header with
   * an empty value, such as {@code Content-Length: }, Pekko drops before any route sees it: that
   * request is one without the header, which HTTP allows.)
   */
  private static Optional<String> malformedEntityHeader(HttpRequest request) {
    for (HttpHeader header : request.getHeaders()) {
      String name = header.lowercaseName();
      if (name.equals("content-length")
          || name.equals("transfer-encoding")
          || name.equals("content-type")) {
        return Optional.of(header.name());
      }
    }
    return Optional.empty();
  }

  /** 400 for a malformed framing header; the connection is closed (its framing is unknown). */
  private static HttpResponse malformedHeader(String name) {
    return Json.response(
            StatusCodes.BAD_REQUEST,
            new Dto.Error("bad_request", "the " + name + " header is malformed"))
        .addHeader(Connection.create("close"));
  }

  /**
   * A rejection's response with the API's JSON error body (its status and headers, e.g. Allow,
   * kept).
   */
  private static HttpResponse jsonRejection(HttpResponse response) {
    if (response.status().intValue() == 404) {
      return Json.response(StatusCodes.NOT_FOUND, new Dto.Error("no_route", "no such endpoint"));
    }
    // Pekko's rejection texts; one that would show internals (a malformed-content rejection quotes
    // its exception) becomes the status's reason
    String message =
        HttpErrors.clean(
            response.entity() instanceof HttpEntity.Strict strict
                ? strict.getData().utf8String()
                : null,
            response.status().reason());
    HttpResponse json =
        Json.response(
            response.status(),
            new Dto.Error(JsonParsingErrorHandler.errorName(response.status()), message));
    return response.withEntity(json.entity());
  }

  /**
   * Loads and initializes, on a thread of its own, what serving a first request needs (the HTTP
   * extension, the JSON mapper and the DTOs), while the node opens its storage and joins: on a busy
   * machine a restarted node's first answers took seconds longer than its binding.
   */
  public static void warmUp(ActorSystem<?> system) {
    Thread warmUp =
        new Thread(
            () -> {
              try {
                Http.get(system);
                Json.response(StatusCodes.OK, new Dto.Health("starting", "", ""));
                KvResponses.badRequest("warm-up");
              } catch (RuntimeException e) {
                system.log().debug("HTTP warm-up failed (harmless): {}", e.toString());
              }
            },
            "ringstore-http-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
  }

  /**
   * Binds the gateway; completes when it listens (then the node reports ready once Up). Connections
   * are admitted one by one within {@code ringstore.http}'s caps and request-head deadline ({@link
   * ConnectionGuard}); with {@code management-port} set, a second listener serves {@code /health/*}
   * and {@code /metrics} only, with caps of its own, so monitoring is answered while the data port
   * is saturated.
   */
  public static CompletionStage<Tcp.ServerBinding> start(
      ActorSystem<?> system,
      RingstoreSettings settings,
      RingstoreClient client,
      ReplicaDirectory directory,
      NodeReadiness readiness,
      AntiEntropyStatus antiEntropy,
      CompletionStage<ActorRef<HintManager.Command>> hintManager,
      StoreView storeView,
      RingView ringView,
      ActorRef<NodeLeave.Command> leave,
      ReplicaActivity activity) {
    AccessControl access = AccessControl.start(system, settings.http().auth());
    RingstoreSettings.ConnectionSettings limits = settings.http().connections();
    GatewayConnections connections = new GatewayConnections();
    Route route =
        routes(
            system,
            client,
            directory,
            readiness,
            antiEntropy,
            hintManager,
            storeView,
            ringView,
            leave,
            access,
            new BrowserGuard(settings.http()),
            connections,
            activity);
    CompletionStage<Tcp.ServerBinding> api =
        ConnectionGuard.bind(
            system,
            listener(system, settings, GatewayConnections.API, settings.http().port()),
            route.flow(system),
            connections.register(
                GatewayConnections.API,
                new ConnectionLimits(limits.maxPerAddress(), limits.maxTotal())),
            limits.headTimeout());
    if (limits.managementPort() >= 0) {
      ConnectionGuard.bind(
              system,
              listener(system, settings, GatewayConnections.MANAGEMENT, limits.managementPort()),
              managementOnly(route).flow(system),
              connections.register(
                  GatewayConnections.MANAGEMENT,
                  new ConnectionLimits(
                      Math.min(limits.maxPerAddress(), MANAGEMENT_MAX_CONNECTIONS),
                      MANAGEMENT_MAX_CONNECTIONS)),
              limits.headTimeout())
          .whenCompleteAsync(
              (binding, failure) -> {
                if (failure != null) {
                  system
                      .log()
                      .error(
                          "HTTP management listener could not bind port {}: {}",
                          limits.managementPort(),
                          failure.toString());
                } else {
                  system
                      .log()
                      .info(
                          "HTTP management listener (/health, /metrics) on {} ({})",
                          binding.localAddress(),
                          settings.http().scheme());
                }
              },
              Stages.SAME_THREAD);
    }
    return api.thenApplyAsync(
        binding -> {
          readiness.serving();
          system.systemActorOf(
              NodeStats.create(
                  NodeAddress.of(cluster(system).selfAddress()),
                  consoleUrl(settings, system, binding.localAddress().getPort()),
                  client.metrics(),
                  storeView),
              "node-stats",
              Props.empty());
          system
              .log()
              .info(
                  "HTTP gateway listening on {} ({}; at most {} connections, {} per client"
                      + " address; request heads within {})",
                  binding.localAddress(),
                  settings.http().scheme(),
                  limits.maxTotal(),
                  limits.maxPerAddress(),
                  limits.headTimeout());
          return binding;
        },
        Stages.SAME_THREAD);
  }

  /**
   * This node's web console as other nodes' consoles link to it: the configured host (the cluster
   * address's host when that is a wildcard address) and the bound port.
   */
  private static String consoleUrl(RingstoreSettings settings, ActorSystem<?> system, int port) {
    String host = settings.http().host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = cluster(system).selfAddress().getHost().orElse("127.0.0.1");
    }
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return settings.http().scheme() + "://" + host + ":" + port + "/ui";
  }

  private static Cluster cluster(ActorSystem<?> system) {
    return Cluster.get(Adapter.toClassic(system));
  }

  /** Connections the management listener holds at once (monitoring needs few). */
  static final int MANAGEMENT_MAX_CONNECTIONS = 64;

  /** {@code route} for {@code /health/*} and {@code /metrics} only; anything else is a JSON 404. */
  private static Route managementOnly(Route route) {
    return extractRequest(
        request -> {
          String path = request.getUri().path();
          return path.equals("/metrics") || path.startsWith("/health/")
              ? route
              : complete(
                  Json.response(
                      StatusCodes.NOT_FOUND,
                      new Dto.Error("no_route", "this port serves only /health/* and /metrics")));
        });
  }

  /**
   * The listener {@code name} on {@code port} of the gateway's host, with its TLS and Pekko's
   * server settings ({@code pekko.http.server}) adapted for the gateway.
   */
  private static ConnectionGuard.Listener listener(
      ActorSystem<?> system, RingstoreSettings settings, String name, int port) {
    Optional<Supplier<SSLEngine>> engines = Optional.empty();
    if (settings.http().tls().enabled()) {
      // the same keys as Artery's tls-tcp; the keystore was checked when the settings were built
      var tls = settings.http().tls();
      SSLContext context = tls.serverContext();
      engines =
          Optional.of(
              () -> {
                SSLEngine engine = context.createSSLEngine();
                engine.setUseClientMode(false);
                engine.setEnabledProtocols(tls.protocols().toArray(String[]::new));
                return engine;
              });
    }
    // KvRoutes and AdminRoutes read the key from the raw target: Pekko's parsed path has
    // replaced invalid UTF-8 with U+FFFD, which would turn a bad key into a guessed one.
    // the peer's address as a request attribute: for the log of admin changes (AccessControl)
    ServerSettings server =
        ((ServerSettings) ServerSettings.apply(system.classicSystem()))
            .withRawRequestUriHeader(true)
            .withRemoteAddressAttribute(true)
            .withParsingErrorHandler(JsonParsingErrorHandler.class.getName());
    return new ConnectionGuard.Listener(name, settings.http().host(), port, engines, server);
  }
}
