package io.ringstore;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ringstore.cluster.KnownMembers;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a node's configuration from its layers, highest first: command-line options, the
 * {@code --config} file, the operator's application config ({@code -Dconfig.file}, e.g.
 * conf/application.conf), {@code ringstore-node.conf} (Pekko settings of a node),
 * {@code ringstore-persistence.conf} (the hint journal), and every
 * {@code reference.conf}. System properties override all of them, as usual with Typesafe Config.
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
    return withRememberedSeeds(load(overrides(options), layered));
  }

  /**
   * Adds the members remembered in the data directory ({@link KnownMembers}) to the seed nodes, so a
   * restarted node rejoins its cluster even when its configured seed is itself.
   */
  static Config withRememberedSeeds(Config config) {
    if (!"data".equals(config.getString("ringstore.role"))
        || config.getInt("pekko.remote.artery.canonical.port") == 0) {
      return config;
    }
    List<String> remembered =
        KnownMembers.load(java.nio.file.Path.of(config.getString("ringstore.data-dir")));
    if (remembered.isEmpty()) {
      return config;
    }
    String prefix = "pekko://" + SYSTEM_NAME + "@";
    String self = config.getString("pekko.remote.artery.canonical.hostname") + ":"
        + config.getInt("pekko.remote.artery.canonical.port");
    List<String> configured = config.getStringList("pekko.cluster.seed-nodes").stream()
        .map(s -> s.startsWith(prefix) ? s.substring(prefix.length()) : s)
        .toList();
    List<String> seeds = KnownMembers.seeds(self, configured, remembered).stream()
        .map(s -> prefix + s)
        .toList();
    return config.withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
  }

  /** Layers {@code overrides} over {@code config} over the node defaults, then resolves. */
  public static Config load(Config overrides, Config config) {
    ConfigFactory.invalidateCaches();
    Config merged = overrides
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
    options.host().ifPresent(h -> {
      values.put("ringstore.http.host", h);
      values.put("pekko.remote.artery.canonical.hostname", h);
    });
    options.dataDir().ifPresent(d -> values.put("ringstore.data-dir", d.toString()));
    Config config = ConfigFactory.parseMap(values);
    if (!options.seeds().isEmpty()) {
      List<String> seeds = options.seeds().stream()
          .map(s -> "pekko://" + SYSTEM_NAME + "@" + s.host() + ":" + s.port())
          .toList();
      config = config.withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
    }
    return config;
  }
}
