package io.ringstore;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ringstore.cluster.ClusterIdFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a node's configuration from its layers, highest first: command-line options, the {@code
 * --config} file, the operator's application config ({@code -Dconfig.file}, e.g.
 * conf/application.conf), {@code ringstore-node.conf} (Pekko settings of a node), {@code
 * ringstore-persistence.conf} (the hint journal), and every {@code reference.conf}. System
 * properties override all of them, as usual with Typesafe Config.
 */
public final class NodeConfig {
  /** The actor system name; it is part of every cluster address. */
  public static final String SYSTEM_NAME = "ringstore";

  private NodeConfig() {}

  public static Config load(LaunchOptions options) {
    Config layered = ConfigFactory.empty();
    if (options.configFile().isPresent()) {
      var file = options.configFile().get();
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("--config: cannot read " + file.toAbsolutePath());
      }
      layered = ConfigFactory.parseFile(file.toFile());
    }
    return withJoinPlan(load(overrides(options), layered));
  }

  /**
   * Decides how a data node gets into its cluster (DESIGN invariant 7). A data directory with
   * cluster history ({@link ClusterIdFile#hasHistory}) must never let Pekko's first-seed process
   * run, which forms a new cluster when no seed answers in time: its seeds move to {@code
   * ringstore.cluster.seed-nodes}, Pekko gets none, and {@code ringstore.cluster.rejoin} tells the
   * node to rejoin through {@link io.ringstore.cluster.ClusterJoiner}. So does {@code
   * --force-new-cluster}. The data directory's cluster id goes to {@code ringstore.cluster.id},
   * which Pekko's join compatibility check compares ({@link
   * io.ringstore.cluster.ClusterIdCompatChecker}). A fresh data directory keeps the configured
   * seeds (the first node of a new cluster seeds itself).
   */
  static Config withJoinPlan(Config config) {
    String prefix = "pekko://" + SYSTEM_NAME + "@";
    List<String> seeds =
        config.getStringList("pekko.cluster.seed-nodes").stream()
            .map(s -> s.startsWith(prefix) ? s.substring(prefix.length()) : s)
            .toList();
    config =
        config.withValue("ringstore.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
    if (!"data".equals(config.getString("ringstore.role"))
        || config.getInt("pekko.remote.artery.canonical.port") == 0) {
      return config;
    }
    Path dataDir = Path.of(config.getString("ringstore.data-dir"));
    Optional<String> id = ClusterIdFile.load(dataDir);
    if (id.isPresent()) {
      config = config.withValue("ringstore.cluster.id", ConfigValueFactory.fromAnyRef(id.get()));
    }
    if (ClusterIdFile.hasHistory(dataDir)
        || config.getBoolean("ringstore.cluster.force-new-cluster")) {
      config =
          config
              .withValue("ringstore.cluster.rejoin", ConfigValueFactory.fromAnyRef(true))
              .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of()));
    }
    return config;
  }

  /** Layers {@code overrides} over {@code config} over the node defaults, then resolves. */
  public static Config load(Config overrides, Config config) {
    ConfigFactory.invalidateCaches();
    Config merged =
        overrides
            .withFallback(config)
            .withFallback(ConfigFactory.defaultApplication())
            .withFallback(ConfigFactory.parseResources("ringstore-node.conf"))
            .withFallback(ConfigFactory.parseResources("ringstore-persistence.conf"));
    return ConfigFactory.load(merged);
  }

  static Config overrides(LaunchOptions options) {
    Map<String, Object> values = new HashMap<>();
    options.httpPort().ifPresent(p -> values.put("ringstore.http.port", p));
    options.clusterPort().ifPresent(p -> values.put("pekko.remote.artery.canonical.port", p));
    options
        .host()
        .ifPresent(
            h -> {
              values.put("ringstore.http.host", h);
              values.put("pekko.remote.artery.canonical.hostname", h);
            });
    options.dataDir().ifPresent(d -> values.put("ringstore.data-dir", d.toString()));
    if (options.forceNewCluster()) {
      values.put("ringstore.cluster.force-new-cluster", true);
    }
    if (options.insecure()) {
      values.put("ringstore.security.allow-insecure", true);
    }
    if (options.repair()) {
      values.put("ringstore.storage.repair-damaged-files", true);
    }
    Config config = ConfigFactory.parseMap(values);
    if (!options.seeds().isEmpty()) {
      List<String> seeds =
          options.seeds().stream()
              .map(s -> "pekko://" + SYSTEM_NAME + "@" + s.host() + ":" + s.port())
              .toList();
      config = config.withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
    }
    return config;
  }
}
