package io.ringstore;

import io.ringstore.config.RingstoreSettings;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;

/**
 * The root actor of a node: starts the node's parts ({@link RingstoreNode}), joins the seed nodes (or
 * itself, for the first node of a cluster), then has nothing more to do.
 */
public final class Guardian {
  private Guardian() {}

  public static Behavior<Void> create(RingstoreSettings settings) {
    return Behaviors.setup(ctx -> {
      RingstoreNode node = RingstoreNode.start(ctx.getSystem(), settings);
      Cluster cluster = Cluster.get(Adapter.toClassic(ctx.getSystem()));
      if (cluster.settings().SeedNodes().isEmpty()) {
        ctx.getLog().info("no seed nodes configured: {} starts a new cluster", node.name());
        cluster.join(cluster.selfAddress());
      }
      node.httpBinding().whenComplete((binding, failure) -> {
        if (failure != null) {
          ctx.getSystem().log().error("cannot bind the HTTP gateway on {}:{}: {}",
              settings.http().host(), settings.http().port(), failure.getMessage());
          ctx.getSystem().terminate();
        }
      });
      return Behaviors.empty();
    });
  }
}
