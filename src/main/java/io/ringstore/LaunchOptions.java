package io.ringstore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node's command-line options, as the launcher {@code bin/ringstore start} passes them: parsed
 * and checked here so that a typo stops the node with a usage message instead of starting it
 * wrongly.
 */
public record LaunchOptions(
    Optional<Integer> httpPort,
    Optional<Integer> clusterPort,
    Optional<String> host,
    List<HostPort> seeds,
    Optional<Path> dataDir,
    Optional<Path> configFile,
    boolean forceNewCluster,
    boolean insecure,
    boolean repair) {

  public static final String USAGE =
      """
      usage: ringstore [--http-port P] [--cluster-port P] [--host H] [--seed HOST:PORT]... \
      [--data-dir DIR] [--config FILE] [--force-new-cluster] [--insecure] [--repair]
        --http-port P       HTTP gateway port (default 8080)
        --cluster-port P    Pekko cluster (Artery) port (default 25520)
        --host H            address to bind and advertise, HTTP and cluster (default 127.0.0.1)
        --seed HOST:PORT    cluster port of a seed node; repeatable. Without it the node seeds itself.
        --data-dir DIR      data directory (default ./data)
        --config FILE       HOCON file layered over the defaults (e.g. conf/cluster.conf)
        --force-new-cluster disaster recovery only: form the cluster with this node alone, without
                            asking the members it remembers. If any of them still runs, there are
                            then two clusters that never exchange writes again.
        --insecure          start on a non-loopback --host without internode TLS, HTTPS or
                            authentication (refused otherwise); warned about at every start.
        --repair            when a data file is damaged (the node refused to start with exit status
                            4): move the damaged part to DIR/damaged-<time>/, log at ERROR what is
                            lost, and bring this node's partitions back from the other replicas
                            before it reports ready.""";

  public LaunchOptions {
    seeds = List.copyOf(seeds);
  }

  /** A {@code host:port} pair given on the command line. */
  public record HostPort(String host, int port) {
    static HostPort parse(String text) {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || colon == text.length() - 1) {
        throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
      }
      return new HostPort(
          text.substring(0, colon), LaunchOptions.port(text.substring(colon + 1), "--seed"));
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /** Parses the arguments; throws IllegalArgumentException with a message fit for the user. */
  public static LaunchOptions parse(String... args) {
    Optional<Integer> httpPort = Optional.empty();
    Optional<Integer> clusterPort = Optional.empty();
    Optional<String> host = Optional.empty();
    List<HostPort> seeds = new ArrayList<>();
    Optional<Path> dataDir = Optional.empty();
    Optional<Path> configFile = Optional.empty();
    boolean forceNewCluster = false;
    boolean insecure = false;
    boolean repair = false;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("-h") || option.equals("--help")) {
        throw new IllegalArgumentException("help requested");
      }
      if (option.equals("--force-new-cluster")) {
        forceNewCluster = true;
        continue;
      }
      if (option.equals("--insecure")) {
        insecure = true;
        continue;
      }
      if (option.equals("--repair")) {
        repair = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--http-port" -> httpPort = Optional.of(port(value, option));
        case "--cluster-port" -> clusterPort = Optional.of(port(value, option));
        case "--host" -> host = Optional.of(nonBlank(value, option));
        case "--seed" -> seeds.add(HostPort.parse(value));
        case "--data-dir" -> dataDir = Optional.of(Path.of(nonBlank(value, option)));
        case "--config" -> configFile = Optional.of(Path.of(nonBlank(value, option)));
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    return new LaunchOptions(
        httpPort, clusterPort, host, seeds, dataDir, configFile, forceNewCluster, insecure, repair);
  }

  private static int port(String value, String option) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        option + " needs a port number 0..65535, got '" + value + "'");
  }

  private static String nonBlank(String value, String option) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(option + " needs a non-empty value");
    }
    return value;
  }
}
