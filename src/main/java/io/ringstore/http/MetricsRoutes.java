package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.ringstore.antientropy.AntiEntropyStatus;
import io.ringstore.coordinator.PeerBytes;
import io.ringstore.coordinator.RequestMetrics;
import io.ringstore.handoff.HintManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: this node's {@link NodeMetrics} registry, in OpenMetrics when the scraper's
 * {@code Accept} asks for {@code application/openmetrics-text}, else in Prometheus's text format
 * 0.0.4. Requests by operation and outcome with their latency histogram, read repairs and hinted
 * writes; readiness and cluster membership; queued and delivered hints; anti-entropy exchanges and
 * repairs; tombstones waiting to be reaped; RocksDB's size estimates; the JVM.
 *
 * <p>The hint and storage figures are fetched on each scrape (an ask to the hint manager, a call on
 * the storage dispatcher) before the registry is scraped, each bounded by a timeout; one that does
 * not answer is left out and {@code ringstore_metrics_source_up{source}} says so with 0 rather than
 * reporting a stale or zero value.
 */
final class MetricsRoutes {
  private static final Duration SOURCE_TIMEOUT = Duration.ofSeconds(3);
  private static final ContentType.WithCharset TEXT_FORMAT =
      MediaTypes.customWithOpenCharset("text", "plain", Map.of("version", "0.0.4"), false)
          .toContentType(HttpCharsets.UTF_8);
  private static final ContentType.WithCharset OPEN_METRICS =
      MediaTypes.customWithOpenCharset(
              "application", "openmetrics-text", Map.of("version", "1.0.0"), false)
          .toContentType(HttpCharsets.UTF_8);

  private final ActorSystem<?> system;
  private final CompletionStage<ActorRef<HintManager.Command>> hintManager;
  private final StoreView storeView;
  private final NodeMetrics metrics;
  private final PrometheusTextFormatWriter textFormat = PrometheusTextFormatWriter.create();
  private final OpenMetricsTextFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

  MetricsRoutes(
      ActorSystem<?> system,
      Cluster cluster,
      RequestMetrics requests,
      NodeReadiness readiness,
      AntiEntropyStatus antiEntropy,
      CompletionStage<ActorRef<HintManager.Command>> hintManager,
      StoreView storeView,
      AccessControl access,
      BrowserGuard browsers,
      RequestTracking tracking,
      InFlightBytes inFlight,
      GatewayConnections connections,
      PeerBytes peerBytes,
      ReplicaActivity activity) {
    this.system = system;
    this.hintManager = hintManager;
    this.storeView = storeView;
    this.metrics =
        new NodeMetrics(
            cluster,
            requests,
            readiness,
            antiEntropy,
            storeView,
            access,
            browsers,
            tracking,
            inFlight,
            connections,
            peerBytes,
            activity);
  }

  Route route() {
    return path(
        "metrics",
        () ->
            get(
                () ->
                    optionalHeaderValueByName(
                        "Accept", accept -> completeWithFuture(render(accept.orElse(null))))));
  }

  private CompletionStage<HttpResponse> render(String accept) {
    boolean open = openMetrics.accepts(accept);
    ExpositionFormatWriter writer = open ? openMetrics : textFormat;
    ContentType.WithCharset contentType = open ? OPEN_METRICS : TEXT_FORMAT;
    // an explicit executor throughout: the non-async callbacks of Pekko's ask stage would run on
    // the common pool (on small machines, a new thread per call)
    Executor executor = system.executionContext();
    CompletableFuture<Optional<HintManager.AllHintStats>> hints =
        optional(
            hintManager.thenComposeAsync(
                manager ->
                    AskPattern.<HintManager.Command, HintManager.AllHintStats>ask(
                        manager, HintManager.GetAllStats::new, SOURCE_TIMEOUT, system.scheduler()),
                executor),
            executor);
    CompletableFuture<Optional<long[]>> tombstones =
        optional(storeView.pendingTombstones(), executor);
    CompletableFuture<Optional<Map<String, Long>>> storage =
        optional(storeView.storageStatistics(), executor);
    return CompletableFuture.allOf(hints, tombstones, storage)
        .handleAsync(
            (done, failure) -> {
              NodeMetrics.Gathered gathered =
                  new NodeMetrics.Gathered(hints.join(), tombstones.join(), storage.join());
              ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
              try {
                writer.write(out, metrics.scrape(gathered));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              return HttpResponse.create()
                  .withStatus(StatusCodes.OK)
                  .withEntity(HttpEntities.create(contentType, out.toByteArray()));
            },
            executor);
  }

  /** The value, or empty when the source failed or did not answer within its timeout. */
  private static <T> CompletableFuture<Optional<T>> optional(
      CompletionStage<T> source, Executor executor) {
    return source
        .toCompletableFuture()
        .orTimeout(SOURCE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .handleAsync(
            (value, failure) -> failure == null ? Optional.ofNullable(value) : Optional.<T>empty(),
            executor);
  }
}
