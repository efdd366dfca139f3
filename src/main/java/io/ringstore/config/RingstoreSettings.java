package io.ringstore.config;

import com.sun.management.UnixOperatingSystemMXBean;
import com.typesafe.config.Config;
import io.ringstore.security.UsersFile;
import io.ringstore.version.CausalContextCodec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * All of ringstore's settings, read once from the {@code ringstore} section of the configuration
 * and validated here, so that no handler ever reads configuration and a bad value stops the node at
 * start-up with a clear message instead of failing a request later.
 */
public record RingstoreSettings(
    String role,
    Path dataDir,
    RingSettings ring,
    ReplicationSettings replication,
    RequestSettings requests,
    HttpSettings http,
    StorageSettings storage,
    HandoffSettings handoff,
    AntiEntropySettings antiEntropy,
    TombstoneSettings tombstones,
    TransferSettings transfers,
    ClusterSettings cluster,
    TestingSettings testing) {

  /** Cluster role of a member that holds data. */
  public static final String DATA_ROLE = "data";

  /** Cluster role of a member that only coordinates its own requests (a JVM app). */
  public static final String CLIENT_ROLE = "client";

  public RingstoreSettings {
    if (!Set.of(DATA_ROLE, CLIENT_ROLE).contains(role)) {
      throw new IllegalArgumentException(
          "ringstore.role must be '"
              + DATA_ROLE
              + "' or '"
              + CLIENT_ROLE
              + "', was '"
              + role
              + "'");
    }
    require(dataDir != null, "ringstore.data-dir must be set");
    require(
        ring != null
            && replication != null
            && requests != null
            && http != null
            && storage != null
            && handoff != null
            && antiEntropy != null
            && tombstones != null
            && transfers != null
            && cluster != null
            && testing != null,
        "every ringstore settings section must be present");
    require(
        tombstones.gracePeriod().compareTo(handoff.hintWindow()) > 0,
        "ringstore.tombstones.grace-period ("
            + tombstones.gracePeriod()
            + ") must be longer than ringstore.handoff.hint-window ("
            + handoff.hintWindow()
            + "): a hint older than a reaped tombstone would bring the deleted value back");
    require(
        transfers.sourceWindow().compareTo(tombstones.gracePeriod()) < 0,
        "ringstore.transfers.source-window ("
            + transfers.sourceWindow()
            + ") must be shorter than ringstore.tombstones.grace-period ("
            + tombstones.gracePeriod()
            + "): an older copy could bring back values whose tombstones were reaped");
  }

  /** This node's clocks (the wall clock shifted by {@code ringstore.testing.clock-offset}). */
  public NodeClock clock() {
    return NodeClock.withWallOffset(testing.clockOffset());
  }

  public boolean holdsData() {
    return DATA_ROLE.equals(role);
  }

  private static final String AUTO = "auto";

  /** {@code storage.max-calls-in-flight = auto}: this many per storage thread. */
  private static final int CALLS_IN_FLIGHT_PER_THREAD = 512;

  /**
   * A size in bytes, or for {@code auto} the share 1/{@code divisor} of this JVM's maximum heap (so
   * a node started with a smaller -Xmx gets proportionally smaller memory budgets).
   */
  static long bytesOrHeapShare(Config c, String path, int divisor) {
    if (c.getValue(path).unwrapped() instanceof String value && value.trim().equals(AUTO)) {
      return Math.max(1, Runtime.getRuntime().maxMemory() / divisor);
    }
    return c.getBytes(path);
  }

  /**
   * A size in bytes, or for {@code auto} the share 1/{@code divisor} of the space usable on the
   * file system that holds {@code dataDir} (or its nearest existing parent) when this is called: a
   * budget of disk, sized from the disk the node was given.
   */
  static long bytesOrDiskShare(Config c, String path, Path dataDir, int divisor) {
    if (c.getValue(path).unwrapped() instanceof String value && value.trim().equals(AUTO)) {
      return Math.max(1, usableBytes(dataDir) / divisor);
    }
    return c.getBytes(path);
  }

  /** Bytes usable on the file system of {@code dir} or of its nearest existing parent. */
  static long usableBytes(Path dir) {
    Path existing = dir.toAbsolutePath().normalize();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      return existing == null ? 0 : Files.getFileStore(existing).getUsableSpace();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the free space of the file system holding "
              + dir
              + " (for ringstore.handoff.max-hint-bytes = auto): "
              + e.getMessage(),
          e);
    }
  }

  /** Reads and validates the {@code ringstore} section of a resolved configuration. */
  public static RingstoreSettings fromConfig(Config root) {
    Config c = root.getConfig("ringstore");
    // Artery's TLS material is Pekko's to use; check it now so that a bad file stops the node
    // clearly
    TlsSettings.InternodeTls.fromConfig(root);
    String role = c.getString("role").toLowerCase(Locale.ROOT);
    // a client member serves no HTTP: it needs neither the gateway's keystore nor the users file,
    // so
    // an app can layer a node's secure config (internode TLS) without either
    boolean servesHttp = !CLIENT_ROLE.equals(role);
    requireContextFitsHeader(root, c.getBytes("requests.max-context-size"));
    InternodeFrames.check(
        root,
        c.getBytes("requests.max-object-size"),
        c.getInt("requests.max-key-bytes"),
        Math.toIntExact(c.getBytes("requests.max-value-size")),
        c.getInt("replication.n"),
        c.getBytes("transfers.batch-size"),
        c.getInt("transfers.batch-keys"));
    Path dataDir = Path.of(c.getString("data-dir"));
    long hintBytes = bytesOrDiskShare(c, "handoff.max-hint-bytes", dataDir, 10);
    return new RingstoreSettings(
        role,
        dataDir,
        new RingSettings(c.getInt("ring.partitions"), c.getInt("ring.tokens-per-member")),
        new ReplicationSettings(
            c.getInt("replication.n"), c.getInt("replication.r"), c.getInt("replication.w")),
        new RequestSettings(
            c.getDuration("requests.timeout"),
            c.getDuration("requests.max-timeout"),
            Math.toIntExact(c.getBytes("requests.max-value-size")),
            c.getBytes("requests.max-object-size"),
            c.getInt("requests.max-key-bytes"),
            c.getBoolean("requests.sloppy-quorum"),
            c.getBoolean("requests.direct-routes"),
            c.getInt("requests.max-siblings"),
            c.getInt("requests.warn-siblings"),
            Math.toIntExact(c.getBytes("requests.max-context-size")),
            c.getInt("requests.max-context-actors"),
            bytesOrHeapShare(c, "requests.max-in-flight-bytes", 4),
            bytesOrHeapShare(c, "requests.max-bytes-queued-per-peer", 8)),
        new HttpSettings(
            c.getString("http.host"),
            c.getInt("http.port"),
            servesHttp
                ? TlsSettings.HttpTls.fromConfig(c.getConfig("http.tls"))
                : TlsSettings.HttpTls.DISABLED,
            servesHttp ? AuthSettings.fromConfig(c.getConfig("http.auth")) : AuthSettings.DISABLED,
            c.getStringList("http.allowed-hosts"),
            ConnectionSettings.fromConfig(c.getConfig("http"))),
        new StorageSettings(
            storageSync(c),
            c.getDuration("storage.sync-interval"),
            c.getBytes("storage.block-cache-size"),
            c.getBytes("storage.write-buffer-size"),
            c.getString("storage.compression"),
            c.getInt("storage.parallelism"),
            c.getString("storage.max-calls-in-flight").equals(AUTO)
                ? c.getInt("storage.parallelism") * CALLS_IN_FLIGHT_PER_THREAD
                : c.getInt("storage.max-calls-in-flight")),
        new HandoffSettings(
            c.getDuration("handoff.replica-ack-timeout"),
            c.getDuration("handoff.hint-window"),
            c.getInt("handoff.max-hints-per-target"),
            c.getDuration("handoff.retry-interval"),
            c.getInt("handoff.max-in-flight"),
            hintBytes,
            c.getString("handoff.max-hint-bytes-per-target").equals(AUTO)
                ? Math.max(1, hintBytes / 4)
                : c.getBytes("handoff.max-hint-bytes-per-target")),
        new AntiEntropySettings(
            c.getBoolean("anti-entropy.enabled"),
            c.getInt("anti-entropy.tree-segments"),
            c.getDouble("anti-entropy.sessions-per-second"),
            c.getInt("anti-entropy.max-concurrent-sessions"),
            c.getInt("anti-entropy.max-segments-per-session"),
            c.getInt("anti-entropy.max-keys-per-session"),
            c.getInt("anti-entropy.keys-in-flight"),
            c.getDuration("anti-entropy.session-timeout")),
        new TombstoneSettings(
            c.getDuration("tombstones.grace-period"), c.getDuration("tombstones.reap-interval")),
        new TransferSettings(
            c.getInt("transfers.batch-keys"),
            Math.toIntExact(c.getBytes("transfers.batch-size")),
            c.getDuration("transfers.source-window"),
            c.getDuration("transfers.leave-timeout"),
            c.getBoolean("transfers.reclaim"),
            c.getDuration("transfers.reclaim-interval"),
            c.getDuration("transfers.describe-timeout"),
            c.getDuration("transfers.batch-timeout"),
            c.getDuration("transfers.retry-interval"),
            c.getInt("transfers.max-exchange-rounds"),
            c.getInt("transfers.sync-max-keys"),
            c.getInt("transfers.sync-keys-in-flight"),
            c.getInt("transfers.max-simultaneous-moves"),
            c.getDuration("transfers.leave-check-interval"),
            c.getDuration("transfers.drain-ttl")),
        new ClusterSettings(
            c.getStringList("cluster.seed-nodes"),
            c.getBoolean("cluster.rejoin"),
            c.getBoolean("cluster.force-new-cluster"),
            c.getDuration("cluster.probe-interval"),
            c.getInt("cluster.stable-rounds")),
        new TestingSettings(c.getDuration("testing.clock-offset")));
  }

  /**
   * How a data node gets into its cluster ({@code io.ringstore.cluster.ClusterJoiner}).
   *
   * @param seedNodes the configured seed nodes, {@code host:port}
   * @param rejoin the data directory has cluster history: rejoin through the remembered members and
   *     seeds, never form a cluster alone (set by the launcher, not by operators)
   * @param forceNewCluster operator override for disaster recovery: form the cluster alone at once
   * @param probeInterval how often a node that is not a member asks its peers
   * @param stableRounds probe rounds in a row that must agree before a restarting cluster is formed
   *     again
   */
  public record ClusterSettings(
      List<String> seedNodes,
      boolean rejoin,
      boolean forceNewCluster,
      Duration probeInterval,
      int stableRounds) {
    public ClusterSettings {
      seedNodes = List.copyOf(seedNodes);
      require(
          probeInterval.toMillis() >= 50, "ringstore.cluster.probe-interval must be at least 50ms");
      require(stableRounds >= 1, "ringstore.cluster.stable-rounds must be at least 1");
    }
  }

  /** Q (partitions, a power of two) and T (virtual tokens per member). */
  public record RingSettings(int partitions, int tokensPerMember) {
    public RingSettings {
      require(
          partitions >= 1 && partitions <= 65536 && Integer.bitCount(partitions) == 1,
          "ringstore.ring.partitions must be a power of two in 1..65536, was " + partitions);
      require(
          tokensPerMember >= 1 && tokensPerMember <= 4096,
          "ringstore.ring.tokens-per-member must be in 1..4096, was " + tokensPerMember);
    }
  }

  /** N replicas per key; default R and W (a request may override them, 1..N each). */
  public record ReplicationSettings(int n, int r, int w) {
    public ReplicationSettings {
      require(n >= 1 && n <= 16, "ringstore.replication.n must be in 1..16, was " + n);
      require(r >= 1 && r <= n, "ringstore.replication.r must be in 1..n (" + n + "), was " + r);
      require(w >= 1 && w <= n, "ringstore.replication.w must be in 1..n (" + n + "), was " + w);
    }
  }

  /**
   * The request header limit of this configuration: Pekko HTTP's server-side {@code
   * max-header-value-length} (which falls back to {@code pekko.http.parsing}), 8 KiB by default.
   */
  public static long maxHeaderValueLength(Config root) {
    for (String path :
        new String[] {
          "pekko.http.server.parsing.max-header-value-length",
          "pekko.http.parsing.max-header-value-length"
        }) {
      if (root.hasPath(path)) {
        return root.getBytes(path);
      }
    }
    return RequestSettings.MAX_HEADER_VALUE_CHARS;
  }

  /**
   * Every context the server hands out is at most {@code max-context-size} characters and must fit
   * back into a request header with 1 KiB to spare (for the header's name and a proxy's additions).
   */
  private static void requireContextFitsHeader(Config root, long maxContextChars) {
    long header = maxHeaderValueLength(root);
    require(
        maxContextChars + 1024 <= header,
        "ringstore.requests.max-context-size ("
            + maxContextChars
            + ") must leave 1 KiB under pekko.http.server.parsing"
            + ".max-header-value-length ("
            + header
            + "): a context the server hands out must fit back"
            + " into a request header");
  }

  /**
   * Request limits: default and maximum timeout, value, object (all siblings of a key, encoded) and
   * key sizes; default quorum mode; whether coordinators reach replica entities on direct routes
   * once known ({@code ReplicaRoutes}); the siblings a client write may leave on a key (a warning
   * is logged from {@code warnSiblings} on); the largest causal context a client may send, in
   * characters and in actors; the bytes of request bodies held at once; the bytes of replica
   * messages queued to one peer node and not yet confirmed received ({@code
   * io.ringstore.coordinator.PeerBytes}).
   */
  public record RequestSettings(
      Duration timeout,
      Duration maxTimeout,
      int maxValueBytes,
      long maxObjectBytes,
      int maxKeyBytes,
      boolean sloppyQuorum,
      boolean directRoutes,
      int maxSiblings,
      int warnSiblings,
      int maxContextChars,
      int maxContextActors,
      long maxInFlightBytes,
      long maxBytesQueuedPerPeer) {
    /** Pekko HTTP's default {@code max-header-value-length}: a context must fit in one header. */
    public static final int MAX_HEADER_VALUE_CHARS = 8 * 1024;

    public RequestSettings {
      require(!timeout.isNegative() && !timeout.isZero(), "ringstore.requests.timeout must be > 0");
      require(
          maxTimeout.compareTo(timeout) >= 0,
          "ringstore.requests.max-timeout must be >= ringstore.requests.timeout");
      require(maxValueBytes >= 1, "ringstore.requests.max-value-size must be >= 1 byte");
      require(
          maxObjectBytes >= maxValueBytes,
          "ringstore.requests.max-object-size ("
              + maxObjectBytes
              + ") must be at least ringstore.requests.max-value-size ("
              + maxValueBytes
              + ")");
      require(
          maxKeyBytes >= 1 && maxKeyBytes <= 65535,
          "ringstore.requests.max-key-bytes must be in 1..65535, was " + maxKeyBytes);
      require(
          maxSiblings >= 1 && maxSiblings <= 10_000,
          "ringstore.requests.max-siblings must be in 1..10000, was " + maxSiblings);
      require(
          warnSiblings >= 1 && warnSiblings <= maxSiblings,
          "ringstore.requests.warn-siblings must be in 1..max-siblings ("
              + maxSiblings
              + "), was "
              + warnSiblings);
      require(
          maxContextChars >= 64 && maxContextChars <= CausalContextCodec.MAX_STRING_LENGTH,
          "ringstore.requests.max-context-size must be in 64..7KiB (a context travels in one request"
              + " header, 8 KiB by default), was "
              + maxContextChars);
      require(
          maxContextActors >= 1 && maxContextActors <= CausalContextCodec.MAX_ENTRIES,
          "ringstore.requests.max-context-actors must be in 1.."
              + CausalContextCodec.MAX_ENTRIES
              + ", was "
              + maxContextActors);
      require(
          maxInFlightBytes >= maxValueBytes,
          "ringstore.requests.max-in-flight-bytes must be at least max-value-size ("
              + maxValueBytes
              + " bytes), was "
              + maxInFlightBytes);
      require(
          maxBytesQueuedPerPeer >= 1,
          "ringstore.requests.max-bytes-queued-per-peer must be >= 1 byte, was "
              + maxBytesQueuedPerPeer);
    }
  }

  /**
   * Where the HTTP gateway listens (port 0 picks a free port, for tests) and whether it serves
   * HTTPS ({@code tls}, its keystore already loaded and checked).
   */
  public record HttpSettings(
      String host,
      int port,
      TlsSettings.HttpTls tls,
      AuthSettings auth,
      List<String> allowedHosts,
      ConnectionSettings connections) {
    /** A host name, an IPv4 literal, a bracketed IPv6 literal, or {@code *} (any Host). */
    private static final Pattern ALLOWED_HOST =
        Pattern.compile(
            "\\*|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?"
                + "|\\[[0-9a-f:.]+]");

    public HttpSettings {
      require(host != null && !host.isBlank(), "ringstore.http.host must be set");
      require(port >= 0 && port <= 65535, "ringstore.http.port must be in 0..65535, was " + port);
      require(tls != null, "ringstore.http.tls must be set");
      require(auth != null, "ringstore.http.auth must be set");
      require(allowedHosts != null, "ringstore.http.allowed-hosts must be set");
      require(connections != null, "ringstore.http connection limits must be set");
      require(
          connections.managementPort() < 0
              || connections.managementPort() == 0
              || connections.managementPort() != port,
          "ringstore.http.management-port must differ from ringstore.http.port (" + port + ")");
      allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
      for (String name : allowedHosts) {
        require(
            ALLOWED_HOST.matcher(name).matches(),
            "ringstore.http.allowed-hosts: '"
                + name
                + "' is not a host name: give names as a browser puts them in the Host header, without"
                + " scheme, port or path (e.g. \"ringstore.example.com\"; IPv6 as \"[2001:db8::1]\"), or"
                + " \"*\" for any");
      }
    }

    public HttpSettings(String host, int port, TlsSettings.HttpTls tls, AuthSettings auth) {
      this(host, port, tls, auth, List.of(), ConnectionSettings.DEFAULT);
    }

    public HttpSettings(String host, int port) {
      this(host, port, TlsSettings.HttpTls.DISABLED, AuthSettings.DISABLED);
    }

    /** {@code https} or {@code http}. */
    public String scheme() {
      return tls.enabled() ? "https" : "http";
    }
  }

  /**
   * How many connections the gateway holds and for how long it waits for a request ({@code
   * io.ringstore.http.ConnectionGuard}; DESIGN invariant 6: one client cannot starve the others).
   *
   * @param maxPerAddress connections one client address may hold open at once
   * @param maxTotal connections the gateway holds open at once (all addresses)
   * @param headTimeout how long a connection may take to deliver a complete request head, from its
   *     opening or from the head's first byte (not while it idles between requests)
   * @param managementPort port of the listener that serves only {@code /health/*} and {@code
   *     /metrics}; -1 = none, 0 = a free one
   */
  public record ConnectionSettings(
      int maxPerAddress, int maxTotal, Duration headTimeout, int managementPort) {
    /** Connections the gateway holds when the file-descriptor limit cannot be read. */
    static final int FALLBACK_MAX_TOTAL = 4096;

    /** The defaults of reference.conf (the total sized from this process's descriptor limit). */
    public static final ConnectionSettings DEFAULT =
        new ConnectionSettings(256, defaultMaxTotal(), Duration.ofSeconds(10), -1);

    public ConnectionSettings {
      require(
          maxPerAddress >= 1,
          "ringstore.http.max-connections-per-address must be at least 1, was " + maxPerAddress);
      require(maxTotal >= 1, "ringstore.http.max-connections must be at least 1, was " + maxTotal);
      require(
          headTimeout != null && headTimeout.toMillis() >= 100,
          "ringstore.http.request-head-timeout must be at least 100ms, was " + headTimeout);
      require(
          managementPort >= -1 && managementPort <= 65535,
          "ringstore.http.management-port must be -1 (none) or in 0..65535, was " + managementPort);
    }

    static ConnectionSettings fromConfig(Config http) {
      String total = http.getString("max-connections").trim();
      return new ConnectionSettings(
          http.getInt("max-connections-per-address"),
          total.equalsIgnoreCase("auto") ? defaultMaxTotal() : parseTotal(total),
          http.getDuration("request-head-timeout"),
          http.getInt("management-port"));
    }

    private static int parseTotal(String value) {
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "ringstore.http.max-connections must be \"auto\" or a"
                + " number of connections, was '"
                + value
                + "'");
      }
    }

    /**
     * Half of this process's file-descriptor limit (the other half for RocksDB's files, the
     * cluster's connections and the journal), or {@value #FALLBACK_MAX_TOTAL} where the limit
     * cannot be read.
     */
    public static int defaultMaxTotal() {
      return totalFor(
          ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
              ? unix.getMaxFileDescriptorCount()
              : -1);
    }

    /** Half of a file-descriptor limit ({@code <= 0}: unknown), at least 1. */
    static int totalFor(long maxFileDescriptors) {
      if (maxFileDescriptors <= 0) {
        return FALLBACK_MAX_TOTAL;
      }
      return (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxFileDescriptors / 2));
    }
  }

  /**
   * Users and roles of the HTTP API ({@code ringstore.http.auth}); when enabled, the users file has
   * been read and parsed once here, so a missing or bad file stops the node with a message naming
   * it.
   */
  public record AuthSettings(
      boolean enabled,
      Path usersFile,
      Duration reloadInterval,
      String realm,
      Duration cacheTtl,
      int hashThreads,
      int maxQueuedChecks) {
    /** Authentication off. */
    public static final AuthSettings DISABLED =
        new AuthSettings(
            false, Path.of(""), Duration.ofSeconds(2), "ringstore", Duration.ofMinutes(10), 2, 64);

    public AuthSettings {
      require(
          !reloadInterval.isNegative() && !reloadInterval.isZero(),
          "ringstore.http.auth.reload-interval must be positive");
      require(!cacheTtl.isNegative(), "ringstore.http.auth.cache-ttl must not be negative");
      require(
          hashThreads >= 1 && hashThreads <= 64,
          "ringstore.http.auth.hash-threads must be in 1..64");
      require(maxQueuedChecks >= 1, "ringstore.http.auth.max-queued-checks must be at least 1");
      require(
          realm != null
              && !realm.isBlank()
              && realm.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\'),
          "ringstore.http.auth.realm must be printable ASCII without quotes or backslashes");
      if (enabled) {
        require(
            !usersFile.toString().isBlank(),
            "ringstore.http.auth.enabled = on needs "
                + "ringstore.http.auth.users-file (make one with `bin/ringstore user add NAME --role admin "
                + "--file FILE`, or `bin/ringstore certs DIR`, which writes DIR/users)");
        try {
          UsersFile.load(usersFile);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "ringstore.http.auth.users-file: " + e.getMessage(), e);
        }
      }
    }

    static AuthSettings fromConfig(Config auth) {
      return new AuthSettings(
          auth.getBoolean("enabled"),
          Path.of(auth.getString("users-file")),
          auth.getDuration("reload-interval"),
          auth.getString("realm"),
          auth.getDuration("cache-ttl"),
          auth.getInt("hash-threads"),
          auth.getInt("max-queued-checks"));
    }
  }

  /** The accepted values of {@code ringstore.storage.sync}. */
  public static final List<String> STORAGE_SYNC_MODES = List.of("per-write", "periodic", "off");

  /**
   * {@code ringstore.storage.sync}; the setting it replaced, {@code sync-writes}, stops the start
   * with the value to use instead (it is no longer in reference.conf, so only an operator sets it).
   */
  static String storageSync(Config c) {
    if (c.hasPath("storage.sync-writes")) {
      throw new IllegalArgumentException(
          "ringstore.storage.sync-writes was replaced by "
              + "ringstore.storage.sync: write `sync = per-write` for sync-writes = on, `sync = off` for "
              + "sync-writes = off, or remove it for the default (periodic: an fsync every "
              + "ringstore.storage.sync-interval, 1s); see README, Durability");
    }
    return c.getString("storage.sync");
  }

  /**
   * RocksDB options and the bound on storage calls in flight.
   *
   * @param sync when the write-ahead log is fsynced: {@code per-write}, {@code periodic} or {@code
   *     off}
   * @param syncInterval how often {@code periodic} fsyncs it
   * @param parallelism threads of the storage dispatcher
   * @param maxCallsInFlight storage calls queued or running at once, past which a call is refused
   */
  public record StorageSettings(
      String sync,
      Duration syncInterval,
      long blockCacheBytes,
      long writeBufferBytes,
      String compression,
      int parallelism,
      int maxCallsInFlight) {
    public StorageSettings {
      require(
          STORAGE_SYNC_MODES.contains(sync),
          "ringstore.storage.sync must be one of per-write, periodic, off; was " + sync);
      require(
          !syncInterval.isNegative() && !syncInterval.isZero(),
          "ringstore.storage.sync-interval must be > 0, was " + syncInterval.toMillis() + "ms");
      require(
          Set.of("none", "snappy", "lz4", "zstd").contains(compression),
          "ringstore.storage.compression must be one of none, snappy, lz4, zstd; was "
              + compression);
      require(
          parallelism >= 1 && parallelism <= 256,
          "ringstore.storage.parallelism must be in 1..256, was " + parallelism);
      require(
          maxCallsInFlight >= parallelism,
          "ringstore.storage.max-calls-in-flight must be at least ringstore.storage.parallelism ("
              + parallelism
              + "), was "
              + maxCallsInFlight);
    }
  }

  /**
   * Hinted handoff: how long a coordinator waits for a replica's ack before it stores a hint on a
   * fallback, how long and how many hints a fallback keeps per target, and the delivery pace.
   */
  public record HandoffSettings(
      Duration replicaAckTimeout,
      Duration hintWindow,
      int maxHintsPerTarget,
      Duration retryInterval,
      int maxInFlight,
      long maxHintBytes,
      long maxHintBytesPerTarget) {
    public HandoffSettings {
      require(
          !replicaAckTimeout.isNegative() && !replicaAckTimeout.isZero(),
          "ringstore.handoff.replica-ack-timeout must be > 0");
      require(
          !hintWindow.isNegative() && !hintWindow.isZero(),
          "ringstore.handoff.hint-window must be > 0");
      require(maxHintsPerTarget >= 1, "ringstore.handoff.max-hints-per-target must be >= 1");
      require(
          !retryInterval.isNegative() && !retryInterval.isZero(),
          "ringstore.handoff.retry-interval must be > 0");
      require(
          maxInFlight >= 1 && maxInFlight <= 1024,
          "ringstore.handoff.max-in-flight must be in 1..1024, was " + maxInFlight);
      require(maxHintBytes >= 1, "ringstore.handoff.max-hint-bytes must be >= 1 byte");
      require(
          maxHintBytesPerTarget >= 1,
          "ringstore.handoff.max-hint-bytes-per-target must be >= 1 byte");
    }
  }

  /** Anti-entropy: tree shape and the pace and bounds of exchange sessions. */
  public record AntiEntropySettings(
      boolean enabled,
      int treeSegments,
      double sessionsPerSecond,
      int maxConcurrentSessions,
      int maxSegmentsPerSession,
      int maxKeysPerSession,
      int keysInFlight,
      Duration sessionTimeout) {
    public AntiEntropySettings {
      require(
          treeSegments >= 1 && treeSegments <= (1 << 20) && Integer.bitCount(treeSegments) == 1,
          "ringstore.anti-entropy.tree-segments must be a power of two in 1..1048576");
      require(
          sessionsPerSecond > 0 && sessionsPerSecond <= 1000,
          "ringstore.anti-entropy.sessions-per-second must be in (0, 1000]");
      require(
          maxConcurrentSessions >= 1,
          "ringstore.anti-entropy.max-concurrent-sessions must be >= 1");
      require(
          maxSegmentsPerSession >= 1,
          "ringstore.anti-entropy.max-segments-per-session must be >= 1");
      require(maxKeysPerSession >= 1, "ringstore.anti-entropy.max-keys-per-session must be >= 1");
      require(keysInFlight >= 1, "ringstore.anti-entropy.keys-in-flight must be >= 1");
      require(
          !sessionTimeout.isNegative() && !sessionTimeout.isZero(),
          "ringstore.anti-entropy.session-timeout must be > 0");
    }
  }

  /** When a tombstone that every replica acked may be removed, and how often to look. */
  public record TombstoneSettings(Duration gracePeriod, Duration reapInterval) {
    public TombstoneSettings {
      require(
          !gracePeriod.isNegative() && !gracePeriod.isZero(),
          "ringstore.tombstones.grace-period must be > 0");
      require(
          !reapInterval.isNegative() && !reapInterval.isZero(),
          "ringstore.tombstones.reap-interval must be > 0");
    }
  }

  /**
   * For tests only: {@code clockOffset} shifts this node's wall clock, to run a node whose clock is
   * off from the others' (no protocol decision may depend on the nodes' clocks agreeing).
   */
  public record TestingSettings(Duration clockOffset) {
    public TestingSettings {
      require(clockOffset != null, "ringstore.testing.clock-offset must be set");
    }
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * Partition transfers (a replica that moved catches up) and leaving: keys and bytes per copied
   * batch, how long a node that released a replica is still a copy source, how long a leave waits
   * for the new hosts to catch up before the node leaves anyway; whether (and how often) a node
   * deletes the partitions it no longer replicates once that window has passed; how long a new
   * replica waits for the other nodes' descriptions and for each batch, when it starts over if no
   * other replica answered, and the bounds of its tree exchanges; how many replicas one rebalance
   * round moves; how often a leaving node announces itself and checks its former replicas, and how
   * long its announcement keeps it out of the other nodes' rings.
   */
  public record TransferSettings(
      int batchKeys,
      int batchBytes,
      Duration sourceWindow,
      Duration leaveTimeout,
      boolean reclaim,
      Duration reclaimInterval,
      Duration describeTimeout,
      Duration batchTimeout,
      Duration retryInterval,
      int maxExchangeRounds,
      int syncMaxKeys,
      int syncKeysInFlight,
      int maxSimultaneousMoves,
      Duration leaveCheckInterval,
      Duration drainTtl) {
    public TransferSettings {
      require(positive(describeTimeout), "ringstore.transfers.describe-timeout must be > 0");
      require(positive(batchTimeout), "ringstore.transfers.batch-timeout must be > 0");
      require(positive(retryInterval), "ringstore.transfers.retry-interval must be > 0");
      require(maxExchangeRounds >= 1, "ringstore.transfers.max-exchange-rounds must be at least 1");
      require(syncMaxKeys >= 1, "ringstore.transfers.sync-max-keys must be at least 1");
      require(syncKeysInFlight >= 1, "ringstore.transfers.sync-keys-in-flight must be at least 1");
      require(
          maxSimultaneousMoves >= 1,
          "ringstore.transfers.max-simultaneous-moves must be at least 1");
      require(positive(leaveCheckInterval), "ringstore.transfers.leave-check-interval must be > 0");
      require(
          drainTtl.compareTo(leaveCheckInterval) > 0,
          "ringstore.transfers.drain-ttl ("
              + drainTtl
              + ") must be longer than"
              + " ringstore.transfers.leave-check-interval ("
              + leaveCheckInterval
              + "): a leaving"
              + " node would drop in and out of the rings between its announcements");
      require(
          !reclaimInterval.isNegative() && !reclaimInterval.isZero(),
          "ringstore.transfers.reclaim-interval must be > 0");
      require(
          batchKeys >= 1 && batchKeys <= 10_000,
          "ringstore.transfers.batch-keys must be in 1..10000");
      require(
          batchBytes >= 1024 && batchBytes <= 2 * 1024 * 1024,
          "ringstore.transfers.batch-size must be in 1KiB..2MiB (below Artery's frame size)");
      require(
          !sourceWindow.isNegative() && !sourceWindow.isZero(),
          "ringstore.transfers.source-window must be > 0");
      require(
          !leaveTimeout.isNegative() && !leaveTimeout.isZero(),
          "ringstore.transfers.leave-timeout must be > 0");
    }
  }
}
