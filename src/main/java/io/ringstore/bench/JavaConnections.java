package io.ringstore.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ringstore.NodeConfig;
import io.ringstore.client.ReadOptions;
import io.ringstore.client.RingstoreClient;
import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.Quorum;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The Java-client side of a run ({@code --mode java}): this JVM joins the cluster through {@code
 * --seed} as a member with role {@code client} (it holds no data and coordinates its own requests,
 * one hop fewer than HTTP) and every worker calls the shared {@link RingstoreClient}, waiting for
 * each answer. The replication settings are ringstore's defaults (N=3, R=W=2) unless {@code
 * --config FILE} layers others, which must match the cluster's.
 */
final class JavaConnections implements AutoCloseable {
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);
  private final ActorSystem<Void> system;
  private final RingstoreClient client;
  private final ReadOptions readOptions;
  private final WriteOptions writeOptions;
  private final long waitMillis;

  /** Joins the cluster and waits until a request is answered; throws if that fails in time. */
  JavaConnections(BenchOptions options, String configFile) throws InterruptedException {
    Config overrides =
        ConfigFactory.parseString(
                """
        ringstore.role = client
        pekko.cluster.roles = [client]
        pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
        pekko.coordinated-shutdown.exit-jvm = off
        pekko.loglevel = WARNING
        """)
            .withValue(
                "pekko.cluster.seed-nodes",
                ConfigValueFactory.fromIterable(
                    List.of("pekko://" + NodeConfig.SYSTEM_NAME + "@" + options.seed())));
    Config file =
        configFile == null ? ConfigFactory.empty() : ConfigFactory.parseFile(new File(configFile));
    this.system =
        ActorSystem.create(
            Behaviors.empty(), NodeConfig.SYSTEM_NAME, NodeConfig.load(overrides, file));
    this.client = RingstoreClient.create(system);
    Duration timeout = options.requestTimeout();
    this.readOptions =
        new ReadOptions(options.r() == null ? null : Quorum.parse(options.r()), timeout);
    this.writeOptions =
        new WriteOptions(options.w() == null ? null : Quorum.parse(options.w()), timeout, null);
    this.waitMillis = timeout.toMillis() + 3000;
    awaitReady();
  }

  private void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
    Cluster cluster = Cluster.get(system);
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() - deadline > 0) {
        close();
        throw new IllegalStateException(
            "did not join the cluster through "
                + system.settings().config().getStringList("pekko.cluster.seed-nodes")
                + " within "
                + JOIN_TIMEOUT.toSeconds()
                + " s");
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    Connection probe = connection(0);
    while (!probe.readForUpdate(KeyChooser.key(0)).ok()) {
      if (System.nanoTime() - deadline > 0) {
        close();
        throw new IllegalStateException(
            "joined, but no read was answered within " + JOIN_TIMEOUT.toSeconds() + " s");
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  Connection connection(int worker) {
    return new ClientConnection(client::get, client::put, readOptions, writeOptions, waitMillis);
  }

  /**
   * Called once on the bench's main thread at the end of the run: waits (bounded) for the leave.
   */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // leaving the cluster took too long: the JVM exits anyway
    }
  }
}
