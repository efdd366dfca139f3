package io.ringstore.cluster;

import io.ringstore.storage.StorageCalls;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Follows membership and reachability changes: logs each with the ring it leads to, so an operator
 * can follow in the log how the ring (which {@link RingView} derives from the same gossip) evolves,
 * and on a data node keeps the Up data members in the data directory ({@link KnownMembers}), the
 * members a restarted node rejoins through (DESIGN invariant 7: a node that has been a member never
 * founds a cluster by itself). The file is written off this actor's thread (on Pekko's blocking-IO
 * dispatcher, through {@link StorageCalls} and {@code pipeToSelf}), one write at a time: a change
 * that comes while a write runs is written once it ends, so a later set never loses to an earlier.
 */
public final class MembershipListener extends AbstractBehavior<MembershipListener.Command> {
  /** Internal messages: the cluster's events, adapted, and the end of a write. */
  public interface Command {}

  private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {}

  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

  /** A write of the members file ended ({@code failure} null when it succeeded). */
  private record Saved(Set<String> members, Throwable failure) implements Command {}

  private final RingView ringView;
  private final Path dataDir;
  private final StorageCalls files;

  /** The set in the file (as far as this node knows). */
  private Set<String> remembered = Set.of();

  private final Set<String> upMembers = new TreeSet<>();
  private boolean saving;

  /** {@code dataDir}: where to remember the members (null on a client member: nowhere). */
  public static Behavior<Command> create(RingView ringView, Path dataDir) {
    return Behaviors.setup(ctx -> new MembershipListener(ctx, ringView, dataDir));
  }

  private MembershipListener(ActorContext<Command> ctx, RingView ringView, Path dataDir) {
    super(ctx);
    this.ringView = ringView;
    this.dataDir = dataDir;
    this.files =
        StorageCalls.unbounded(ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking()));
    Cluster cluster = Cluster.get(ctx.getSystem());
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new),
                ClusterEvent.MemberEvent.class));
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new),
                ClusterEvent.ReachabilityEvent.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(MemberChanged.class, this::onMemberChanged)
        .onMessage(ReachabilityChanged.class, this::onReachabilityChanged)
        .onMessage(Saved.class, this::onSaved)
        .build();
  }

  private Behavior<Command> onMemberChanged(MemberChanged changed) {
    ClusterEvent.MemberEvent event = changed.event();
    getContext()
        .getLog()
        .info(
            "membership: {} {} {}; ring members now {}",
            event.getClass().getSimpleName(),
            NodeAddress.of(event.member().address()),
            event.member().getRoles(),
            ringView.current().members());
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
    saveIfChanged();
  }

  /** Starts a write of the current set unless one runs (its end writes again if needed). */
  private void saveIfChanged() {
    if (saving || upMembers.isEmpty() || upMembers.equals(remembered)) {
      return;
    }
    saving = true;
    Set<String> members = Set.copyOf(upMembers);
    getContext()
        .pipeToSelf(
            files.call(
                () -> {
                  KnownMembers.save(dataDir, members);
                  return Boolean.TRUE;
                }),
            (saved, failure) -> new Saved(members, failure));
  }

  private Behavior<Command> onSaved(Saved saved) {
    saving = false;
    if (saved.failure() != null) {
      // tried again at the next membership event
      getContext()
          .getLog()
          .warn("cannot remember the members: {}", StorageCalls.describe(saved.failure()));
      return this;
    }
    remembered = saved.members();
    saveIfChanged();
    return this;
  }

  private Behavior<Command> onReachabilityChanged(ReachabilityChanged changed) {
    ClusterEvent.ReachabilityEvent event = changed.event();
    getContext()
        .getLog()
        .info(
            "reachability: {} {}",
            event.getClass().getSimpleName(),
            NodeAddress.of(event.member().address()));
    return this;
  }
}
