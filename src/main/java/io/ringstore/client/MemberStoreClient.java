package io.ringstore.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ringstore.cluster.RingView;
import io.ringstore.cluster.SettingsService;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.handoff.HintDirectory;
import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaSharding;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.event.Logging;

/**
 * A {@link StoreClient} that is a cluster member with role {@code client}: it holds no data and
 * coordinates its own requests, one hop fewer than over HTTP. {@link #connect} starts its own actor
 * system ({@link ClientConfig}: not a data node's configuration, the JVM never exits), joins
 * through the seeds, reads the ring's shape and N, R, W from a data node ({@link SettingsService})
 * and completes once a request can be served at once ({@link MemberConnector}). {@link #close}
 * leaves the cluster gracefully and terminates that actor system. Actor apps send the typed {@link
 * Ringstore} protocol to {@link #gateway()}.
 */
public final class MemberStoreClient implements StoreClient {
  /** Longest {@link #close} waits for the leave and the actor system's termination. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final ActorSystem<Void> system;
  private final RingstoreClient client;
  private final Replication replication;
  private final AtomicBoolean closing = new AtomicBoolean();

  private MemberStoreClient(ActorSystem<Void> system, RingstoreClient client) {
    this.system = system;
    this.client = client;
    RingstoreSettings settings = client.settings();
    this.replication =
        new Replication(
            settings.replication().n(),
            settings.replication().r(),
            settings.replication().w(),
            settings.requests().timeout().toMillis());
  }

  /**
   * Joins the cluster as {@code settings} say ({@link StoreClient#connect}).
   *
   * @throws IllegalArgumentException at once when a seed is not {@code host:port}
   */
  static CompletionStage<StoreClient> connect(ClientSettings settings) {
    return connect(settings, system -> {});
  }

  /** As {@link #connect(ClientSettings)}; {@code started} sees the actor system it creates. */
  static CompletionStage<StoreClient> connect(
      ClientSettings settings, Consumer<ActorSystem<?>> started) {
    if (settings.mode() != ClientSettings.Mode.MEMBER) {
      throw new IllegalArgumentException("not member settings: " + settings);
    }
    Config config = ClientConfig.load(settings);
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), ClientConfig.SYSTEM_NAME, config);
    started.accept(system);
    CompletableFuture<MemberConnector.Built> built = new CompletableFuture<>();
    // Pekko gives up joining the seeds after the join timeout and terminates the system
    // (shutdown-after-unsuccessful-join-seed-nodes); a downing does too
    system
        .getWhenTerminated()
        .thenRun(
            () ->
                built.completeExceptionally(
                    new ConnectFailedException(
                        "its actor system terminated before the client could serve (no seed node"
                            + " let it join in time, or it was downed)",
                        settings.endpoints(),
                        settings.joinTimeout(),
                        null)));
    CompletableFuture<StoreClient> result = new CompletableFuture<>();
    // the callback completes result itself
    var unused =
        built.whenComplete(
            (ready, failure) -> {
              if (failure == null) {
                result.complete(new MemberStoreClient(system, ready.client()));
              } else {
                system.terminate();
                system
                    .getWhenTerminated()
                    .whenComplete((done, e) -> result.completeExceptionally(failure));
              }
            });
    try {
      system.systemActorOf(
          MemberConnector.create(
              settings,
              cluster -> build(system, cluster),
              system.dispatchers().lookup(DispatcherSelector.blocking()),
              built),
          "ringstore-connector",
          Props.empty());
    } catch (RuntimeException e) {
      built.completeExceptionally(e);
    }
    return result;
  }

  /**
   * The client of {@code system} with the cluster's settings over the client's own configuration:
   * its ring (the data nodes' partitions, tokens and N), the replica sharding proxy, the gateway.
   */
  private static MemberConnector.Built build(
      ActorSystem<?> system, SettingsService.ClusterSettings cluster) {
    RingstoreSettings settings =
        RingstoreSettings.fromConfig(withClusterSettings(system.settings().config(), cluster));
    RingView ringView =
        new RingView(Cluster.get(Adapter.toClassic(system)), RingView.ringConfig(settings));
    ActorRef<?> region =
        ReplicaSharding.init(system, ringView, null, settings.transfers().maxSimultaneousMoves());
    ReplicaDirectory directory =
        ReplicaDirectory.ofSharding(
            system, ringView, new LocalReplicas(), settings.requests().directRoutes());
    RingstoreClient client =
        RingstoreClient.create(system, directory, settings, HintDirectory.start(system));
    return new MemberConnector.Built(client, ringView, region);
  }

  /** {@code config} with the values a data node told over it. */
  static Config withClusterSettings(Config config, SettingsService.ClusterSettings cluster) {
    return ConfigFactory.parseMap(
            Map.of(
                "ringstore.ring.partitions", cluster.partitions(),
                "ringstore.ring.tokens-per-member", cluster.tokensPerMember(),
                "ringstore.replication.n", cluster.n(),
                "ringstore.replication.r", cluster.r(),
                "ringstore.replication.w", cluster.w(),
                "ringstore.requests.timeout", cluster.timeoutMillis() + "ms",
                "ringstore.requests.max-timeout", cluster.maxTimeoutMillis() + "ms",
                "ringstore.requests.sloppy-quorum", cluster.sloppyQuorum()))
        .withFallback(config);
  }

  @Override
  public CompletionStage<ReadResult> get(String key, ReadOptions options) {
    return client.get(key, options);
  }

  @Override
  public CompletionStage<WriteResult> put(
      String key, byte[] value, String contentType, String context, WriteOptions options) {
    return client.put(key, value, contentType, context, options);
  }

  @Override
  public CompletionStage<WriteResult> delete(String key, String context, WriteOptions options) {
    return client.delete(key, context, options);
  }

  @Override
  public Replication replication() {
    return replication;
  }

  /** This member's actor system (for an actor app's own actors; {@link #close} terminates it). */
  public ActorSystem<?> system() {
    return system;
  }

  /** The gateway accepting the typed {@link Ringstore} protocol, for actor apps. */
  public ActorRef<Ringstore.Command> gateway() {
    return client.gateway();
  }

  /**
   * Leaves the cluster (the data nodes see this member leave and removed, not unreachable) and
   * terminates the actor system, waiting at most {@link #CLOSE_TIMEOUT}; never exits the JVM.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closing.compareAndSet(false, true)) {
      var classic = Adapter.toClassic(system);
      CoordinatedShutdown shutdown = CoordinatedShutdown.get(classic);
      if (shutdown.getShutdownReason().isEmpty()) {
        // Once this member has left (removed), terminating the actor system aborts Artery's TCP
        // connections to every node, and each of its outbound streams (control, ordinary and
        // large messages, per node) logs the abort as a warning: "Upstream failed ... The
        // connection has been aborted". Nothing is lost then, so a clean close raises the
        // system's classic log level to ERROR for that last phase only.
        shutdown.addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "ringstore-quiet-transport-teardown",
            () -> {
              classic.eventStream().setLogLevel(Logging.ErrorLevel());
              return CompletableFuture.completedFuture(Done.getInstance());
            });
      }
      shutdown.run(CoordinatedShutdown.clusterLeavingReason());
    }
    try {
      system
          .getWhenTerminated()
          .toCompletableFuture()
          .get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      system.terminate();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // terminated all the same
    }
  }
}
