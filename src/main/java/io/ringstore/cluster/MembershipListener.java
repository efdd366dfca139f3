package io.ringstore.cluster;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.Member;
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
  private final Set<String> upMembers = new TreeSet<>();

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
    remember(event);
    return this;
  }

  /**
   * Keeps the Up data members in the data directory, for the next start ({@link KnownMembers}). The
   * set follows the events themselves: {@code Cluster.state()} can lag the event being handled, and
   * reading it here once left the last member to come Up out of the file for good when no later
   * event came (a restarted first seed then knew too few members and started a second cluster).
   */
  private void remember(ClusterEvent.MemberEvent event) {
    if (dataDir == null) {
      return;
    }
    Member member = event.member();
    if (member.hasRole("data")) {
      if (event instanceof ClusterEvent.MemberUp) {
        upMembers.add(NodeAddress.of(member.address()));
      } else if (!(event instanceof ClusterEvent.MemberWeaklyUp)
          && !(event instanceof ClusterEvent.MemberJoined)) {
        // left, exited, downed, removed: no longer a member to rejoin through
        upMembers.remove(NodeAddress.of(member.address()));
      }
    }
    if (!upMembers.isEmpty() && !upMembers.equals(remembered)) {
      try {
        KnownMembers.save(dataDir, upMembers);
        remembered = Set.copyOf(upMembers);
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
