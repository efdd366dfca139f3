package io.ringstore.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;

/**
 * Builds the configuration of a client member's actor system from its layers, highest first: system
 * properties, {@link ClientSettings#config()} (the app's TLS, canonical hostname, …), what the
 * settings say (the seed nodes, and Pekko's join giving up after the join timeout), {@code
 * ringstore-client.conf} (role {@code client}, port 0, the JVM never exits), {@code
 * ringstore-member.conf} (what every member needs: serialization, sharding, the large-message lane)
 * and every {@code reference.conf}. Unlike a data node's configuration it has no storage, hint
 * journal or HTTP server layer, and it ignores the app's {@code application.conf}, which configures
 * the app's own actor systems.
 */
public final class ClientConfig {
  /** The actor system name of every ringstore member; it is part of every cluster address. */
  public static final String SYSTEM_NAME = "ringstore";

  private static final String ADDRESS_PREFIX = "pekko://" + SYSTEM_NAME + "@";

  private ClientConfig() {}

  /**
   * The resolved configuration of a client member joining through {@code settings}' seeds.
   *
   * @throws IllegalArgumentException when a seed is not {@code host:port}
   */
  public static Config load(ClientSettings settings) {
    Config fromSettings =
        ConfigFactory.empty()
            .withValue(
                "pekko.cluster.seed-nodes",
                ConfigValueFactory.fromIterable(seedAddresses(settings.endpoints())))
            .withValue(
                "pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes",
                ConfigValueFactory.fromAnyRef(settings.joinTimeout().toMillis() + "ms"));
    ClassLoader loader = ClientConfig.class.getClassLoader();
    return ConfigFactory.defaultOverrides(loader)
        .withFallback(settings.config())
        .withFallback(fromSettings)
        .withFallback(ConfigFactory.parseResources(loader, "ringstore-client.conf"))
        .withFallback(ConfigFactory.defaultReference(loader))
        .resolve();
  }

  /**
   * Pekko's addresses of the seeds: {@code host:port} becomes {@code pekko://ringstore@host:port};
   * a full {@code pekko://} address stays as it is.
   */
  static List<String> seedAddresses(List<String> seeds) {
    return seeds.stream().map(ClientConfig::seedAddress).toList();
  }

  private static String seedAddress(String seed) {
    if (seed.startsWith("pekko://")) {
      return seed;
    }
    int colon = seed.lastIndexOf(':');
    if (colon <= 0 || colon == seed.length() - 1) {
      throw new IllegalArgumentException("a seed node is host:port, not \"" + seed + "\"");
    }
    try {
      int port = Integer.parseInt(seed.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("seed port out of range: \"" + seed + "\"");
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a seed node is host:port, not \"" + seed + "\"", e);
    }
    return ADDRESS_PREFIX + seed;
  }
}
