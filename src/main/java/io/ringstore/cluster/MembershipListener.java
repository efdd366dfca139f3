package io.ringstore.cluster;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Logs membership and reachability changes together with the ring they lead to, so an operator can
 * follow in the log how the ring (which {@link RingView} derives from the same gossip) evolves.
 */
public final class MembershipListener extends AbstractBehavior<ClusterEvent.ClusterDomainEvent> {
  private final RingView ringView;

  public static Behavior<ClusterEvent.ClusterDomainEvent> create(RingView ringView) {
    return Behaviors.setup(ctx -> new MembershipListener(ctx, ringView));
  }

  private MembershipListener(ActorContext<ClusterEvent.ClusterDomainEvent> ctx, RingView ringView) {
    super(ctx);
    this.ringView = ringView;
    Cluster cluster = Cluster.get(ctx.getSystem());
    cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(), ClusterEvent.MemberEvent.class));
    cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(), ClusterEvent.ReachabilityEvent.class));
  }

  @Override
  public Receive<ClusterEvent.ClusterDomainEvent> createReceive() {
    return newReceiveBuilder()
        .onMessage(ClusterEvent.MemberEvent.class, this::onMemberEvent)
        .onMessage(ClusterEvent.ReachabilityEvent.class, this::onReachabilityEvent)
        .build();
  }

  private Behavior<ClusterEvent.ClusterDomainEvent> onMemberEvent(ClusterEvent.MemberEvent event) {
    getContext().getLog().info("membership: {} {} {}; ring members now {}",
        event.getClass().getSimpleName(), NodeAddress.of(event.member().address()),
        event.member().getRoles(), ringView.current().members());
    return this;
  }

  private Behavior<ClusterEvent.ClusterDomainEvent> onReachabilityEvent(
      ClusterEvent.ReachabilityEvent event) {
    getContext().getLog().info("reachability: {} {}",
        event.getClass().getSimpleName(), NodeAddress.of(event.member().address()));
    return this;
  }
}
