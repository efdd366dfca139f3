package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import io.ringstore.antientropy.AntiEntropyStatus;
import io.ringstore.coordinator.PeerBytes;
import io.ringstore.coordinator.RequestMetrics;
import io.ringstore.handoff.HintManager;
import io.ringstore.handoff.HintStore;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: this node in Prometheus's text format. Requests by operation and outcome
 * with their latency histogram, read repairs and hinted writes (from {@link RequestMetrics});
 * readiness and cluster membership; queued and delivered hints; anti-entropy exchanges and repairs;
 * tombstones waiting to be reaped; RocksDB's size estimates; heap, threads, GC and uptime.
 *
 * <p>The hint and storage figures are fetched on each scrape (an ask to the hint manager, a call on
 * the storage dispatcher), each bounded by a timeout; one that does not answer is left out and
 * {@code ringstore_metrics_source_up{source}} says so with 0 rather than reporting a stale or zero
 * value.
 */
final class MetricsRoutes {
  private static final Duration SOURCE_TIMEOUT = Duration.ofSeconds(3);
  private static final ContentType.WithCharset TEXT_FORMAT = MediaTypes.customWithOpenCharset(
      "text", "plain", Map.of("version", "0.0.4"), false).toContentType(HttpCharsets.UTF_8);

  private final ActorSystem<?> system;
  private final Cluster cluster;
  private final RequestMetrics requests;
  private final NodeReadiness readiness;
  private final AntiEntropyStatus antiEntropy;
  private final CompletionStage<ActorRef<HintManager.Command>> hintManager;
  private final StoreView storeView;
  private final AccessControl access;
  private final BrowserGuard browsers;
  private final RequestTracking tracking;
  private final InFlightBytes inFlight;
  private final GatewayConnections connections;
  private final PeerBytes peerBytes;

  MetricsRoutes(ActorSystem<?> system, Cluster cluster, RequestMetrics requests,
      NodeReadiness readiness, AntiEntropyStatus antiEntropy,
      CompletionStage<ActorRef<HintManager.Command>> hintManager, StoreView storeView,
      AccessControl access, BrowserGuard browsers, RequestTracking tracking,
      InFlightBytes inFlight, GatewayConnections connections, PeerBytes peerBytes) {
    this.system = system;
    this.cluster = cluster;
    this.requests = requests;
    this.readiness = readiness;
    this.antiEntropy = antiEntropy;
    this.hintManager = hintManager;
    this.storeView = storeView;
    this.access = access;
    this.browsers = browsers;
    this.tracking = tracking;
    this.inFlight = inFlight;
    this.connections = connections;
    this.peerBytes = peerBytes;
  }

  Route route() {
    return path("metrics", () -> get(() -> completeWithFuture(render())));
  }

  private CompletionStage<HttpResponse> render() {
    // an explicit executor throughout: the non-async callbacks of Pekko's ask stage would run on
    // the common pool (on small machines, a new thread per call)
    Executor executor = system.executionContext();
    CompletableFuture<Optional<HintManager.AllHintStats>> hints = optional(hintManager
        .thenComposeAsync(manager -> AskPattern.<HintManager.Command, HintManager.AllHintStats>ask(
            manager, HintManager.GetAllStats::new, SOURCE_TIMEOUT, system.scheduler()), executor),
        executor);
    CompletableFuture<Optional<long[]>> tombstones =
        optional(storeView.pendingTombstones(), executor);
    CompletableFuture<Optional<Map<String, Long>>> storage =
        optional(storeView.storageStatistics(), executor);
    return CompletableFuture.allOf(hints, tombstones, storage).handleAsync((done, failure) -> {
      PrometheusText text = new PrometheusText();
      writeRequests(text, requests.snapshot());
      writeNode(text);
      writeAccess(text);
      writeResponses(text);
      writeShedding(text);
      writeConnections(text);
      writeHints(text, hints.join());
      writeAntiEntropy(text, tombstones.join());
      writeStorage(text, storage.join());
      writeRepairs(text, storeView.repairCounts());
      writeSources(text, hints.join().isPresent(), tombstones.join().isPresent(),
          storage.join().isPresent());
      writeJvm(text);
      return HttpResponse.create().withStatus(StatusCodes.OK)
          .withEntity(HttpEntities.create(TEXT_FORMAT, text.text()));
    }, executor);
  }

