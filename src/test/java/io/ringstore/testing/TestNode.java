package io.ringstore.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ringstore.NodeConfig;
import io.ringstore.RingstoreNode;
import io.ringstore.config.RingstoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.testkit.javadsl.TestKit;

/**
 * One ringstore node in this JVM for tests: its own actor system on 127.0.0.1 with free ports
 * (cluster and HTTP), a data directory, and {@code serialize-messages = on} so every message is
 * proven to serialize. Join it explicitly ({@link #joinSelf()} or {@link #join(TestNode)}); {@link
 * #close()} stops it.
 */
public final class TestNode implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final RingstoreNode node;
  private final RingstoreSettings settings;

  private TestNode(ActorSystem<Void> system, RingstoreNode node, RingstoreSettings settings) {
    this.system = system;
    this.node = node;
    this.settings = settings;
  }

  /**
   * Test configuration of a node with the given N, R, W and data directory; {@code extraHocon}
   * wins.
   */
  public static Config config(Path dataDir, int n, int r, int w, String extraHocon) {
    Config overrides =
        ConfigFactory.parseString(
            "ringstore.data-dir = \""
                + dataDir.toString().replace("\\", "/")
                + "\"\n"
                + "ringstore.replication { n = "
                + n
                + ", r = "
                + r
                + ", w = "
                + w
                + " }\n"
                + "ringstore.http { host = \"127.0.0.1\", port = 0 }\n"
                + "ringstore.storage { block-cache-size = 8MiB, write-buffer-size = 4MiB, parallelism = 4 }\n"
                + "pekko.remote.artery.canonical { hostname = \"127.0.0.1\", port = 0 }\n"
                + "pekko.actor.serialize-messages = on\n"
                + "pekko.coordinated-shutdown.exit-jvm = off\n"
                + "pekko.coordinated-shutdown.terminate-actor-system = on\n"
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                + "pekko.loglevel = WARNING\n"
                + extraHocon
                + "\n");
    return NodeConfig.load(overrides, ConfigFactory.empty());
  }

  public static TestNode start(Config config) {
    RingstoreSettings settings = RingstoreSettings.fromConfig(config);
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    try {
      RingstoreNode node = RingstoreNode.start(system, settings);
      return new TestNode(system, node, settings);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  public static TestNode start(Path dataDir, int n, int r, int w) {
    return start(config(dataDir, n, r, w, ""));
  }

  public TestNode joinSelf() {
    cluster().join(cluster().selfAddress());
    return this;
  }

  public TestNode join(TestNode seed) {
    cluster().join(seed.cluster().selfAddress());
    return this;
  }

  /** Waits until this node sees {@code members} Up members. */
  public TestNode awaitUpMembers(int members, Duration max) {
    new TestKit(Adapter.toClassic(system)) {
      {
        awaitAssert(
            max,
            Duration.ofMillis(100),
            () -> {
              long up = 0;
              for (var m : cluster().state().getMembers()) {
                if (m.status() == MemberStatus.up()) {
                  up++;
                }
              }
              if (up != members) {
                throw new AssertionError("expected " + members + " Up members, saw " + up);
              }
              return null;
            });
      }
    };
    return this;
  }

  /** Waits until /health/ready would answer 200 and returns the HTTP port. */
  public int awaitReady(Duration max) {
    int port = httpPort(max);
    new TestKit(Adapter.toClassic(system)) {
      {
        awaitAssert(
            max,
            Duration.ofMillis(100),
            () -> {
              if (!node.readiness().isReady()) {
                throw new AssertionError("node not ready");
              }
              return null;
            });
      }
    };
    return port;
  }

  public int httpPort(Duration max) {
    try {
      return node.httpBinding()
          .toCompletableFuture()
          .get(max.toMillis(), TimeUnit.MILLISECONDS)
          .localAddress()
          .getPort();
    } catch (Exception e) {
      throw new AssertionError("HTTP gateway did not bind", e);
    }
  }

  public Cluster cluster() {
    return Cluster.get(Adapter.toClassic(system));
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public RingstoreNode node() {
    return node;
  }

  public RingstoreSettings settings() {
    return settings;
  }

  /** The node's {@code host:port} cluster name. */
  public String name() {
    return node.name();
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node " + name() + " did not stop in 30 s", e);
    }
  }
}
