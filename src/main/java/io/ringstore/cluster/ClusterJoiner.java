package io.ringstore.cluster;

import io.ringstore.CborSerializable;
import io.ringstore.cluster.JoinDecision.PeerState;
import io.ringstore.cluster.JoinDecision.Status;
import io.ringstore.storage.StorageCalls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * Brings a data node into its cluster and keeps the cluster's identity (DESIGN invariant 7). One
 * per data node, at {@code /system/cluster-joiner}, where every node's joiner answers the others'
 * probes (over Artery, before any of them is a member) with its own {@link PeerState}.
 *
 * <p>A node whose data directory has cluster history ({@link Mode#REJOIN}) never lets Pekko's
 * first-seed process run (which forms a cluster when no seed answers within {@code
 * seed-node-timeout}: a race that a busy machine loses). Instead it asks its remembered members and
 * seeds every {@code probe-interval}, for as long as it takes, and acts on {@link JoinDecision}:
 * join through the members of its cluster, form the cluster again only when a majority of its
 * remembered members answer that none of them is in one (the whole cluster is restarting) and they
 * all name it, or refuse seeds of another cluster. A fresh node ({@link Mode#PASSIVE}) is joined by
 * Pekko's seed process as before.
 *
 * <p>Once Up, the node learns the cluster id from the members (the oldest member mints one if the
 * cluster has none: a new cluster, or data directories older than cluster ids) and keeps it in its
 * data directory; a member of the same cluster reporting another id means this node was let into a
 * foreign cluster, which it refuses as well.
 */
public final class ClusterJoiner extends AbstractBehavior<ClusterJoiner.Command> {
  /** Where every data node's joiner runs. */
  public static final String NAME = "cluster-joiner";

  /** How the node gets into its cluster. */
  public enum Mode {
    /**
     * Someone else joins it (Pekko's seed process for a fresh node, or a test): only answer and
     * learn.
     */
    PASSIVE,
    /** Rejoin the cluster this data directory belongs to ({@link JoinDecision}). */
    REJOIN,
    /** Operator override for disaster recovery: form the cluster alone at once, keeping its id. */
    FORCE_NEW
  }

  /**
   * What the joiner starts from.
   *
   * @param self this node ({@code host:port})
   * @param dataDir where the cluster id is kept
   * @param clusterId the id kept there, null when none
   * @param history whether the data directory has belonged to a cluster
   * @param seeds the configured seed nodes ({@code host:port})
   * @param remembered the members this node last saw Up
   * @param probeInterval how often to ask the peers while not a member
   * @param stableRounds how many probe rounds in a row must decide {@link JoinDecision.Form} before
   *     this node forms the cluster
   */
  public record Plan(
      Mode mode,
      String self,
      Path dataDir,
      String clusterId,
      boolean history,
      List<String> seeds,
      List<String> remembered,
      Duration probeInterval,
      int stableRounds) {
    public Plan {
      seeds = List.copyOf(seeds);
      remembered = List.copyOf(remembered);
    }
  }

  /** Messages of the joiner. */
  public interface Command {}

  /** The joiner's own messages: never leave the node. */
  private interface Internal extends Command, NoSerializationVerificationNeeded {}

  /**
   * Sent by another node's joiner every probe interval while it is not a member (and once after it
   * is Up, to learn the cluster id); answered with this node's state.
   */
  public record Probe(PeerState from, ActorRef<PeerState> replyTo)
      implements Command, CborSerializable {}

  private record Answered(PeerState state) implements Internal {}

  private enum Tick implements Internal {
    INSTANCE
  }

  private record Saved(String id, Throwable failure) implements Internal {}

  private static final Duration REPORT_EVERY = Duration.ofSeconds(5);
  private static final Duration WATCH_EVERY = Duration.ofSeconds(5);

  private final Plan plan;
  private final ClusterIdentity identity;
  private final Consumer<String> refuse;
  private final Cluster cluster;
  private final ActorRef<PeerState> answers;

  /** Writes of the cluster id file, on Pekko's blocking-IO dispatcher. */
  private final StorageCalls blocking;

  private final TimerScheduler<Command> timers;

  /** The latest state of each peer and when it arrived (System.nanoTime of this node). */
  private final Map<String, PeerState> peers = new HashMap<>();

  private final Map<String, Long> heardAt = new HashMap<>();
  private int formRounds;
  private boolean forming;
  private List<String> joiningThrough = List.of();
  private long lastReport;
  private String lastReason = "";
  private boolean idSaved;
  private boolean refused;
  private boolean watching;
  private final Map<String, Integer> splitSightings = new HashMap<>();

  /**
   * The joiner of this data node, following {@code plan}.
   *
   * @param refuse called once with the reason when this node must not be in the cluster it found
   */
  public static Behavior<Command> create(Plan plan, Consumer<String> refuse) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new ClusterJoiner(
                        ctx, timers, plan, ClusterIdentity.get(ctx.getSystem()), refuse)));
  }

  private ClusterJoiner(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Plan plan,
      ClusterIdentity identity,
      Consumer<String> refuse) {
    super(ctx);
    this.plan = plan;
    this.identity = identity;
    identity.set(plan.clusterId());
    this.refuse = refuse;
    this.timers = timers;
    this.cluster = Cluster.get(Adapter.toClassic(ctx.getSystem()));
    this.answers = ctx.messageAdapter(PeerState.class, Answered::new);
    this.blocking =
        StorageCalls.unbounded(ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking()));
    this.idSaved = identity.get() != null;
    this.lastReport = System.nanoTime() - REPORT_EVERY.toNanos();
    timers.startTimerWithFixedDelay(Tick.INSTANCE, plan.probeInterval());
    switch (plan.mode()) {
      case REJOIN ->
          ctx.getLog()
              .info(
                  "{} has been a member of cluster {}: it rejoins it through {} and never forms a cluster by"
                      + " itself unless a majority of {} answer that the whole cluster is restarting",
                  plan.self(),
                  identity.get() == null ? "(id not known yet)" : identity.get(),
                  JoinDecision.targets(plan.self(), plan.remembered(), plan.seeds()),
                  plan.remembered());
      case FORCE_NEW -> {
        ctx.getLog()
            .warn(
                "--force-new-cluster: {} forms cluster {} alone, without asking {}. If any of"
                    + " them is still running, there are now two clusters with the same data that never"
                    + " exchange writes again.",
                plan.self(),
                identity.get(),
                plan.remembered());
        forming = true;
        cluster.join(cluster.selfAddress());
      }
      case PASSIVE -> {}
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Probe.class, this::onProbe)
        .onMessage(Answered.class, a -> onPeerState(a.state()))
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Saved.class, this::onSaved)
        .build();
  }

  private Behavior<Command> onProbe(Probe probe) {
    onPeerState(probe.from());
    probe.replyTo().tell(selfState());
    return this;
  }

  private Behavior<Command> onPeerState(PeerState state) {
    if (!state.node().equals(plan.self())) {
      peers.put(state.node(), state);
      heardAt.put(state.node(), System.nanoTime());
    }
    return this;
  }

  private Behavior<Command> onTick() {
    if (refused) {
      return this;
    }
    Status status = status();
    if (status == Status.MEMBER && isUp()) {
      forming = false;
      learnIdentity();
      return this;
    }
    if (plan.mode() != Mode.REJOIN || status != Status.UNJOINED) {
      return this;
    }
    List<String> targets = JoinDecision.targets(plan.self(), plan.remembered(), plan.seeds());
    probe(targets);
    JoinDecision.Decision decision =
        JoinDecision.decide(
            plan.self(), identity.get(), plan.remembered(), plan.seeds(), freshPeers());
    if (decision instanceof JoinDecision.Refuse r) {
      refuse(r.reason());
    } else if (decision instanceof JoinDecision.Join j) {
      formRounds = 0;
      if (!j.through().equals(joiningThrough)) {
        joiningThrough = j.through();
        getContext().getLog().info("joining the cluster through {} ({})", j.through(), j.reason());
        cluster.joinSeedNodes(j.through().stream().map(this::address).toList());
      }
      report(targets, "joining through " + j.through() + ": " + j.reason());
    } else if (decision instanceof JoinDecision.Form f) {
      formRounds++;
      if (formRounds >= requiredRounds()) {
        getContext().getLog().warn("forming cluster {} again: {}", identity.get(), f.reason());
        forming = true;
        cluster.join(cluster.selfAddress());
      } else {
        report(
            targets,
            "about to form the cluster again ("
                + formRounds
                + " of "
                + requiredRounds()
                + " rounds): "
                + f.reason());
      }
    } else if (decision instanceof JoinDecision.Wait w) {
      formRounds = 0;
      report(targets, w.reason());
    }
    return this;
  }

  /** One round when this node is the only member it remembers: nobody else could form it. */
  private int requiredRounds() {
    return JoinDecision.targets(plan.self(), plan.remembered(), List.of()).isEmpty()
        ? 1
        : plan.stableRounds();
  }

  /**
   * Once Up: learn the cluster id from the other members, mint it if this is the oldest and none
   * has one.
   */
  private void learnIdentity() {
    Set<String> members = new TreeSet<>();
    List<Member> up = new ArrayList<>();
    for (Member m : cluster.state().getMembers()) {
      if (m.hasRole("data")
          && (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp())) {
        members.add(NodeAddress.of(m.address()));
        up.add(m);
      }
    }
    String mine = identity.get();
    for (PeerState p : freshPeers()) {
      if (p.status() != Status.MEMBER || !members.contains(p.node()) || p.clusterId() == null) {
        continue;
      }
      if (mine == null) {
        adopt(p.clusterId(), "learned from " + p.node());
        return;
      }
      if (!mine.equals(p.clusterId())) {
        refuse(
            "member "
                + p.node()
                + " of the cluster this node joined belongs to cluster "
                + p.clusterId()
                + ", this node's data directory to cluster "
                + mine);
        return;
      }
    }
    if (mine == null) {
      boolean oldest =
          up.stream()
              .filter(m -> !m.address().equals(cluster.selfAddress()))
              .noneMatch(m -> m.isOlderThan(cluster.selfMember()));
      if (oldest) {
        adopt(ClusterIdFile.mint(), "minted: this node is the cluster's oldest member");
        return;
      }
      probe(members.stream().filter(m -> !m.equals(plan.self())).toList());
    } else if (!idSaved) {
      save(mine);
    } else {
      watchForSplit(mine);
    }
  }

  /**
   * Once settled: every {@link #WATCH_EVERY}, asks the remembered members and seeds that are not
   * members of this node's cluster whether they are in one. One that is, with this cluster's id,
   * for three checks in a row means the cluster runs as two (a node formed it again while it could
   * not be told apart from a dead one, or an operator forced it): said loudly in the log and in
   * {@code /admin/cluster}, never silent.
   */
  private void watchForSplit(String id) {
    if (!watching) {
      watching = true;
      timers.startTimerWithFixedDelay(Tick.INSTANCE, WATCH_EVERY);
    }
    Set<String> mine = new TreeSet<>();
    cluster.state().getMembers().forEach(m -> mine.add(NodeAddress.of(m.address())));
    List<String> outside =
        JoinDecision.targets(plan.self(), plan.remembered(), plan.seeds()).stream()
            .filter(n -> !mine.contains(n))
            .toList();
    Map<String, PeerState> fresh =
        freshPeers(WATCH_EVERY.multipliedBy(2)).stream()
            .collect(Collectors.toMap(PeerState::node, p -> p));
    Set<String> elsewhere = new TreeSet<>(NodeAddress.ORDER);
    for (String node : outside) {
      PeerState p = fresh.get(node);
      if (p != null && p.status() == Status.MEMBER && id.equals(p.clusterId())) {
        if (splitSightings.merge(node, 1, Integer::sum) >= 3) {
          elsewhere.add(node);
        }
      } else {
        splitSightings.remove(node);
      }
    }
    splitSightings.keySet().retainAll(outside);
    if (!elsewhere.isEmpty() && !elsewhere.equals(identity.elsewhere())) {
      getContext()
          .getLog()
          .error(
              "cluster {} runs as two clusters: {} {} a member of a cluster with this id"
                  + " that this node's cluster ({}) does not include. They never exchange writes. Stop the"
                  + " nodes of the smaller one and start them again: they rejoin the other.",
              id,
              elsewhere,
              elsewhere.size() == 1 ? "is" : "are",
              mine);
    }
    identity.setElsewhere(elsewhere);
    probe(outside);
  }

  private void adopt(String id, String how) {
    identity.set(id);
    getContext().getLog().info("cluster id {} ({})", id, how);
    save(id);
  }

  private void save(String id) {
    getContext()
        .pipeToSelf(
            blocking.call(
                () -> {
                  ClusterIdFile.save(plan.dataDir(), id);
                  return Boolean.TRUE;
                }),
            (ok, failure) -> new Saved(id, failure));
  }

  private Behavior<Command> onSaved(Saved saved) {
    if (saved.failure() != null) {
      getContext()
          .getLog()
          .error(
              "cannot keep cluster id {} in {}: {} (retrying)",
              saved.id(),
              plan.dataDir(),
              saved.failure().toString());
    } else {
      idSaved = true;
    }
    return this;
  }

  private void refuse(String reason) {
    refused = true;
    timers.cancel(Tick.INSTANCE);
    getContext()
        .getLog()
        .error(
            "refusing to join: {}. A node never joins another cluster than the one its"
                + " data directory ({}) belongs to, and two clusters never merge. Start it with --seed of its own"
                + " cluster, or on an empty data directory to join that cluster as a new node.",
            reason,
            plan.dataDir().toAbsolutePath());
    refuse.accept(reason);
  }

  private void probe(List<String> targets) {
    PeerState me = selfState();
    for (String target : targets) {
      Adapter.toClassic(getContext().getSystem())
          .actorSelection(address(target) + "/system/" + NAME)
          .tell(new Probe(me, answers), org.apache.pekko.actor.ActorRef.noSender());
    }
  }

  private void report(List<String> targets, String reason) {
    long now = System.nanoTime();
    if (!reason.equals(lastReason) || now - lastReport >= REPORT_EVERY.toNanos()) {
      lastReason = reason;
      lastReport = now;
      Map<String, PeerState> fresh =
          freshPeers().stream().collect(Collectors.toMap(PeerState::node, p -> p));
      String answers =
          targets.stream()
              .map(t -> t + "=" + (fresh.containsKey(t) ? describe(fresh.get(t)) : "no answer"))
              .collect(Collectors.joining(", "));
      getContext()
          .getLog()
          .info(
              "looking for cluster {}: {} [{}]",
              identity.get() == null ? "(id not known yet)" : identity.get(),
              reason,
              answers);
    }
  }

  private static String describe(PeerState p) {
    return p.status().name().toLowerCase(Locale.ROOT)
        + (p.clusterId() == null ? "" : " of " + p.clusterId());
  }

  /** The peers heard from within the last three probe intervals (at least 2 s). */
  private List<PeerState> freshPeers() {
    return freshPeers(
        Duration.ofNanos(
            Math.max(plan.probeInterval().toNanos() * 3, Duration.ofSeconds(2).toNanos())));
  }

  private List<PeerState> freshPeers(Duration maxAge) {
    long ttl = maxAge.toNanos();
    long now = System.nanoTime();
    List<PeerState> fresh = new ArrayList<>();
    peers.forEach(
        (node, state) -> {
          if (now - heardAt.get(node) <= ttl) {
            fresh.add(state);
          }
        });
    return fresh;
  }

  private PeerState selfState() {
    Status status = status();
    String candidate = null;
    if (status == Status.UNJOINED && plan.history()) {
      candidate =
          JoinDecision.candidate(plan.self(), JoinDecision.voters(identity.get(), freshPeers()));
    }
    return new PeerState(plan.self(), status, identity.get(), plan.history(), candidate);
  }

  private Status status() {
    MemberStatus s = selfStatus();
    if (s == MemberStatus.up() || s == MemberStatus.weaklyUp() || s == MemberStatus.joining()) {
      return Status.MEMBER;
    }
    if (s == MemberStatus.leaving() || s == MemberStatus.exiting() || s == MemberStatus.down()) {
      return Status.LEAVING;
    }
    return forming ? Status.FORMING : Status.UNJOINED;
  }

  private boolean isUp() {
    MemberStatus s = selfStatus();
    return s == MemberStatus.up() || s == MemberStatus.weaklyUp();
  }

  /** This node's status in its own view of the cluster (Removed when it is not in one). */
  private MemberStatus selfStatus() {
    for (Member m : cluster.state().getMembers()) {
      if (m.uniqueAddress().equals(cluster.selfUniqueAddress())) {
        return m.status();
      }
    }
    return MemberStatus.removed();
  }

  private Address address(String node) {
    int colon = node.lastIndexOf(':');
    Address self = cluster.selfAddress();
    return new Address(
        self.protocol(),
        self.system(),
        node.substring(0, colon),
        Integer.parseInt(node.substring(colon + 1)));
  }
}
