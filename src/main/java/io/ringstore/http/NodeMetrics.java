package io.ringstore.http;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.ringstore.antientropy.AntiEntropyStatus;
import io.ringstore.coordinator.PeerBytes;
import io.ringstore.coordinator.RequestMetrics;
import io.ringstore.handoff.HintManager;
import io.ringstore.handoff.HintStore;
import io.ringstore.transfer.TransferTracker;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;

/**
 * This node's Prometheus registry (one per node, never the library's static default: several nodes
 * share a JVM in tests). Every family reads what the node already counts, at scrape time, through
 * callback collectors: nothing is added to a request's path. The families fetched asynchronously
 * (hints, tombstones, RocksDB) come in the scrape request as a {@link Gathered}, collected before
 * the registry is scraped, so a scrape never waits inside a collector.
 *
 * <p>Names, types and labels are those README's metrics table documents (counters are declared
 * without their {@code _total}, which the exposition adds back); the library's JVM metrics are
 * registered beside the hand-named JVM families dashboards already use.
 */
final class NodeMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();

  /** What the asynchronous sources answered for one scrape; empty when one failed or timed out. */
  record Gathered(
      Optional<HintManager.AllHintStats> hints,
      Optional<long[]> tombstones,
      Optional<Map<String, Long>> storage)
      implements PrometheusScrapeRequest {
    @Override
    public String getRequestPath() {
      return "/metrics";
    }

    @Override
    public String[] getParameterValues(String name) {
      return null;
    }
  }

  NodeMetrics(
      Cluster cluster,
      RequestMetrics requests,
      NodeReadiness readiness,
      AntiEntropyStatus antiEntropy,
      StoreView storeView,
      AccessControl access,
      BrowserGuard browsers,
      RequestTracking tracking,
      InFlightBytes inFlight,
      GatewayConnections connections,
      PeerBytes peerBytes,
      ReplicaActivity activity) {
    registry.register(new RequestCollector(requests));
    registerNode(cluster, readiness);
    registerHttp(access, browsers, tracking, inFlight, connections, peerBytes);
    counter(
        "ringstore_anti_entropy_exchanges_total",
        "Tree exchanges this node's replicas ran with their peers.",
        c -> c.call((double) antiEntropy.totalExchanges()));
    counter(
        "ringstore_anti_entropy_keys_repaired_total",
        "Keys anti-entropy exchanges found different and repaired.",
        c -> c.call((double) antiEntropy.totalKeysRepaired()));
    counter(
        "ringstore_storage_repairs_total",
        "Damaged data files this start moved aside (bin/ringstore start --repair), by part.",
        c -> storeView.repairCounts().forEach((part, n) -> c.call(n, part)),
        "part");
    registry.register(new ExchangeDurationCollector(antiEntropy));
    registerActivity(activity, storeView);
    registry.register(new GatheredCollector());
    registerJvm();
  }

  /** Every family, the gathered ones from {@code gathered}. */
  MetricSnapshots scrape(Gathered gathered) {
    return registry.scrape(gathered);
  }

  private void registerNode(Cluster cluster, NodeReadiness readiness) {
    gauge(
        "ringstore_node_ready",
        "1 when /health/ready answers 200 (Up, region registered, serving, partitions writable).",
        g -> g.call(readiness.isReady() ? 1 : 0));
    gauge(
        "ringstore_cluster_members",
        "Cluster members this node sees, by membership status.",
        g -> {
          Map<String, Integer> byStatus = new TreeMap<>();
          for (Member member : cluster.state().getMembers()) {
            byStatus.merge(member.status().toString().toLowerCase(Locale.ROOT), 1, Integer::sum);
          }
          byStatus.forEach((status, count) -> g.call(count, status));
        },
        "status");
    gauge(
        "ringstore_cluster_unreachable_members",
        "Members this node's failure detector marks unreachable.",
        g -> g.call(cluster.state().getUnreachable().size()));
  }

  private void registerHttp(
      AccessControl access,
      BrowserGuard browsers,
      RequestTracking tracking,
      InFlightBytes inFlight,
      GatewayConnections connections,
      PeerBytes peerBytes) {
    counter(
        "ringstore_http_refused_total",
        "HTTP requests refused before any route ran: foreign_host (421, a Host that is not a name "
            + "of this node, authentication off), foreign_origin (403, a change from another "
            + "origin's web page); with authentication on also unauthorized (401, no or wrong "
            + "credentials), forbidden (403, a role short), overloaded (503, credential checks "
            + "saturated).",
        c -> {
          TreeMap<String, Long> refusals = new TreeMap<>(browsers.refusals());
          if (access.enabled()) {
            refusals.putAll(access.refusals());
          }
          refusals.forEach((reason, count) -> c.call(count, reason));
        },
        "reason");
    counter(
        "ringstore_http_responses_total",
        "HTTP requests this node answered, by route (kv, admin, metrics, health, other) and status "
            + "code, refusals and errors included (requests Pekko could not parse are not "
            + "counted).",
        c ->
            tracking
                .responses()
                .forEach(
                    (route, codes) ->
                        codes.forEach(
                            (code, count) -> c.call(count, route, Integer.toString(code)))),
        "route",
        "code");
    counter(
        "ringstore_http_shed_total",
        "PUT requests answered 503 overloaded (Retry-After: 1) because their bodies would pass "
            + "ringstore.requests.max-in-flight-bytes (since the node started).",
        c -> c.call((double) inFlight.shed()));
    gauge(
        "ringstore_http_in_flight_bytes",
        "Bytes of PUT bodies this node's gateway holds now (counted by Content-Length).",
        g -> g.call((double) inFlight.usedBytes()));
    gauge(
        "ringstore_http_max_in_flight_bytes",
        "The bound on them (ringstore.requests.max-in-flight-bytes).",
        g -> g.call((double) inFlight.maxBytes()));
    counter(
        "ringstore_peer_sends_refused_total",
        "Replica messages (CoordinatePut, Replicate, StoreHint) not sent because the bytes queued"
            + " to their peer node would pass ringstore.requests.max-bytes-queued-per-peer (since the"
            + " node started); the replica counted as not acked.",
        c -> c.call((double) peerBytes.refusals()));
    gauge(
        "ringstore_peer_queued_bytes",
        "Bytes of replica messages sent to peer nodes and not yet confirmed received, all peers.",
        g -> g.call((double) peerBytes.outstandingTotal()));
    gauge(
        "ringstore_http_connections_open",
        "HTTP connections open now, by listener (api, management).",
        g ->
            connections
                .listeners()
                .forEach((listener, limits) -> g.call(limits.openTotal(), listener)),
        "listener");
    counter(
        "ringstore_http_connections_refused_total",
        "HTTP connections closed without being served, by reason and listener: per_address (the "
            + "client address held max-connections-per-address), total (the listener held "
            + "max-connections), head_timeout (no complete request head within "
            + "request-head-timeout of the connection's opening or of the head's first byte).",
        c ->
            connections
                .listeners()
                .forEach(
                    (listener, limits) ->
                        limits
                            .refusals()
                            .forEach((reason, count) -> c.call(count, reason, listener))),
        "reason",
        "listener");
  }

  private void registerActivity(ReplicaActivity activity, StoreView storeView) {
    counter(
        "ringstore_reclaimed_partitions_total",
        "Partitions this node no longer replicates whose keys the reclaimer deleted (a source "
            + "window after they left; since the node started).",
        c -> c.call((double) activity.reclaims().partitions()));
    counter(
        "ringstore_reclaimed_keys_total",
        "Keys the reclaimer deleted with those partitions (since the node started).",
        c -> c.call((double) activity.reclaims().keys()));
    counter(
        "ringstore_transfer_keys_total",
        "Keys partition transfers copied into this node's replicas (since the node started).",
        c -> c.call((double) activity.transfers().keysCopied()));
    counter(
        "ringstore_transfer_bytes_total",
        "Bytes (stored objects) partition transfers copied into this node's replicas (since the "
            + "node started).",
        c -> c.call((double) activity.transfers().bytesCopied()));
    gauge(
        "ringstore_transfer_rate_bytes_per_second",
        "Copy rate of the transfers copying now: each one's bytes so far over its time so far, "
            + "summed (0 when none copies).",
        g -> g.call(activity.transfers().copyRateBytesPerSecond(System.currentTimeMillis())));
    gauge(
        "ringstore_transfers",
        "This node's latest transfer of each replica, by state "
            + "(pending, copying, syncing, done, failed).",
        g -> {
          Map<TransferTracker.State, Integer> byState = new EnumMap<>(TransferTracker.State.class);
          for (TransferTracker.State state : TransferTracker.State.values()) {
            byState.put(state, 0);
          }
          activity.transfers().all().forEach(t -> byState.merge(t.state(), 1, Integer::sum));
          byState.forEach((state, n) -> g.call(n, state.name()));
        },
        "state");
    gauge(
        "ringstore_storage_dispatcher_queue_length",
        "Storage calls waiting for a thread of the storage dispatcher "
            + "(ringstore-storage-dispatcher, ringstore.storage.parallelism threads).",
        g -> StorageQueue.length(storeView.storageCalls().executor()).ifPresent(g::call));
    counter(
        "ringstore_storage_overloaded_total",
        "Storage calls refused at once because ringstore.storage.max-calls-in-flight calls were "
            + "queued or running (the replica answered with an error).",
        c -> c.call((double) storeView.storageCalls().overloaded()));
  }

  /**
   * The library's JVM and process metrics, and the hand-named JVM families README documented before
   * them: {@code jvm_threads_current} is the library's own (same name, one family); {@code
   * jvm_memory_bytes_used}, {@code jvm_memory_bytes_max}, {@code process_uptime_seconds} and the
   * counter {@code jvm_gc_collection_seconds_total} stay as they were. The library's GC summary is
   * not registered: it is the family {@code jvm_gc_collection_seconds}, which that counter's name
   * already claims.
   */
  private void registerJvm() {
    JvmThreadsMetrics.builder().register(registry);
    JvmMemoryMetrics.builder().register(registry);
    JvmBufferPoolMetrics.builder().register(registry);
    JvmClassLoadingMetrics.builder().register(registry);
    JvmCompilationMetrics.builder().register(registry);
    JvmRuntimeInfoMetric.builder().register(registry);
    ProcessMetrics.builder().register(registry);
    gauge(
        "jvm_memory_bytes_used",
        "Used bytes of a JVM memory area.",
        g -> {
          g.call(
              (double) ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), "heap");
          g.call(
              (double) ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getUsed(),
              "nonheap");
        },
        "area");
    gauge(
        "jvm_memory_bytes_max",
        "Max bytes of the heap (-Xmx).",
        g -> {
          MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
          g.call((double) heap.getMax(), "heap");
        },
        "area");
    counter(
        "jvm_gc_collection_seconds_total",
        "Time spent in each garbage collector.",
        c -> {
          for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            c.call(gc.getCollectionTime() / 1000.0, gc.getName());
          }
        },
        "gc");
    gauge(
        "process_uptime_seconds",
        "Seconds since this node's JVM started.",
        g -> g.call(ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0));
  }

  private void counter(
      String name, String help, Consumer<CounterWithCallback.Callback> callback, String... labels) {
    CounterWithCallback.builder()
        .name(counterName(name))
        .help(help)
        .labelNames(labels)
        .callback(callback)
        .register(registry);
  }

  private void gauge(
      String name, String help, Consumer<GaugeWithCallback.Callback> callback, String... labels) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(labels)
        .callback(callback)
        .register(registry);
  }

  /** A counter's family name: the exposition appends {@code _total} to it. */
  static String counterName(String exposed) {
    if (!exposed.endsWith("_total")) {
      throw new IllegalArgumentException("a counter is exposed as name_total: " + exposed);
    }
    return exposed.substring(0, exposed.length() - "_total".length());
  }

  static CounterSnapshot counterSnapshot(String exposed, String help, double value) {
    return CounterSnapshot.builder()
        .name(counterName(exposed))
        .help(help)
        .dataPoint(CounterDataPointSnapshot.builder().value(value).build())
        .build();
  }

  static GaugeSnapshot gaugeSnapshot(String name, String help, double value) {
    return GaugeSnapshot.builder()
        .name(name)
        .help(help)
        .dataPoint(GaugeDataPointSnapshot.builder().value(value).build())
        .build();
  }

  /**
   * The request families, all from one {@link RequestMetrics#snapshot()} so the outcome counts and
   * the histogram's count agree within a scrape.
   */
  private static final class RequestCollector implements MultiCollector {
    private final RequestMetrics requests;

    RequestCollector(RequestMetrics requests) {
      this.requests = requests;
    }

    @Override
    public MetricSnapshots collect() {
      RequestMetrics.Snapshot snapshot = requests.snapshot();
      CounterSnapshot.Builder outcomes =
          CounterSnapshot.builder()
              .name(counterName("ringstore_requests_total"))
              .help(
                  "Requests this node coordinated (HTTP /kv and the Java client), by operation and "
                      + "outcome: ok (200/204), not_found (404), siblings (300), unavailable (503), "
                      + "rejected (4xx), error (500).");
      HistogramSnapshot.Builder latency =
          HistogramSnapshot.builder()
              .name("ringstore_request_duration_seconds")
              .help(
                  "Time from a request's arrival to its answer, by operation (rejected requests "
                      + "count as 0).");
      double[] upper = upperBounds(RequestMetrics.bucketBoundsSeconds());
      snapshot
          .operations()
          .forEach(
              (op, counts) -> {
                counts
                    .outcomes()
                    .forEach(
                        (outcome, n) -> {
                          if (outcome.appliesTo(op)) {
                            outcomes.dataPoint(
                                CounterDataPointSnapshot.builder()
                                    .labels(Labels.of("op", op.label(), "outcome", outcome.label()))
                                    .value(n)
                                    .build());
                          }
                        });
                long[] cumulative = counts.cumulativeBuckets();
                long[] perBucket = new long[cumulative.length];
                for (int b = 0; b < cumulative.length; b++) {
                  perBucket[b] = Math.max(0, cumulative[b] - (b == 0 ? 0 : cumulative[b - 1]));
                }
                latency.dataPoint(
                    HistogramDataPointSnapshot.builder()
                        .labels(Labels.of("op", op.label()))
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, perBucket))
                        .sum(counts.sumSeconds())
                        .build());
              });
      CounterSnapshot.Builder refused =
          CounterSnapshot.builder()
              .name(counterName("ringstore_writes_refused_total"))
              .help(
                  "Writes and deletes refused with nothing stored, by reason: bad_request (400, e.g."
                      + " a context no replica holds), too_many_siblings (409), object_too_large (413, the"
                      + " key's object would pass ringstore.requests.max-object-size).");
      snapshot
          .writesRefused()
          .forEach(
              (kind, n) ->
                  refused.dataPoint(
                      CounterDataPointSnapshot.builder()
                          .labels(Labels.of("reason", kind.name().toLowerCase(Locale.ROOT)))
                          .value(n)
                          .build()));
      return MetricSnapshots.of(
          outcomes.build(),
          latency.build(),
          counterSnapshot(
              "ringstore_read_repairs_total",
              "Replicas a read found behind and sent the merged object to.",
              (double) snapshot.replicasReadRepaired()),
          counterSnapshot(
              "ringstore_hinted_writes_total",
              "Acknowledged writes that left a hint for a replica that did not ack in time.",
              (double) snapshot.writesWithHints()),
          counterSnapshot(
              "ringstore_sloppy_writes_total",
              "Acknowledged writes whose hints counted toward W (sloppy quorum).",
              (double) snapshot.sloppyWrites()),
          refused.build());
    }
  }

  /** How long anti-entropy exchanges took, from {@link AntiEntropyStatus#durations()}. */
  private static final class ExchangeDurationCollector implements Collector {
    private static final double[] BOUNDS = upperBounds(AntiEntropyStatus.durationBoundsSeconds());
    private final AntiEntropyStatus antiEntropy;

    ExchangeDurationCollector(AntiEntropyStatus antiEntropy) {
      this.antiEntropy = antiEntropy;
    }

    @Override
    public MetricSnapshot collect() {
      AntiEntropyStatus.Durations durations = antiEntropy.durations();
      return HistogramSnapshot.builder()
          .name("ringstore_anti_entropy_exchange_duration_seconds")
          .help(
              "Time anti-entropy exchanges of this node's replicas took, from the session's "
                  + "start to its end (equal trees, repaired, or failed).")
          .dataPoint(
              HistogramDataPointSnapshot.builder()
                  .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, durations.buckets()))
                  .sum(durations.sumSeconds())
                  .build())
          .build();
    }
  }

  /** {@code bounds} followed by +Inf. */
  static double[] upperBounds(double[] bounds) {
    double[] upper = Arrays.copyOf(bounds, bounds.length + 1);
    upper[bounds.length] = Double.POSITIVE_INFINITY;
    return upper;
  }

  /**
   * The families whose values were fetched asynchronously for this scrape ({@link Gathered}). A
   * source that did not answer leaves its families out and reports 0 in {@code
   * ringstore_metrics_source_up{source}}.
   */
  private static final class GatheredCollector implements MultiCollector {
    @Override
    public MetricSnapshots collect() {
      return collect(new Gathered(Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @Override
    public MetricSnapshots collect(PrometheusScrapeRequest request) {
      Gathered gathered =
          request instanceof Gathered g
              ? g
              : new Gathered(Optional.empty(), Optional.empty(), Optional.empty());
      List<MetricSnapshot> families = new ArrayList<>();
      gathered.hints().ifPresent(hints -> hints(hints, families));
      gathered
          .tombstones()
          .ifPresent(
              pending ->
                  families.add(
                      gaugeSnapshot(
                          "ringstore_tombstones_pending",
                          "Tombstones every replica acked, waiting for their grace period before removal.",
                          (double) pending[0])));
      gathered
          .storage()
          .ifPresent(
              stats ->
                  stats.forEach(
                      (name, value) -> {
                        String metric = "ringstore_storage_" + name;
                        if (name.equals("wal_syncs_total")) {
                          families.add(
                              counterSnapshot(
                                  metric,
                                  "fsyncs of RocksDB's write-ahead log since the node "
                                      + "started (ringstore.storage.sync: one per write or group of writes, or one per "
                                      + "interval).",
                                  value));
                        } else {
                          families.add(
                              gaugeSnapshot(
                                  metric,
                                  "RocksDB's estimate: " + name.replace('_', ' ') + ".",
                                  value));
                        }
                      }));
      GaugeSnapshot.Builder up =
          GaugeSnapshot.builder()
              .name("ringstore_metrics_source_up")
              .help(
                  "1 when the source answered this scrape; 0 when it failed or timed out and its "
                      + "metrics are missing.");
      up.dataPoint(sourceUp("hints", gathered.hints().isPresent()));
      up.dataPoint(sourceUp("tombstones", gathered.tombstones().isPresent()));
      up.dataPoint(sourceUp("storage", gathered.storage().isPresent()));
      families.add(up.build());
      return new MetricSnapshots(families);
    }

    private static GaugeDataPointSnapshot sourceUp(String source, boolean answered) {
      return GaugeDataPointSnapshot.builder()
          .labels(Labels.of("source", source))
          .value(answered ? 1 : 0)
          .build();
    }

    private static void hints(HintManager.AllHintStats answer, List<MetricSnapshot> families) {
      long now = System.currentTimeMillis();
      long queued = 0;
      long delivered = 0;
      long dropped = 0;
      long expired = 0;
      long lost = 0;
      long deliveredBytes = 0;
      long oldest = -1;
      for (HintStore.HintStats target : answer.targets()) {
        queued += target.queued();
        delivered += target.delivered();
        dropped += target.dropped();
        expired += target.expired();
        lost += target.lost();
        deliveredBytes += target.deliveredBytes();
        if (target.oldestCreatedAtMillis() >= 0
            && (oldest < 0 || target.oldestCreatedAtMillis() < oldest)) {
          oldest = target.oldestCreatedAtMillis();
        }
      }
      families.add(
          gaugeSnapshot(
              "ringstore_hints_queued",
              "Hints this node holds for replicas elsewhere, not yet delivered.",
              (double) queued));
      families.add(
          gaugeSnapshot(
              "ringstore_hints_oldest_age_seconds",
              "Age of the oldest queued hint (0 when none).",
              oldest < 0 ? 0 : (now - oldest) / 1000.0));
      families.add(
          counterSnapshot(
              "ringstore_hints_delivered_total",
              "Hints delivered and acked (since each hint store started).",
              (double) delivered));
      families.add(
          counterSnapshot(
              "ringstore_hints_delivered_bytes_total",
              "Bytes of the objects those hints delivered (since each hint store started); with "
                  + "ringstore_hints_delivered_total, the replay rate.",
              (double) deliveredBytes));
      families.add(
          counterSnapshot(
              "ringstore_hints_dropped_total",
              "Hints refused because a hint store was full (since each store started).",
              (double) dropped));
      families.add(
          counterSnapshot(
              "ringstore_hints_lost_total",
              "Queued hints dropped because their value was missing or damaged on disk (logged at "
                  + "ERROR; anti-entropy repairs their keys).",
              (double) lost));
      families.add(
          CounterSnapshot.builder()
              .name(counterName("ringstore_hints_refused_total"))
              .help(
                  "Hints this node refused: budget (their bytes would pass max-hint-bytes or "
                      + "max-hint-bytes-per-target; since the node started), full "
                      + "(max-hints-per-target).")
              .dataPoint(
                  CounterDataPointSnapshot.builder()
                      .labels(Labels.of("reason", "budget"))
                      .value((double) answer.refusedBudget())
                      .build())
              .dataPoint(
                  CounterDataPointSnapshot.builder()
                      .labels(Labels.of("reason", "full"))
                      .value((double) dropped)
                      .build())
              .build());
      families.add(
          gaugeSnapshot(
              "ringstore_hints_bytes",
              "Bytes of the hints this node holds (their stored objects, on disk).",
              (double) answer.usedBytes()));
      families.add(
          gaugeSnapshot(
              "ringstore_hints_budget_bytes",
              "This node's hint budget in bytes (ringstore.handoff.max-hint-bytes).",
              (double) answer.budgetBytes()));
      families.add(
          counterSnapshot(
              "ringstore_hints_expired_total",
              "Hints dropped after their time to live (anti-entropy repairs those keys).",
              (double) expired));
      families.add(
          gaugeSnapshot(
              "ringstore_hint_stores_unanswered",
              "Hint stores that did not report in time for this scrape.",
              answer.missing()));
    }
  }
}