  /** The value, or empty when the source failed or did not answer within its timeout. */
  private static <T> CompletableFuture<Optional<T>> optional(
      CompletionStage<T> source, Executor executor) {
    return source.toCompletableFuture()
        .orTimeout(SOURCE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .handleAsync((value, failure) -> failure == null
            ? Optional.ofNullable(value) : Optional.<T>empty(), executor);
  }

  private static void writeRequests(PrometheusText text, RequestMetrics.Snapshot snapshot) {
    text.family("ringstore_requests_total", "counter",
        "Requests this node coordinated (HTTP /kv and the Java client), by operation and outcome: "
            + "ok (200/204), not_found (404), siblings (300), unavailable (503), rejected (4xx), "
            + "error (500).");
    snapshot.operations().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(op ->
        op.getValue().outcomes().entrySet().stream().sorted(Map.Entry.comparingByKey())
            .filter(outcome -> outcome.getKey().appliesTo(op.getKey()))
            .forEach(outcome -> text.sample("ringstore_requests_total", outcome.getValue(),
                "op", op.getKey().label(), "outcome", outcome.getKey().label())));
    text.family("ringstore_request_duration_seconds", "histogram",
        "Time from a request's arrival to its answer, by operation (rejected requests count as 0).");
    double[] bounds = RequestMetrics.bucketBoundsSeconds();
    snapshot.operations().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(op -> {
      String label = op.getKey().label();
      long[] cumulative = op.getValue().cumulativeBuckets();
      for (int b = 0; b < bounds.length; b++) {
        text.sample("ringstore_request_duration_seconds_bucket", cumulative[b],
            "op", label, "le", PrometheusText.format(bounds[b]));
      }
      text.sample("ringstore_request_duration_seconds_bucket", op.getValue().count(),
          "op", label, "le", "+Inf");
      text.sample("ringstore_request_duration_seconds_sum", op.getValue().sumSeconds(), "op", label);
      text.sample("ringstore_request_duration_seconds_count", op.getValue().count(), "op", label);
    });
    text.single("ringstore_read_repairs_total", "counter",
        "Replicas a read found behind and sent the merged object to.",
        snapshot.replicasReadRepaired());
    text.single("ringstore_hinted_writes_total", "counter",
        "Acknowledged writes that left a hint for a replica that did not ack in time.",
        snapshot.writesWithHints());
    text.single("ringstore_sloppy_writes_total", "counter",
        "Acknowledged writes whose hints counted toward W (sloppy quorum).",
        snapshot.sloppyWrites());
    text.family("ringstore_writes_refused_total", "counter",
        "Writes and deletes refused with nothing stored, by reason: bad_request (400, e.g. a context"
            + " no replica holds), too_many_siblings (409), object_too_large (413, the key's object"
            + " would pass ringstore.requests.max-object-size).");
    snapshot.writesRefused().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(kind ->
        text.sample("ringstore_writes_refused_total", kind.getValue(),
            "reason", kind.getKey().name().toLowerCase(java.util.Locale.ROOT)));
  }

  private void writeAccess(PrometheusText text) {
    text.family("ringstore_http_refused_total", "counter",
        "HTTP requests refused before any route ran: foreign_host (421, a Host that is not a name "
            + "of this node, authentication off), foreign_origin (403, a change from another "
            + "origin's web page); with authentication on also unauthorized (401, no or wrong "
            + "credentials), forbidden (403, a role short), overloaded (503, credential checks "
            + "saturated).");
    TreeMap<String, Long> refusals = new TreeMap<>(browsers.refusals());
    if (access.enabled()) {
      refusals.putAll(access.refusals());
    }
    refusals.forEach((reason, count) ->
        text.sample("ringstore_http_refused_total", count, "reason", reason));
  }

  private void writeResponses(PrometheusText text) {
    text.family("ringstore_http_responses_total", "counter",
        "HTTP requests this node answered, by route (kv, admin, metrics, health, other) and status "
            + "code, refusals and errors included (requests Pekko could not parse are not counted).");
    tracking.responses().forEach((route, codes) -> codes.forEach((code, count) ->
        text.sample("ringstore_http_responses_total", count, "route", route,
            "code", Integer.toString(code))));
  }

  private void writeShedding(PrometheusText text) {
    text.single("ringstore_http_shed_total", "counter",
        "PUT requests answered 503 overloaded (Retry-After: 1) because their bodies would pass "
            + "ringstore.requests.max-in-flight-bytes (since the node started).", inFlight.shed());
    text.single("ringstore_http_in_flight_bytes", "gauge",
        "Bytes of PUT bodies this node's gateway holds now (counted by Content-Length).",
        inFlight.usedBytes());
    text.single("ringstore_http_max_in_flight_bytes", "gauge",
        "The bound on them (ringstore.requests.max-in-flight-bytes).", inFlight.maxBytes());
    text.single("ringstore_peer_sends_refused_total", "counter",
        "Replica messages (CoordinatePut, Replicate, StoreHint) not sent because the bytes queued to"
            + " their peer node would pass ringstore.requests.max-bytes-queued-per-peer (since the"
            + " node started); the replica counted as not acked.", peerBytes.refusals());
    text.single("ringstore_peer_queued_bytes", "gauge",
        "Bytes of replica messages sent to peer nodes and not yet confirmed received, all peers.",
        peerBytes.outstandingTotal());
  }

  private void writeConnections(PrometheusText text) {
    Map<String, ConnectionLimits> listeners = connections.listeners();
    text.family("ringstore_http_connections_open", "gauge",
        "HTTP connections open now, by listener (api, management).");
    listeners.forEach((listener, limits) ->
        text.sample("ringstore_http_connections_open", limits.openTotal(), "listener", listener));
    text.family("ringstore_http_connections_refused_total", "counter",
        "HTTP connections closed without being served, by reason and listener: per_address (the "
            + "client address held max-connections-per-address), total (the listener held "
            + "max-connections), head_timeout (no complete request head within "
            + "request-head-timeout of the connection's opening or of the head's first byte).");
    listeners.forEach((listener, limits) -> limits.refusals().forEach((reason, count) ->
        text.sample("ringstore_http_connections_refused_total", count, "reason", reason,
            "listener", listener)));
  }

  private void writeNode(PrometheusText text) {
    text.single("ringstore_node_ready", "gauge",
        "1 when /health/ready answers 200 (Up, replica region registered, HTTP serving).",
        readiness.isReady() ? 1 : 0);
    ClusterEvent.CurrentClusterState state = cluster.state();
    Map<String, Integer> byStatus = new TreeMap<>();
    for (Member member : state.getMembers()) {
      byStatus.merge(member.status().toString().toLowerCase(Locale.ROOT), 1, Integer::sum);
    }
    text.family("ringstore_cluster_members", "gauge",
        "Cluster members this node sees, by membership status.");
    byStatus.forEach((status, count) ->
        text.sample("ringstore_cluster_members", count, "status", status));
    text.single("ringstore_cluster_unreachable_members", "gauge",
        "Members this node's failure detector marks unreachable.", state.getUnreachable().size());
  }

  private static void writeHints(
      PrometheusText text, Optional<HintManager.AllHintStats> answer) {
    if (answer.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    long queued = 0;
    long delivered = 0;
    long dropped = 0;
    long expired = 0;
    long lost = 0;
    long oldest = -1;
    for (HintStore.HintStats target : answer.get().targets()) {
      queued += target.queued();
      delivered += target.delivered();
      dropped += target.dropped();
      expired += target.expired();
      lost += target.lost();
      if (target.oldestCreatedAtMillis() >= 0
          && (oldest < 0 || target.oldestCreatedAtMillis() < oldest)) {
        oldest = target.oldestCreatedAtMillis();
      }
    }
    text.single("ringstore_hints_queued", "gauge",
        "Hints this node holds for replicas elsewhere, not yet delivered.", queued);
    text.single("ringstore_hints_oldest_age_seconds", "gauge",
        "Age of the oldest queued hint (0 when none).", oldest < 0 ? 0 : (now - oldest) / 1000.0);
    text.single("ringstore_hints_delivered_total", "counter",
        "Hints delivered and acked (since each hint store started).", delivered);
    text.single("ringstore_hints_dropped_total", "counter",
        "Hints refused because a hint store was full (since each store started).", dropped);
    text.single("ringstore_hints_lost_total", "counter",
        "Queued hints dropped because their value was missing or damaged on disk (logged at ERROR;"
            + " anti-entropy repairs their keys).", lost);
    text.family("ringstore_hints_refused_total", "counter",
        "Hints this node refused: budget (their bytes would pass max-hint-bytes or "
            + "max-hint-bytes-per-target; since the node started), full (max-hints-per-target).");
    text.sample("ringstore_hints_refused_total", answer.get().refusedBudget(), "reason", "budget");
    text.sample("ringstore_hints_refused_total", dropped, "reason", "full");
    text.single("ringstore_hints_bytes", "gauge",
        "Bytes of the hints this node holds (their stored objects, on disk).",
        answer.get().usedBytes());
    text.single("ringstore_hints_budget_bytes", "gauge",
        "This node's hint budget in bytes (ringstore.handoff.max-hint-bytes).",
        answer.get().budgetBytes());
    text.single("ringstore_hints_expired_total", "counter",
        "Hints dropped after their time to live (anti-entropy repairs those keys).", expired);
    text.single("ringstore_hint_stores_unanswered", "gauge",
        "Hint stores that did not report in time for this scrape.", answer.get().missing());
  }

  private void writeAntiEntropy(PrometheusText text, Optional<long[]> tombstones) {
    text.single("ringstore_anti_entropy_exchanges_total", "counter",
        "Tree exchanges this node's replicas ran with their peers.", antiEntropy.totalExchanges());
    text.single("ringstore_anti_entropy_keys_repaired_total", "counter",
        "Keys anti-entropy exchanges found different and repaired.",
        antiEntropy.totalKeysRepaired());
    tombstones.ifPresent(pending -> {
      text.single("ringstore_tombstones_pending", "gauge",
          "Tombstones every replica acked, waiting for their grace period before removal.",
          pending[0]);
    });
  }

  private static void writeStorage(PrometheusText text, Optional<Map<String, Long>> statistics) {
    statistics.ifPresent(stats -> stats.forEach((name, value) -> {
      String metric = "ringstore_storage_" + name;
      if (name.equals("wal_syncs_total")) {
        text.family(metric, "counter", "fsyncs of RocksDB's write-ahead log since the node started "
            + "(ringstore.storage.sync: one per write or group of writes, or one per interval).");
      } else {
        text.family(metric, "gauge", "RocksDB's estimate: " + name.replace('_', ' ') + ".");
      }
      text.sample(metric, value);
    }));
  }

  private static void writeRepairs(PrometheusText text, Map<String, Long> counts) {
    text.family("ringstore_storage_repairs_total", "counter",
        "Damaged data files this start moved aside (bin/ringstore start --repair), by part.");
    counts.forEach((part, n) -> text.sample("ringstore_storage_repairs_total", n, "part", part));
  }

  private static void writeSources(
      PrometheusText text, boolean hints, boolean tombstones, boolean storage) {
    text.family("ringstore_metrics_source_up", "gauge",
        "1 when the source answered this scrape; 0 when it failed or timed out and its metrics "
            + "are missing.");
    text.sample("ringstore_metrics_source_up", hints ? 1 : 0, "source", "hints");
    text.sample("ringstore_metrics_source_up", tombstones ? 1 : 0, "source", "tombstones");
    text.sample("ringstore_metrics_source_up", storage ? 1 : 0, "source", "storage");
  }

  private static void writeJvm(PrometheusText text) {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
    text.family("jvm_memory_bytes_used", "gauge", "Used bytes of a JVM memory area.");
    text.sample("jvm_memory_bytes_used", heap.getUsed(), "area", "heap");
    text.sample("jvm_memory_bytes_used", nonHeap.getUsed(), "area", "nonheap");
    text.family("jvm_memory_bytes_max", "gauge", "Max bytes of the heap (-Xmx).");
    text.sample("jvm_memory_bytes_max", heap.getMax(), "area", "heap");
    text.family("jvm_threads_current", "gauge", "Live JVM threads.");
    text.sample("jvm_threads_current", ManagementFactory.getThreadMXBean().getThreadCount());
    text.family("jvm_gc_collection_seconds_total", "counter",
        "Time spent in each garbage collector.");
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      text.sample("jvm_gc_collection_seconds_total", gc.getCollectionTime() / 1000.0,
          "gc", gc.getName());
    }
    text.family("process_uptime_seconds", "gauge", "Seconds since this node's JVM started.");
    text.sample("process_uptime_seconds",
        ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
  }
}
