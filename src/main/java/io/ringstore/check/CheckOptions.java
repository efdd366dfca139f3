package io.ringstore.check;

import io.ringstore.tools.ClientAccess;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The settings of a consistency check, validated on construction.
 *
 * @param nodes the nodes' HTTP endpoints as {@code host:port}; requests rotate over them
 * @param clients concurrent client threads
 * @param keysPerClient keys each client owns (it is their only writer)
 * @param duration how long the load runs ({@link ConsistencyCheck#run}; the library's {@link
 *     ConsistencyCheck#start} runs until {@code stop()})
 * @param r the read quorum sent as {@code ?r=} ({@code 1}..N, {@code one}, {@code quorum}, {@code
 *     all})
 * @param w the write quorum sent as {@code ?w=}
 * @param requestTimeout sent as {@code ?timeout=}; the HTTP client gives up one second later
 * @param convergeTimeout how long to wait after the load for the replicas to converge
 * @param valueSize bytes per value (at least the {@code key:seq:} prefix; padded with 'x')
 * @param access HTTP or HTTPS and the credentials sent with every request
 */
public record CheckOptions(
    List<String> nodes,
    int clients,
    int keysPerClient,
    Duration duration,
    String r,
    String w,
    Duration requestTimeout,
    Duration convergeTimeout,
    int valueSize,
    ClientAccess access) {

  private static final Pattern HOST_PORT =
      Pattern.compile("[A-Za-z0-9.\\-]+:\\d{1,5}|\\[[0-9A-Fa-f:.]+\\]:\\d{1,5}");
  private static final Pattern QUORUM = Pattern.compile("[1-9]\\d{0,2}|one|quorum|all");
  static final int MAX_VALUE_SIZE = 1024 * 1024;

  public CheckOptions {
    Objects.requireNonNull(nodes, "nodes");
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("at least one node (host:port) is needed");
    }
    nodes.forEach(CheckOptions::requireHostPort);
    if (clients < 1 || clients > 1024) {
      throw new IllegalArgumentException("clients must be 1..1024, got " + clients);
    }
    if (keysPerClient < 1 || keysPerClient > 10_000) {
      throw new IllegalArgumentException("keys per client must be 1..10000, got " + keysPerClient);
    }
    positive(duration, "duration");
    if (r == null || !QUORUM.matcher(r).matches()) {
      throw new IllegalArgumentException("r must be a number, one, quorum or all, got '" + r + "'");
    }
    if (w == null || !QUORUM.matcher(w).matches()) {
      throw new IllegalArgumentException("w must be a number, one, quorum or all, got '" + w + "'");
    }
    positive(requestTimeout, "request timeout");
    if (requestTimeout.toMillis() < 1 || requestTimeout.toMillis() > 60_000) {
      throw new IllegalArgumentException(
          "request timeout must be 1..60000 ms (the server's limit), got "
              + requestTimeout.toMillis()
              + " ms");
    }
    positive(convergeTimeout, "converge timeout");
    if (valueSize < 1 || valueSize > MAX_VALUE_SIZE) {
      throw new IllegalArgumentException(
          "value size must be 1.." + MAX_VALUE_SIZE + " bytes, got " + valueSize);
    }
    Objects.requireNonNull(access, "access");
  }

  /** Settings over plain HTTP without credentials. */
  public CheckOptions(
      List<String> nodes,
      int clients,
      int keysPerClient,
      Duration duration,
      String r,
      String w,
      Duration requestTimeout,
      Duration convergeTimeout,
      int valueSize) {
    this(
        nodes,
        clients,
        keysPerClient,
        duration,
        r,
        w,
        requestTimeout,
        convergeTimeout,
        valueSize,
        ClientAccess.PLAIN);
  }

  /** The defaults of {@code bin/ringstore check} for these nodes. */
  public static CheckOptions defaults(List<String> nodes) {
    return new CheckOptions(
        nodes,
        8,
        4,
        Duration.ofSeconds(60),
        "2",
        "2",
        Duration.ofSeconds(2),
        Duration.ofSeconds(120),
        100);
  }

  public CheckOptions withClients(int clients) {
    return new CheckOptions(
        nodes,
        clients,
        keysPerClient,
        duration,
        r,
        w,
        requestTimeout,
        convergeTimeout,
        valueSize,
        access);
  }

  public CheckOptions withKeysPerClient(int keysPerClient) {
    return new CheckOptions(
        nodes,
        clients,
        keysPerClient,
        duration,
        r,
        w,
        requestTimeout,
        convergeTimeout,
        valueSize,
        access);
  }

  public CheckOptions withDuration(Duration duration) {
    return new CheckOptions(
        nodes,
        clients,
        keysPerClient,
        duration,
        r,
        w,
        requestTimeout,
        convergeTimeout,
        valueSize,
        access);
  }

  public CheckOptions withQuorums(String r, String w) {
    return new CheckOptions(
        nodes,
        clients,
        keysPerClient,
        duration,
        r,
        w,
        requestTimeout,
        convergeTimeout,
        valueSize,
        access);
  }

  public CheckOptions withRequestTimeout(Duration requestTimeout) {
    return new CheckOptions(
        nodes,
        clients,
        keysPerClient,
        duration,
        r,
        w,
        requestTimeout,
        convergeTimeout,
        valueSize,
        access);
  }

  public CheckOptions withConvergeTimeout(Duration convergeTimeout) {
    return new CheckOptions(
        nodes,
        clients,
        keysPerClient,
        duration,
        r,
        w,
        requestTimeout,
        convergeTimeout,
        valueSize,
        access);
  }

  public CheckOptions withValueSize(int valueSize) {
    return new CheckOptions(
        nodes,
        clients,
        keysPerClient,
        duration,
        r,
        w,
        requestTimeout,
        convergeTimeout,
        valueSize,
        access);
  }

  public CheckOptions withAccess(ClientAccess access) {
    return new CheckOptions(
        nodes,
        clients,
        keysPerClient,
        duration,
        r,
        w,
        requestTimeout,
        convergeTimeout,
        valueSize,
        access);
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

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
