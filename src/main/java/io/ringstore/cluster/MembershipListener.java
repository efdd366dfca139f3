package io.ringstore.cluster;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
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
  private final Path dataDir;
  private Set<String> remembered = Set.of();

  /** {@code dataDir}: where to remember the members (null on a client member: nowhere). */
  public static Behavior<ClusterEvent.ClusterDomainEvent> create(RingView ringView, Path dataDir) {
    return Behaviors.setup(ctx -> new MembershipListener(ctx, ringView, dataDir));
  }

  private MembershipListener(
      ActorContext<ClusterEvent.ClusterDomainEvent> ctx, RingView ringView, Path dataDir) {
    super(ctx);
    this.ringView = ringView;
    this.dataDir = dataDir;
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
    remember();
    return this;
  }

  /** Keeps the Up data members in the data directory, for the next start ({@link KnownMembers}). */
  private void remember() {
    if (dataDir == null) {
      return;
    }
    Set<String> up = new TreeSet<>();
    for (Member m : Cluster.get(getContext().getSystem()).state().getMembers()) {
      if (m.status() == MemberStatus.up() && m.hasRole("data")) {
        up.add(NodeAddress.of(m.address()));
      }
    }
    if (up.size() > 1 && !up.equals(remembered)) {
      try {
        KnownMembers.save(dataDir, up);
        remembered = up;
      } catch (RuntimeException e) {
        getContext().getLog().warn("cannot remember the members: {}", e.getMessage());
      }
    }
  }

  private Behavior<ClusterEvent.ClusterDomainEvent> onReachabilityEvent(
      ClusterEvent.ReachabilityEvent event) {
    getContext().getLog().info("reachability: {} {}",
        event.getClass().getSimpleName(), NodeAddress.of(event.member().address()));
    return this;
  }
}
