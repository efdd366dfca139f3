package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResource;
import static org.apache.pekko.http.javadsl.server.Directives.onComplete;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import io.ringstore.cluster.NodeAddress;
import io.ringstore.coordinator.LatencyQuantiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web console: {@code GET /ui} (a page of plain HTML, CSS and JavaScript from the jar's {@code
 * ui/} resources, with uPlot from its webjar; no external links) and {@code GET /admin/stats},
 * every data node's request counts, latency histogram and storage size, collected from each node's
 * {@link NodeStats} with a timeout (a node that does not answer is listed with an error).
 */
final class ConsoleRoutes {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);
  private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
  private static final ContentType HTML = MediaTypes.TEXT_HTML.toContentType(HttpCharsets.UTF_8);
  private static final ContentType JS =
      MediaTypes.APPLICATION_JAVASCRIPT.toContentType(HttpCharsets.UTF_8);
  private static final ContentType CSS = MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8);

  /** Only this node's own scripts, styles and endpoints; no framing by other sites. */
  private static final List<HttpHeader> PAGE_HEADERS =
      List.of(
          RawHeader.create(
              "Content-Security-Policy",
              "default-src 'self'; style-src 'self' "
                  + "'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'"),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Cache-Control", "no-cache"));

  private final ActorSystem<?> system;
  private final Cluster cluster;

  ConsoleRoutes(ActorSystem<?> system, Cluster cluster) {
    this.system = system;
    this.cluster = cluster;
  }

  Route route() {
    return get(
        () ->
            concat(
                pathPrefix("admin", () -> path("stats", this::statsRoute)),
                pathPrefix(
                    "ui",
                    () ->
                        respondWithHeaders(
                            PAGE_HEADERS,
                            () ->
                                concat(
                                    pathEndOrSingleSlash(
                                        () -> getFromResource("ui/index.html", HTML)),
                                    path("console.js", () -> getFromResource("ui/console.js", JS)),
                                    path(
                                        "console.css",
                                        () -> getFromResource("ui/console.css", CSS)),
                                    path(
                                        "uPlot.iife.min.js",
                                        () -> getFromResource(UPLOT + "uPlot.iife.min.js", JS)),
                                    path(
                                        "uPlot.min.css",
                                        () -> getFromResource(UPLOT + "uPlot.min.css", CSS)))))));
  }

  private Route statsRoute() {
    return RequestTracking.withId(
        id ->
            onComplete(
                collect(),
                result ->
                    complete(
                        result.isSuccess()
                            ? Json.response(StatusCodes.OK, result.get())
                            : HttpErrors.fromThrowable(result.failed().get(), id))));
  }

  private CompletionStage<StatsView> collect() {
    CompletionStage<Receptionist.Listing> listing =
        AskPattern.ask(
            system.receptionist(),
            replyTo -> Receptionist.find(NodeStats.KEY, replyTo),
            ASK_TIMEOUT,
            system.scheduler());
    // explicit executors, as in MoveRoutes: Pekko's ask stages would run callbacks on the common
    // pool
    Executor executor = system.executionContext();
    return listing.thenComposeAsync(
        l -> {
          Set<ActorRef<NodeStats.Command>> reporters = l.getServiceInstances(NodeStats.KEY);
          List<CompletableFuture<NodeView>> asks = new ArrayList<>();
          for (ActorRef<NodeStats.Command> reporter : reporters) {
            asks.add(
                AskPattern.<NodeStats.Command, NodeStats.Stats>ask(
                        reporter, NodeStats.GetStats::new, ASK_TIMEOUT, system.scheduler())
                    .toCompletableFuture()
                    .handleAsync(
                        (stats, e) ->
                            e == null ? NodeView.of(stats) : NodeView.missing(nodeOf(reporter)),
                        executor));
          }
          return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
              .thenApplyAsync(
                  v ->
                      new StatsView(
                          NodeAddress.of(cluster.selfAddress()),
                          asks.stream()
                              .map(CompletableFuture::join)
                              .sorted(Comparator.comparing(NodeView::node))
                              .toList()),
                  Stages.SAME_THREAD);
        },
        executor);
  }

  private String nodeOf(ActorRef<?> ref) {
    var address = ref.path().address();
    return NodeAddress.of(address.hasLocalScope() ? cluster.selfAddress() : address);
  }

  /** {@code GET /admin/stats}: every data node that answered (or did not), by node. */
  record StatsView(String self, List<NodeView> nodes) {}

  /**
   * One node in {@code /admin/stats}: {@code requests} counts by operation and outcome since it
   * started; {@code latency} the request-duration histogram; {@code p50Seconds}/{@code p99Seconds}
   * over every request since it started (null before the first); {@code storageBytes} SST files
   * plus memtables; {@code error} when the node did not answer in time (everything else null).
   */
  record NodeView(
      String node,
      String console,
      Long uptimeSeconds,
      Map<String, Map<String, Long>> requests,
      Long requestsTotal,
      Latency latency,
      Double p50Seconds,
      Double p99Seconds,
      Long storageBytes,
      Map<String, Long> storage,
      String error) {
    static NodeView of(NodeStats.Stats stats) {
      double[] bounds =
          stats.latencyBoundsSeconds().stream().mapToDouble(Double::doubleValue).toArray();
      List<Long> all = new ArrayList<>();
      for (int i = 0; i <= bounds.length; i++) {
        final int bucket = i;
        all.add(stats.latencyBuckets().values().stream().mapToLong(b -> b.get(bucket)).sum());
      }
      long total =
          stats.requests().values().stream()
              .flatMap(m -> m.values().stream())
              .mapToLong(Long::longValue)
              .sum();
      Long storageBytes =
          stats.storageError() != null
              ? null
              : stats.storage().getOrDefault("sst_bytes", 0L)
                  + stats.storage().getOrDefault("memtable_bytes", 0L);
      return new NodeView(
          stats.node(),
          stats.console(),
          stats.uptimeMillis() / 1000,
          stats.requests(),
          total,
          new Latency(stats.latencyBoundsSeconds(), new LinkedHashMap<>(stats.latencyBuckets())),
          LatencyQuantiles.quantile(0.5, bounds, all),
          LatencyQuantiles.quantile(0.99, bounds, all),
          storageBytes,
          stats.storage(),
          stats.storageError());
    }

    static NodeView missing(String node) {
      return new NodeView(
          node,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          "no answer within " + ASK_TIMEOUT.toSeconds() + " s");
    }
  }

  /** Cumulative request counts under each bound (seconds) and, last, of all, per operation. */
  record Latency(List<Double> boundsSeconds, Map<String, List<Long>> buckets) {}
}
