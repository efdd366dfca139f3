package io.ringstore.transfer;

import io.ringstore.antientropy.ExchangeSession;
import io.ringstore.cluster.NodeAddress;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.replica.LocalObjectStore;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.ring.Ring;
import io.ringstore.storage.ObjectParts;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Brings a replica entity that just started on this node up to date before it counts toward R
 * (DESIGN invariant 2), as the entity's child: (1) asks every reachable data node's {@link
 * PartitionSource} what it has of the partition; (2) if a node released a replica of it recently
 * (the entity's previous host), copies the partition from there in batches pulled one at a time
 * (back-pressure); (3) runs tree exchanges with the other replica entities of the partition and the
 * previous host until they agree; then tells the entity {@link ReplicaEntity.SyncCompleted} and
 * stops. If no other replica answers while the ring says there are some, it waits and starts over:
 * a replica that cannot check what it missed never counts. Progress is reported in the node's
 * {@link TransferTracker} ({@code /admin/transfers}).
 */
public final class PartitionTransfer extends AbstractBehavior<PartitionTransfer.Command> {

  /** Tuning of transfers. */
  public record Settings(
      Duration describeTimeout,
      Duration retryInterval,
      Duration batchTimeout,
      int batchEntries,
      int batchBytes,
      Duration sourceWindow,
      int maxExchangeRounds,
      ExchangeSession.Limits limits) {

    /**
     * From {@code ringstore.transfers}; a sync exchange compares every differing segment and
     * repairs at least as many keys at once as anti-entropy does.
     */
    public static Settings of(
        RingstoreSettings.TransferSettings t, RingstoreSettings.AntiEntropySettings ae) {
      return new Settings(
          t.describeTimeout(),
          t.retryInterval(),
          t.batchTimeout(),
          t.batchKeys(),
          t.batchBytes(),
          t.sourceWindow(),
          t.maxExchangeRounds(),
          new ExchangeSession.Limits(
              Integer.MAX_VALUE,
              t.syncMaxKeys(),
              Math.max(ae.keysInFlight(), t.syncKeysInFlight()),
              ae.sessionTimeout()));
    }
  }

  /** What a transfer needs from its node. */
  public record Host(
      ExchangeSession.Host exchange,
      TransferTracker tracker,
      Supplier<Set<String>> reachableData) {}

  /** Internal messages. */
  public interface Command {}

  private record Listed(Receptionist.Listing listing) implements Command {}

  private record Described(PartitionSource.Description description) implements Command {}

  private enum DescribeTimeout implements Command {
    INSTANCE
  }

  private record BatchArrived(PartitionSource.Batch batch) implements Command {}

  private record BatchMerged(int keys, long bytes, String lastKey, boolean done, Throwable failure)
      implements Command {}

  private enum BatchTimeout implements Command {
    INSTANCE
  }

  private record Exchanged(ExchangeSession.Outcome outcome) implements Command {}

  private enum Retry implements Command {
    INSTANCE
  }

  /** The receptionist lists a member that just joined within a second or two: wait up to 5 s. */
  private static final Duration LISTING_RETRY = Duration.ofMillis(500);

  private static final int LISTING_ATTEMPTS = 10;

  /** A replica of the partition ({@code replica} set) or a previous host ({@code node} set). */
  private record Peer(
      String label, RecipientRef<ReplicaEntity.Command> ref, ReplicaId replica, String node) {
    boolean isReplica() {
      return replica != null;
    }
  }

  private final ReplicaId id;
  private final ActorRef<ReplicaEntity.Command> entity;
  private final Host host;
  private final Settings settings;
  private final TimerScheduler<Command> timers;
  private final Function<ActorRef<?>, String> nodeOf;
  private final List<PartitionSource.Description> descriptions = new ArrayList<>();
  private final Map<String, ActorRef<PartitionSource.Command>> copySources = new HashMap<>();
  private int awaitedDescriptions;
  private boolean planned;
  private PartitionSource.Description copySource;
  // the parts so far of an object copied in parts (PartitionSource.Batch#resumeActor)
  private String partialKey;
  private final List<byte[]> partialParts = new ArrayList<>();
  private final Deque<Peer> peers = new ArrayDeque<>();
  private Peer currentPeer;
  private int rounds;
  private int replicaPeersSynced;
  private int replicaPeers;
  private int attempts;

  /**
   * When the Describe requests went out (System.nanoTime): the ages they return are older by now.
   */
  private long describedAtNanos;

  public static Behavior<Command> create(
      ReplicaId id, ActorRef<ReplicaEntity.Command> entity, Host host, Settings settings) {
    return create(id, entity, host, settings, ref -> nodeOf(ref, host.exchange().node()));
  }

  /**
   * As above, {@code nodeOf} telling which node a partition source runs on (tests stand in for the
   * sources of other nodes with local probes).
   */
  static Behavior<Command> create(
      ReplicaId id,
      ActorRef<ReplicaEntity.Command> entity,
      Host host,
      Settings settings,
      Function<ActorRef<?>, String> nodeOf) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new PartitionTransfer(ctx, timers, id, entity, host, settings, nodeOf)));
  }

  private PartitionTransfer(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ReplicaId id,
      ActorRef<ReplicaEntity.Command> entity,
      Host host,
      Settings settings,
      Function<ActorRef<?>, String> nodeOf) {
    super(ctx);
    this.nodeOf = nodeOf;
    this.id = id;
    this.entity = entity;
    this.host = host;
    this.settings = settings;
    this.timers = timers;
    start();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Listed.class, this::onListed)
        .onMessage(Described.class, this::onDescribed)
        .onMessageEquals(DescribeTimeout.INSTANCE, this::plan)
        .onMessage(BatchArrived.class, this::onBatch)
        .onMessage(BatchMerged.class, this::onBatchMerged)
        .onMessageEquals(BatchTimeout.INSTANCE, this::onBatchTimeout)
        .onMessage(Exchanged.class, this::onExchanged)
        .onMessageEquals(Retry.INSTANCE, this::onRetry)
        .build();
  }

  private void start() {
    attempts++;
    descriptions.clear();
    planned = false;
    copySource = null;
    getContext()
        .getSystem()
        .receptionist()
        .tell(
            Receptionist.find(
                PartitionSource.KEY,
                getContext().messageAdapter(Receptionist.Listing.class, Listed::new)));
  }

  private Behavior<Command> onListed(Listed message) {
    Set<String> reachable = host.reachableData().get();
    Set<ActorRef<PartitionSource.Command>> sources =
        message.listing().getServiceInstances(PartitionSource.KEY);
    Set<String> listed = new HashSet<>();
    ActorRef<PartitionSource.Description> adapter =
        getContext().messageAdapter(PartitionSource.Description.class, Described::new);
    awaitedDescriptions = 0;
    describedAtNanos = System.nanoTime();
    for (ActorRef<PartitionSource.Command> source : sources) {
      String node = nodeOf.apply(source);
      listed.add(node);
      copySources.put(node, source);
      if (!node.equals(self()) && reachable.contains(node)) {
        source.tell(new PartitionSource.Describe(id.partition(), adapter));
        awaitedDescriptions++;
      }
    }
    Set<String> missing = new HashSet<>(reachable);
    missing.remove(self());
    missing.removeAll(listed);
    // a member that is not Up yet (a node joining, or restarting) has hosted nothing since it
    // started
    missing.removeIf(node -> !host.exchange().directory().isAvailable(node));
    if (!missing.isEmpty() && attempts < LISTING_ATTEMPTS) {
      // the receptionist has not heard of every member yet (this node just joined): a previous
      // host may be among them, so ask again shortly rather than miss its copy
      timers.startSingleTimer(Retry.INSTANCE, LISTING_RETRY);
      return this;
    }
    if (awaitedDescriptions == 0) {
      return plan();
    }
    timers.startSingleTimer(DescribeTimeout.INSTANCE, settings.describeTimeout());
    return this;
  }

  private Behavior<Command> onDescribed(Described message) {
    if (planned) {
      return this;
    }
    descriptions.add(message.description());
    return descriptions.size() >= awaitedDescriptions ? plan() : this;
  }

  /** Every source described itself (or the time is up): copy first if needed, then sync. */
  private Behavior<Command> plan() {
    if (planned) {
      return this;
    }
    planned = true;
    timers.cancel(DescribeTimeout.INSTANCE);
    long now = System.currentTimeMillis();
    long window = settings.sourceWindow().toMillis();
    long sinceDescribed = Math.max(0, (System.nanoTime() - describedAtNanos) / 1_000_000);
    // previous hosts: where this very replica ran last (first), or nodes that released the
    // partition
    List<PartitionSource.Description> previousHosts =
        descriptions.stream()
            .filter(
                d ->
                    ranThisReplica(d, sinceDescribed, window)
                        || (!d.hosting() && recent(d.releasedMillisAgo(), sinceDescribed, window)))
            .sorted(
                Comparator.comparing(
                        (PartitionSource.Description d) ->
                            !ranThisReplica(d, sinceDescribed, window))
                    .thenComparing(
                        Comparator.comparingLong(PartitionSource.Description::keys).reversed()))
            .toList();
    buildPeers(previousHosts);
    // copy whenever a previous host exists (a real move), even if a few writes reached this replica
    // already: merging is idempotent, and an empty tree would be a race with the first writes
    if (!previousHosts.isEmpty()) {
      copySource = previousHosts.get(0);
      host.tracker().copying(id, copySource.node(), copySource.keys(), now);
      getContext()
          .getLog()
          .info(
              "transfer: replica={} copying partition {} from its previous host {}" + " ({} keys)",
              id,
              id.partition(),
              copySource.node(),
              copySource.keys());
      requestBatch(null, null);
      return this;
    }
    return syncNext();
  }

  /** Whether {@code d}'s node released this very replica within the window. */
  private boolean ranThisReplica(PartitionSource.Description d, long sinceDescribed, long window) {
    return d.releasedReplicasMillisAgo() != null
        && recent(d.releasedReplicasMillisAgo().get(id.id()), sinceDescribed, window);
  }

  /**
   * Whether a release that the source reported {@code releasedMillisAgo} (measured on the source's
   * clock when it answered; null: no release) is still within {@code windowMillis}, this transfer
   * having sent its Describe {@code sinceDescribedMillis} ago (on this node's monotonic clock). The
   * answer left the source after the request left here, so the release is now at most {@code
   * releasedMillisAgo + sinceDescribedMillis} old: the sum errs on the old side, as the window
   * requires (a copy older than the window may hold values whose tombstones were reaped). Only
   * durations, each measured on one node: the two nodes' wall clocks may disagree (issue 10, item
   * 5). Pure.
   */
  static boolean recent(Long releasedMillisAgo, long sinceDescribedMillis, long windowMillis) {
    return releasedMillisAgo != null
        && releasedMillisAgo >= 0
        && releasedMillisAgo + sinceDescribedMillis <= windowMillis;
  }

  private void buildPeers(List<PartitionSource.Description> previousHosts) {
    peers.clear();
    replicaPeers = 0;
    replicaPeersSynced = 0;
    Ring ring = host.exchange().directory().ring();
    int replicas = ring.members().isEmpty() ? 0 : ring.replicas(id.partition()).size();
    List<Peer> unreachable = new ArrayList<>();
    for (int r = 0; r < replicas; r++) {
      if (r != id.index()) {
        ReplicaId other = new ReplicaId(id.partition(), r);
        Peer peer = new Peer(other.id(), host.exchange().directory().entity(other), other, null);
        // live replicas first: one that agrees is enough to count, a dead one only costs time
        (reachable(peer) ? peers : unreachable).add(peer);
        replicaPeers++;
      }
    }
    peers.addAll(unreachable);
    for (PartitionSource.Description previous : previousHosts) {
      peers.add(new Peer(previous.node(), previous.server(), null, previous.node()));
    }
  }

  private void requestBatch(String afterKey, String afterActor) {
    if (afterKey == null) {
      partialParts.clear(); // a copy from the start
    }
    timers.startSingleTimer(BatchTimeout.INSTANCE, settings.batchTimeout());
    sourceOf(copySource)
        .tell(
            new PartitionSource.CopyBatch(
                id.partition(),
                afterKey,
                settings.batchEntries(),
                settings.batchBytes(),
                getContext().messageAdapter(PartitionSource.Batch.class, BatchArrived::new),
                afterActor));
  }

  private ActorRef<PartitionSource.Command> sourceOf(PartitionSource.Description description) {
    return copySources.get(description.node());
  }

  private Behavior<Command> onBatch(BatchArrived message) {
    timers.cancel(BatchTimeout.INSTANCE);
    PartitionSource.Batch batch = message.batch();
    if (batch.error() != null) {
      return copyFailed("the source failed: " + batch.error());
    }
    LocalObjectStore store = host.exchange().store();
    int partition = id.partition();
    // an object larger than one message carries comes in parts over several batches, alone in each:
    // its parts are kept here and joined, so that it is stored (or skipped as only tombstones)
    // whole
    List<String> keys = batch.keys();
    List<byte[]> objects = batch.objects();
    if (!partialParts.isEmpty() && !(keys.size() == 1 && keys.get(0).equals(partialKey))) {
      partialParts.clear(); // the source went on past the key (gone meanwhile): its parts are moot
    }
    if (batch.resumeActor() != null && keys.size() == 1) {
      partialKey = keys.get(0);
      partialParts.add(objects.get(0));
      requestBatch(partialKey, batch.resumeActor());
      return this;
    }
    // the last part completes the key: joined off the actor, with the merge
    List<byte[]> toJoin = null;
    if (!partialParts.isEmpty()) {
      toJoin = new ArrayList<>(partialParts);
      toJoin.add(objects.get(0));
      partialParts.clear();
    }
    List<byte[]> firstParts = toJoin;
    getContext()
        .pipeToSelf(
            host.exchange()
                .storageCalls()
                .call(
                    () -> {
                      long bytes = 0;
                      for (int i = 0; i < keys.size(); i++) {
                        byte[] encoded =
                            i == 0 && firstParts != null
                                ? ObjectParts.join(firstParts)
                                : objects.get(i);
                        bytes += encoded.length;
                        DvvSet<Sibling> object = StoredObjectCodec.decode(encoded);
                        // a key that holds only tombstones reads as absent: copying it could undo a
                        // reaping
                        if (!LocalObjectStore.onlyTombstones(object)) {
                          store.merge(partition, keys.get(i), object);
                        }
                      }
                      String last =
                          batch.keys().isEmpty() ? null : batch.keys().get(batch.keys().size() - 1);
                      return new BatchMerged(batch.keys().size(), bytes, last, batch.done(), null);
                    }),
            (merged, failure) ->
                failure == null ? merged : new BatchMerged(0, 0, null, false, failure));
    return this;
  }

  private Behavior<Command> onBatchMerged(BatchMerged merged) {
    if (merged.failure() != null) {
      return copyFailed("storing a batch failed: " + merged.failure());
    }
    host.tracker().copied(id, merged.keys(), merged.bytes(), System.currentTimeMillis());
    if (merged.done() || merged.lastKey() == null) {
      getContext()
          .getLog()
          .info(
              "transfer: replica={} copied partition {} from {}",
              id,
              id.partition(),
              copySource.node());
      return syncNext();
    }
    requestBatch(merged.lastKey(), null);
    return this;
  }

  private Behavior<Command> onBatchTimeout() {
    return copyFailed(
        "no batch from "
            + copySource.node()
            + " within "
            + settings.batchTimeout().toSeconds()
            + " s");
  }

  /** The copy broke off: the tree exchanges that follow still bring over what is missing. */
  private Behavior<Command> copyFailed(String reason) {
    getContext()
        .getLog()
        .warn(
            "transfer: replica={} copy from {} broke off: {}; syncing instead",
            id,
            copySource.node(),
            reason);
    return syncNext();
  }

  private Behavior<Command> syncNext() {
    host.tracker().syncing(id, null, System.currentTimeMillis());
    currentPeer = peers.poll();
    while (currentPeer != null && !reachable(currentPeer)) {
      // its node is unreachable (or gone): an exchange would only wait for its timeouts
      getContext()
          .getLog()
          .info("transfer: replica={} skips {}: its node is unreachable", id, currentPeer.label());
      currentPeer = peers.poll();
    }
    rounds = 0;
    if (currentPeer == null) {
      return finishOrRetry();
    }
    exchangeWithCurrent();
    return this;
  }

  /** Whether {@code peer}'s node is reachable from here, as far as this node knows. */
  private boolean reachable(Peer peer) {
    return peer.isReplica()
        ? host.exchange().directory().likelyReachable(peer.replica())
        : peer.node().equals(self()) || host.reachableData().get().contains(peer.node());
  }

  private void exchangeWithCurrent() {
    rounds++;
    getContext()
        .spawnAnonymous(
            ExchangeSession.create(
                id.partition(),
                currentPeer.label(),
                currentPeer.ref(),
                host.exchange(),
                settings.limits(),
                getContext().messageAdapter(ExchangeSession.Outcome.class, Exchanged::new)));
  }

  private Behavior<Command> onExchanged(Exchanged message) {
    ExchangeSession.Outcome outcome = message.outcome();
    boolean agreed = outcome.error() == null && (outcome.equal() || outcome.keysRepaired() == 0);
    if (agreed) {
      if (currentPeer.isReplica()) {
        replicaPeersSynced++;
      }
      return syncNext();
    }
    // a peer that failed without repairing anything gets a second round, unless another replica
    // agreed already or its node is unreachable by now (a silent peer costs a round's timeout)
    boolean giveUp =
        outcome.error() != null
            && outcome.keysRepaired() == 0
            && (rounds > 1 || replicaPeersSynced > 0 || !reachable(currentPeer));
    if (giveUp || rounds >= settings.maxExchangeRounds()) {
      getContext()
          .getLog()
          .info(
              "transfer: replica={} could not sync with {}: {}",
              id,
              currentPeer.label(),
              outcome.error() == null ? "still differing" : outcome.error());
      return syncNext();
    }
    exchangeWithCurrent();
    return this;
  }

  private Behavior<Command> finishOrRetry() {
    if (replicaPeers > 0 && replicaPeersSynced == 0) {
      host.tracker()
          .syncing(
              id,
              "no other replica of the partition answered; retrying",
              System.currentTimeMillis());
      timers.startSingleTimer(Retry.INSTANCE, settings.retryInterval());
      return this;
    }
    entity.tell(new ReplicaEntity.SyncCompleted());
    return Behaviors.stopped();
  }

  private Behavior<Command> onRetry() {
    start();
    return this;
  }

  private String self() {
    return host.exchange().node();
  }

  /** The node {@code ref} runs on: {@code self} for a ref of this actor system. */
  private static String nodeOf(ActorRef<?> ref, String self) {
    var address = ref.path().address();
    return address.hasLocalScope() ? self : NodeAddress.of(address);
  }
}
