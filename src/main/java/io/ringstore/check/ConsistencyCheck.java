package io.ringstore.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.tools.ClientAccess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runner of a consistency check: it drives load through the public HTTP API only and feeds
 * every operation into a {@link HistoryChecker}.
 *
 * <p>Each client thread owns its keys (their single writer) and loops over them: {@code GET
 * /kv/{key}?r=R} (404: no context; 200: the value and its context; 300: the siblings and their
 * context, the highest sequence number among them), then {@code PUT /kv/{key}?w=W} with that
 * context and the value {@code <key>:<seq>:<padding>}, where {@code seq} is one more than the
 * highest sequence number ever attempted or read for the key, so a sequence number is never reused
 * even after a failed write. A failed read skips the write. Requests rotate over the nodes; a node
 * that refuses connections or does not answer just yields failed operations. The nodes start as
 * {@link CheckOptions#nodes()} and may change while the check runs ({@link Handle#addEndpoint},
 * {@link Handle#removeEndpoint}), e.g. when a node joins or leaves the cluster.
 *
 * <p>While the load runs, a {@link HealthMonitor} polls every node's {@code /health/ready} and
 * {@code /admin/cluster} about every 500 ms: the report lists the fault windows it observed, beside
 * the ones a caller marked ({@link Handle#markFault}), and leaves the operations sent to a node
 * while it was down or not ready out of the availability to up nodes.
 *
 * <p>{@link Handle#stop()} ends the load, then polls {@code GET /admin/replicas/{key}} (on any node
 * that answers) until every replica of every key is found and all hold the same values, or until
 * the converge timeout; each key's final value is the highest sequence number over its replicas.
 * Last, one {@code GET /kv/{key}} per key (a final read, checked for staleness like the others).
 */
public final class ConsistencyCheck {
  static final String CONTEXT_HEADER = "X-Causal-Context";
  private static final Duration CONNECTION_FAILURE_PAUSE = Duration.ofMillis(50);
  private static final Duration CONVERGE_POLL_PAUSE = Duration.ofMillis(500);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private ConsistencyCheck() {}

  /** Starts the load at once and returns its handle; the load runs until {@link Handle#stop()}. */
  public static Handle start(CheckOptions options) {
    return new Handle(options);
  }

  /** Runs the load for {@code options.duration()}, then stops, converges and reports. */
  public static Report run(CheckOptions options) throws InterruptedException {
    Handle handle = start(options);
    handle.awaitLoad(options.duration());
    return handle.stop();
  }

  /** Counters of a running check, for a progress line. */
  public record Progress(double seconds, long operations, long failed, long acknowledgedWrites) {}

  /** A running check: mark fault windows while it runs, then stop it for the report. */
  public static final class Handle {
    private final CheckOptions options;
    private final HttpClient http;
    private final HistoryChecker checker;
    private final long startNanos;
    private final List<String> keys = new ArrayList<>();
    private final List<Thread> clients = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong operations = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicInteger adminRotation = new AtomicInteger();

    /** The nodes requests go to now: an immutable list, replaced whole on a change. */
    private volatile List<String> endpoints;

    private final Deque<OpenFault> openFaults = new ArrayDeque<>();
    private final HealthMonitor monitor;
    private Report report;

    private record OpenFault(String name, String node, long startNanos) {
      FaultWindow endAt(long nanos) {
        return new FaultWindow(name, node, startNanos, nanos);
      }
    }

    private Handle(CheckOptions options) {
      this.options = options;
      this.endpoints = options.nodes();
      this.http =
          options
              .access()
              .clientBuilder(min(options.requestTimeout(), Duration.ofSeconds(2)))
              .build();
      this.startNanos = System.nanoTime();
      this.checker = new HistoryChecker(startNanos);
      String run =
          Long.toString(System.currentTimeMillis(), 36)
              + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
      for (int c = 0; c < options.clients(); c++) {
        List<String> own = new ArrayList<>();
        for (int k = 0; k < options.keysPerClient(); k++) {
          String key = "check-" + run + "-c" + c + "-k" + k;
          own.add(key);
          keys.add(key);
          checker.key(key);
        }
        int id = c;
        Thread thread = new Thread(() -> clientLoop(id, own), "ringstore-check-client-" + c);
        thread.setDaemon(true);
        clients.add(thread);
      }
      this.monitor =
          new HealthMonitor(http, options.access(), this::endpoints, options.requestTimeout());
      clients.forEach(Thread::start);
    }

    /** The keys of this run, in client order. */
    public List<String> keys() {
      return List.copyOf(keys);
    }

    /** Opens a fault window named {@code name} now (windows may nest; see {@link #endFault()}). */
    public void markFault(String name) {
      markFault(name, null);
    }

    /**
     * Opens a fault window named {@code name} now that takes down or pauses one node, {@code node}
     * ({@code host:port} as requests are sent to it; null when not one node): requests sent to it
     * during the window do not count toward the availability to up nodes. Windows may nest.
     */
    public synchronized void markFault(String name, String node) {
      if (report != null || !running.get()) {
        throw new IllegalStateException("the load has stopped: cannot mark fault '" + name + "'");
      }
      openFaults.push(new OpenFault(name, node, System.nanoTime()));
    }

    /** Closes the most recently opened fault window now. */
    public synchronized void endFault() {
      OpenFault open = openFaults.poll();
      if (open == null) {
        throw new IllegalStateException("no fault window is open");
      }
      checker.fault(open.endAt(System.nanoTime()));
    }

    /** The nodes requests rotate over now. */
    public List<String> endpoints() {
      return endpoints;
    }

    /**
     * Adds {@code node} ({@code host:port}) to the nodes requests rotate over, from the next
     * request on (e.g. a node that joined the cluster); no change if it is there already.
     * Thread-safe.
     *
     * @throws IllegalArgumentException if {@code node} is not {@code host:port}
     */
    public synchronized void addEndpoint(String node) {
      CheckOptions.requireHostPort(node);
      if (!endpoints.contains(node)) {
        List<String> changed = new ArrayList<>(endpoints);
        changed.add(node);
        endpoints = List.copyOf(changed);
      }
    }

    /**
     * Removes {@code node} from the nodes requests rotate over, from the next request on (e.g. a
     * node that left the cluster; requests in flight to it finish as they do); no change if it is
     * not there. Thread-safe.
     *
     * @throws IllegalStateException if it is the last node
     */
    public synchronized void removeEndpoint(String node) {
      if (!endpoints.contains(node)) {
        return;
      }
      if (endpoints.size() == 1) {
        throw new IllegalStateException(
            "cannot remove " + node + ": it is the last node of the check");
      }
      List<String> changed = new ArrayList<>(endpoints);
      changed.remove(node);
      endpoints = List.copyOf(changed);
    }

    public Progress progress() {
      return new Progress(
          (System.nanoTime() - startNanos) / 1e9,
          operations.get(),
          failed.get(),
          acknowledged.get());
    }

    /** Waits until {@code duration} after the start of the load (pacing, not a condition). */
    void awaitLoad(Duration duration) throws InterruptedException {
      long left = startNanos + duration.toNanos() - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.sleep(left);
      }
    }

    /**
     * Stops the load (waits for the requests in flight, at most the request timeout plus a second),
     * closes any open fault window, stops the health monitor, waits for convergence (at most the
     * converge timeout), reads every key once more and returns the report. Idempotent.
     */
    public synchronized Report stop() throws InterruptedException {
      if (report != null) {
        return report;
      }
      running.set(false);
      long stopped = System.nanoTime();
      while (!openFaults.isEmpty()) {
        checker.fault(openFaults.poll().endAt(stopped));
      }
      for (Thread client : clients) {
        client.join();
      }
      monitor.stop(stopped, checker);
      checker.loadEnded(System.nanoTime());
      converge();
      finalReads();
      report = checker.analyze();
      return report;
    }

    /**
     * Stops the load threads without converging or reporting (for a caller that gives up, e.g. a
     * failing test); {@link #stop()} is the normal end. Does not wait for the requests in flight.
     */
    public void abort() {
      running.set(false);
      monitor.abort();
    }

    // ---- load -----------------------------------------------------------------------------------

    private void clientLoop(int id, List<String> own) {
      Map<String, Long> maxAttempted = new HashMap<>();
      long rotation = id;
      for (long round = 0; running.get(); round++) {
        String key = own.get((int) (round % own.size()));
        Read read = read(key, node(rotation++), Op.Type.READ);
        if (!read.op().ok()) {
          pauseAfter(read.op());
          continue;
        }
        if (!running.get()) {
          break;
        }
        long seq = Math.max(maxAttempted.getOrDefault(key, 0L), read.op().seq()) + 1;
        maxAttempted.put(key, seq);
        Op write = write(key, seq, read.context(), node(rotation++));
        pauseAfter(write);
      }
    }

    private void pauseAfter(Op op) {
      if (!op.ok() && op.outcome().equals("connection-refused")) {
        try {
          Thread.sleep(CONNECTION_FAILURE_PAUSE.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          running.set(false);
        }
      }
    }

    /**
     * The node of the {@code rotation}-th request: round robin, shifted by one after each full turn
     * so that with an even number of nodes a client's reads and writes (which alternate) still
     * reach every node.
     */
    private String node(long rotation) {
      List<String> nodes = endpoints;
      int n = nodes.size();
      return nodes.get((int) Math.floorMod(rotation + rotation / n, (long) n));
    }

    private HttpRequest.Builder request(String node, String pathAndQuery) {
      return ConsistencyCheck.request(options.access(), node, pathAndQuery);
    }

    /** A read's operation and the causal context it returned (null when none). */
    private record Read(Op op, String context) {}

    private Read read(String key, String node, Op.Type type) {
      HttpRequest request =
          request(
                  node,
                  "/kv/"
                      + key
                      + "?r="
                      + options.r()
                      + "&timeout="
                      + options.requestTimeout().toMillis())
              .timeout(options.requestTimeout().plusSeconds(1))
              .GET()
              .build();
      long start = System.nanoTime();
      String outcome;
      long seq = 0;
      String context = null;
      boolean ok = false;
      try {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        outcome = Integer.toString(response.statusCode());
        context = response.headers().firstValue(CONTEXT_HEADER).orElse(null);
        List<byte[]> values = new ArrayList<>();
        switch (response.statusCode()) {
          case 200 -> {
            ok = true;
            values.add(response.body());
          }
          case 300 -> {
            ok = true;
            JsonNode siblings = JSON.readTree(response.body());
            if (context == null && siblings.hasNonNull("context")) {
              context = siblings.get("context").asText();
            }
            for (JsonNode s : siblings.path("siblings")) {
              values.add(Base64.getDecoder().decode(s.path("value").asText()));
            }
          }
          case 404 -> ok = true;
          default -> context = null;
        }
        boolean unparseable = false;
        for (byte[] value : values) {
          Optional<Long> parsed = ValueFormat.seqOf(key, value);
          unparseable |= parsed.isEmpty();
          seq = Math.max(seq, parsed.orElse(0L));
        }
        if (unparseable) {
          outcome += "-unparseable-value";
        }
      } catch (IOException | RuntimeException e) {
        outcome = failure(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        outcome = "interrupted";
      }
      Op op =
          (type == Op.Type.FINAL_READ
                  ? Op.finalRead(key, seq, start, System.nanoTime(), ok, outcome)
                  : Op.read(key, seq, start, System.nanoTime(), ok, outcome))
              .to(node);
      recordOp(op);
      return new Read(op, context);
    }

    private Op write(String key, long seq, String context, String node) {
      HttpRequest.Builder request =
          request(
                  node,
                  "/kv/"
                      + key
                      + "?w="
                      + options.w()
                      + "&timeout="
                      + options.requestTimeout().toMillis())
              .timeout(options.requestTimeout().plusSeconds(1))
              .header("Content-Type", "text/plain")
              .PUT(
                  HttpRequest.BodyPublishers.ofByteArray(
                      ValueFormat.value(key, seq, options.valueSize())));
      if (context != null && !context.isBlank()) {
        request.header(CONTEXT_HEADER, context);
      }
      long start = System.nanoTime();
      String outcome;
      boolean acked = false;
      try {
        HttpResponse<Void> response =
            http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        outcome = Integer.toString(response.statusCode());
        acked = response.statusCode() == 204;
      } catch (IOException | RuntimeException e) {
        outcome = failure(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        outcome = "interrupted";
      }
      Op op = Op.write(key, seq, start, System.nanoTime(), acked, outcome).to(node);
      recordOp(op);
      if (acked) {
        acknowledged.incrementAndGet();
      }
      return op;
    }

    private void recordOp(Op op) {
      checker.record(op);
      operations.incrementAndGet();
      if (!op.ok()) {
        failed.incrementAndGet();
      }
    }

    // ---- convergence and final reads ----------------------------------------------------------

    /**
     * One key's replicas as one node reported them: converged, or what is wrong ({@code problem}).
     */
    record ReplicaView(String problem, long maxSeq) {
      boolean converged() {
        return problem == null;
      }
    }

    private void converge() throws InterruptedException {
      long deadline = System.nanoTime() + options.convergeTimeout().toNanos();
      Map<String, Long> finals = new LinkedHashMap<>();
      while (true) {
        Map<String, String> notConverged = new LinkedHashMap<>();
        for (String key : keys) {
          Optional<ReplicaView> view = replicas(key);
          view.ifPresent(v -> finals.put(key, v.maxSeq()));
          if (view.isEmpty()) {
            notConverged.put(key, "no node answered GET /admin/replicas/" + key);
          } else if (!view.get().converged()) {
            notConverged.put(key, view.get().problem());
          }
        }
        long now = System.nanoTime();
        if (notConverged.isEmpty() || now - deadline >= 0) {
          finals.forEach(checker::finalValue);
          if (notConverged.isEmpty()) {
            checker.converged(now);
          } else {
            checker.notConverged(notConverged);
          }
          return;
        }
        TimeUnit.MILLISECONDS.sleep(CONVERGE_POLL_PAUSE.toMillis());
      }
    }

    /** {@code GET /admin/replicas/{key}} on the first node (in rotation) that answers 200. */
    private Optional<ReplicaView> replicas(String key) throws InterruptedException {
      List<String> nodes = endpoints;
      for (int attempt = 0; attempt < nodes.size(); attempt++) {
        String node = nodes.get(Math.floorMod(adminRotation.getAndIncrement(), nodes.size()));
        HttpRequest request =
            request(node, "/admin/replicas/" + key).timeout(ADMIN_TIMEOUT).GET().build();
        try {
          HttpResponse<byte[]> response =
              http.send(request, HttpResponse.BodyHandlers.ofByteArray());
          if (response.statusCode() == 200) {
            return Optional.of(replicaView(key, JSON.readTree(response.body())));
          }
        } catch (IOException | RuntimeException e) {
          // this node does not answer: ask the next
        }
      }
      return Optional.empty();
    }

    /**
     * Converged: every replica answered with its node and all hold the same values (none, when no
     * write of the key reached any replica; a lost acknowledged write shows as a lost write). The
     * final value is the highest sequence number over every value of every replica that answered.
     */
    static ReplicaView replicaView(String key, JsonNode states) {
      List<String> problems = new ArrayList<>();
      Map<String, List<String>> valuesByReplica = new LinkedHashMap<>();
      Map<String, List<Long>> seqsByReplica = new LinkedHashMap<>();
      long max = 0;
      for (JsonNode r : states.path("replicas")) {
        String replica = r.path("replica").asText("?");
        if (r.hasNonNull("error") || !r.hasNonNull("node")) {
          problems.add(
              "replica "
                  + replica
                  + " did not answer ("
                  + shorten(r.path("error").asText(""))
                  + ")");
          continue;
        }
        List<String> values = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        for (JsonNode v : r.path("values")) {
          values.add(v.asText());
          long seq = ValueFormat.seqOf(key, Base64.getDecoder().decode(v.asText())).orElse(0L);
          seqs.add(seq);
          max = Math.max(max, seq);
        }
        values.sort(null);
        seqs.sort(null);
        valuesByReplica.put(replica, values);
        seqsByReplica.put(replica, seqs);
      }
      if (states.path("replicas").isEmpty()) {
        problems.add("no replica listed: " + shorten(states.toString()));
      }
      if (valuesByReplica.values().stream().distinct().count() > 1) {
        problems.add("replicas differ, seqs " + seqsByReplica);
      }
      return new ReplicaView(problems.isEmpty() ? null : String.join("; ", problems), max);
    }

    private static String shorten(String text) {
      return text.length() <= 160 ? text : text.substring(0, 160) + "...";
    }

    private void finalReads() {
      List<String> nodes = endpoints;
      int n = nodes.size();
      for (int k = 0; k < keys.size(); k++) {
        String key = keys.get(k);
        for (int attempt = 0; attempt < n; attempt++) {
          if (read(key, nodes.get((k + attempt) % n), Op.Type.FINAL_READ).op().ok()) {
            break;
          }
        }
      }
    }
  }

  static String failure(Throwable e) {
    if (e instanceof HttpConnectTimeoutException) {
      return "connect-timeout";
    }
    if (e instanceof HttpTimeoutException) {
      return "timeout";
    }
    if (e instanceof ConnectException) {
      return "connection-refused";
    }
    if (e instanceof IOException) {
      return "io-error";
    }
    return "error-" + e.getClass().getSimpleName();
  }

  /** A request to {@code node} with the check's scheme and credentials. */
  static HttpRequest.Builder request(ClientAccess access, String node, String pathAndQuery) {
    return access.authorize(
        HttpRequest.newBuilder(URI.create(access.scheme() + "://" + node + pathAndQuery)));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
