package io.ringstore.bench;

import io.ringstore.tools.ClientAccess;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The settings of a benchmark run, validated on construction.
 *
 * @param mode {@code http} (the nodes' HTTP ports) or {@code java} (the Java client as a cluster
 *     member)
 * @param nodes the nodes' HTTP endpoints as {@code host:port}; connection {@code i} goes to node
 *     {@code i mod nodes}
 * @param seed the cluster address {@code host:port} of a member, for the Java client (null in http
 *     mode)
 * @param workloads the phases, run one after the other (e.g. {@code load} then {@code A})
 * @param records the record count: the load phase inserts {@code user0..user<records-1>}, the other
 *     phases choose among them
 * @param distribution how reads and updates choose their record
 * @param valueSize bytes per written value
 * @param updates what context an update sends
 * @param connections requests in flight: one worker thread and one keep-alive connection each
 * @param duration how long each run phase is measured (the load phase runs until every record is
 *     in)
 * @param warmup how long each run phase runs before it is measured (not reported)
 * @param targetOpsPerSecond a fixed offered rate over all connections, or 0 for as fast as possible
 * @param r the read quorum sent as {@code ?r=}, or null for the server's default
 * @param w the write quorum sent as {@code ?w=}, or null for the server's default
 * @param requestTimeout sent as {@code ?timeout=}; the client gives up one second later
 * @param randomSeed seeds the key and operation choices (connection {@code i} uses {@code seed +
 *     i})
 * @param httpClient {@code socket} (a minimal blocking HTTP/1.1 client per connection, the
 *     default), {@code jdk} ({@link java.net.http.HttpClient}) or {@code library} (ringstore's HTTP
 *     client library, {@code StoreClient} over HTTP, to compare with the member client)
 * @param access http mode: HTTP or HTTPS and the credentials sent with every request
 */
public record BenchOptions(
    String mode,
    List<String> nodes,
    String seed,
    List<Workload> workloads,
    long records,
    KeyChooser.Distribution distribution,
    int valueSize,
    UpdateMode updates,
    int connections,
    Duration duration,
    Duration warmup,
    long targetOpsPerSecond,
    String r,
    String w,
    Duration requestTimeout,
    long randomSeed,
    String httpClient,
    ClientAccess access) {

  private static final Pattern HOST_PORT =
      Pattern.compile("[A-Za-z0-9.\\-]+:\\d{1,5}|\\[[0-9A-Fa-f:.]+\\]:\\d{1,5}");
  private static final Pattern QUORUM = Pattern.compile("[1-9]\\d{0,2}|one|quorum|all");
  static final int MAX_VALUE_SIZE = 1024 * 1024;
  static final long MAX_RATE = 10_000_000;

  public BenchOptions {
    if (!"http".equals(mode) && !"java".equals(mode)) {
      throw new IllegalArgumentException("mode must be http or java, got '" + mode + "'");
    }
    Objects.requireNonNull(nodes, "nodes");
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("at least one node (host:port) is needed");
    }
    nodes.forEach(BenchOptions::requireHostPort);
    if (seed != null) {
      requireHostPort(seed);
    }
    if (mode.equals("java") && seed == null) {
      throw new IllegalArgumentException(
          "--mode java needs --seed HOST:PORT (a member's cluster address)");
    }
    Objects.requireNonNull(workloads, "workloads");
    workloads = List.copyOf(workloads);
    if (workloads.isEmpty()) {
      throw new IllegalArgumentException("at least one workload is needed");
    }
    if (records < 1 || records > 1_000_000_000L) {
      throw new IllegalArgumentException("records must be 1..1000000000, got " + records);
    }
    Objects.requireNonNull(distribution, "distribution");
    if (valueSize < 1 || valueSize > MAX_VALUE_SIZE) {
      throw new IllegalArgumentException(
          "value size must be 1.." + MAX_VALUE_SIZE + " bytes, got " + valueSize);
    }
    Objects.requireNonNull(updates, "updates");
    if (connections < 1 || connections > 1024) {
      throw new IllegalArgumentException("connections must be 1..1024, got " + connections);
    }
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, got " + duration);
    }
    if (warmup == null || warmup.isNegative()) {
      throw new IllegalArgumentException("warmup must not be negative, got " + warmup);
    }
    if (targetOpsPerSecond < 0 || targetOpsPerSecond > MAX_RATE) {
      throw new IllegalArgumentException(
          "target must be 0 (unthrottled) .. " + MAX_RATE + " ops/s, got " + targetOpsPerSecond);
    }
    if (r != null && !QUORUM.matcher(r).matches()) {
      throw new IllegalArgumentException("r must be a number, one, quorum or all, got '" + r + "'");
    }
    if (w != null && !QUORUM.matcher(w).matches()) {
      throw new IllegalArgumentException("w must be a number, one, quorum or all, got '" + w + "'");
    }
    if (!List.of("socket", "jdk", "library").contains(httpClient)) {
      throw new IllegalArgumentException(
          "http client must be socket, jdk or library, got '" + httpClient + "'");
    }
    if (requestTimeout == null
        || requestTimeout.toMillis() < 1
        || requestTimeout.toMillis() > 60_000) {
      throw new IllegalArgumentException(
          "request timeout must be 1..60000 ms (the server's limit), got "
              + (requestTimeout == null ? null : requestTimeout.toMillis() + " ms"));
    }
    Objects.requireNonNull(access, "access");
    if (mode.equals("java") && !access.equals(ClientAccess.PLAIN)) {
      throw new IllegalArgumentException(
          "--https, --cacert, --user and --password-file are for --mode http; "
              + "the Java client joins the cluster with its --config");
    }
  }

  /** Settings over plain HTTP without credentials. */
  public BenchOptions(
      String mode,
      List<String> nodes,
      String seed,
      List<Workload> workloads,
      long records,
      KeyChooser.Distribution distribution,
      int valueSize,
      UpdateMode updates,
      int connections,
      Duration duration,
      Duration warmup,
      long targetOpsPerSecond,
      String r,
      String w,
      Duration requestTimeout,
      long randomSeed,
      String httpClient) {
    this(
        mode,
        nodes,
        seed,
        workloads,
        records,
        distribution,
        valueSize,
        updates,
        connections,
        duration,
        warmup,
        targetOpsPerSecond,
        r,
        w,
        requestTimeout,
        randomSeed,
        httpClient,
        ClientAccess.PLAIN);
  }

  /** The defaults of {@code bin/ringstore bench}. */
  public static BenchOptions defaults() {
    return new BenchOptions(
        "http",
        List.of("127.0.0.1:8080"),
        null,
        List.of(Workload.A),
        100_000,
        KeyChooser.Distribution.ZIPFIAN,
        1024,
        UpdateMode.CONTEXT,
        16,
        Duration.ofSeconds(30),
        Duration.ZERO,
        0,
        null,
        null,
        Duration.ofSeconds(2),
        1,
        "socket");
  }

  /** Checks that {@code node} is {@code host:port} with a port in 1..65535. */
  static void requireHostPort(String node) {
    if (node == null || !HOST_PORT.matcher(node).matches()) {
      throw new IllegalArgumentException("a node must be host:port, got '" + node + "'");
    }
    int port = Integer.parseInt(node.substring(node.lastIndexOf(':') + 1));
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range in '" + node + "'");
    }
  }
}
