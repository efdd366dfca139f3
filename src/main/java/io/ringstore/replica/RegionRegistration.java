package io.ringstore.replica;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.pattern.Patterns;

/**
 * Completes once the shard coordinator knows this node's replica region. Until then the coordinator
 * would place a new replica entity on another member (two replicas of a partition on one node,
 * which count as one toward R and W), so a data node reports ready only after this.
 */
public final class RegionRegistration {
  private static final Duration POLL = Duration.ofMillis(300);

  /** Short: an answer that does not come (a coordinator busy or moving) is asked again sooner. */
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(1);

  private RegionRegistration() {}

  public static CompletionStage<Done> await(ActorSystem<?> system, ActorRef<?> region) {
    CompletableFuture<Done> done = new CompletableFuture<>();
    poll(
        system,
        Adapter.toClassic(region),
        Cluster.get(Adapter.toClassic(system)).selfAddress(),
        done);
    return done;
  }

  private static void poll(
      ActorSystem<?> system,
      org.apache.pekko.actor.ActorRef region,
      Address self,
      CompletableFuture<Done> done) {
    if (system.whenTerminated().isCompleted()) {
      done.completeExceptionally(new IllegalStateException("actor system terminated"));
      return;
    }
    Patterns.ask(region, ShardRegion.getCurrentRegionsInstance(), ASK_TIMEOUT)
        .whenComplete(
            (reply, failure) -> {
              if (reply instanceof ShardRegion.CurrentRegions regions
                  && regions.getRegions().contains(self)) {
                done.complete(Done.getInstance());
              } else {
                system
                    .scheduler()
                    .scheduleOnce(
                        POLL, () -> poll(system, region, self, done), system.executionContext());
              }
            });
  }
}
