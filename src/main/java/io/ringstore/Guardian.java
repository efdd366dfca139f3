package io.ringstore;

import io.ringstore.cluster.ClusterJoiner;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.storage.DamageRepair;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;

/**
 * The root actor of a node: starts the node's parts ({@link RingstoreNode}) and gets it into its
 * cluster (DESIGN invariant 7): a node whose data directory has belonged to a cluster rejoins it
 * through {@link ClusterJoiner} and never forms one by itself; a fresh node joins its seeds through
 * Pekko's seed process, or forms a new cluster when it has none. Then it has nothing more to do.
 */
public final class Guardian {
  /**
   * Exit status of a node refused by its cluster (its data directory belongs to another cluster).
   */
  public static final int EXIT_REFUSED = 3;

  private Guardian() {}

  public static Behavior<Void> create(RingstoreSettings settings) {
    return create(
        settings,
        DamageRepair.Report.NONE,
        settings.holdsData() ? RingstoreNode.openStorage(settings) : null);
  }

  /**
   * The root actor of a node whose start repaired {@code repairs} (see {@link DataDirectoryCheck}),
   * on storage opened before the actor system started ({@code opened}, null on a client member):
   * its setup never waits for RocksDB or for a rebuild of the trees.
   */
  public static Behavior<Void> create(
      RingstoreSettings settings, DamageRepair.Report repairs, RingstoreNode.OpenedStorage opened) {
    return Behaviors.setup(
        ctx -> {
          Cluster cluster = Cluster.get(Adapter.toClassic(ctx.getSystem()));
          var c = settings.cluster();
          ClusterJoiner.Mode mode =
              !settings.holdsData()
                  ? ClusterJoiner.Mode.PASSIVE
                  : c.forceNewCluster()
                      ? ClusterJoiner.Mode.FORCE_NEW
                      : c.rejoin() ? ClusterJoiner.Mode.REJOIN : ClusterJoiner.Mode.PASSIVE;
          exitRefusedOnIncompatibleConfig(ctx.getSystem());
          RingstoreNode node =
              RingstoreNode.start(
                  ctx.getSystem(), settings, mode, reason -> exitRefused(), repairs, opened);
          if (mode == ClusterJoiner.Mode.PASSIVE && cluster.settings().SeedNodes().isEmpty()) {
            ctx.getLog().info("no seed nodes configured: {} starts a new cluster", node.name());
            cluster.join(cluster.selfAddress());
          }
          node.httpBinding()
              .whenComplete(
                  (binding, failure) -> {
                    if (failure != null) {
                      ctx.getSystem()
                          .log()
                          .error(
                              "cannot bind the HTTP gateway on {}:{}: {}",
                              settings.http().host(),
                              settings.http().port(),
                              failure.getMessage());
                      ctx.getSystem().terminate();
                    }
                  });
          return Behaviors.empty();
        });
  }

  /** The node must not be in the cluster it found: shut down with {@link #EXIT_REFUSED}. */
  private static void exitRefused() {
    Thread exit = new Thread(() -> System.exit(EXIT_REFUSED), "ringstore-refused-exit");
    exit.setDaemon(false);
    exit.start();
  }

  /**
   * Pekko's join compatibility check (the cluster id, {@link
   * io.ringstore.cluster.ClusterIdCompatChecker}) shuts a refused node down with exit status 0;
   * make it {@link #EXIT_REFUSED}.
   */
  private static void exitRefusedOnIncompatibleConfig(ActorSystem<?> system) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(Adapter.toClassic(system));
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "exit-status-when-refused",
        () -> {
          if (shutdown
              .getShutdownReason()
              .filter(r -> r == CoordinatedShutdown.incompatibleConfigurationDetectedReason())
              .isPresent()) {
            system
                .log()
                .error(
                    "this node was refused by its seeds: its data directory belongs to another"
                        + " cluster (see the cluster id above)");
            exitRefused();
          }
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }
}
