package io.ringstore.antientropy;

import io.ringstore.config.LogText;
import io.ringstore.replica.LocalObjectStore;
import io.ringstore.replica.PartitionTreeAccess.KeyHashList;
import io.ringstore.replica.PeerQueue;
import io.ringstore.replica.ReadReplyParts;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.storage.ObjectParts;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StorageCalls;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One anti-entropy exchange between this node's copy of a partition and a peer replica of it:
 * compare the trees' branch hashes, descend only into differing branches and segments, list the
 * keys of those segments on both sides, and repair just the keys that differ by DVV merge in both
 * directions (the merged object is stored here and sent to the peer when it was behind). Bounded in
 * segments, keys and time; always records its outcome and stops (DESIGN invariant 4: replicas
 * converge).
 */
public final class ExchangeSession extends AbstractBehavior<ExchangeSession.Command> {

  /** Limits of one session. */
  public record Limits(int maxSegments, int maxKeys, int keysInFlight, Duration timeout) {}

  /** What a session needs from its node. */
  public record Host(
      PartitionTrees trees,
      LocalObjectStore store,
      StorageCalls storageCalls,
      String node,
      ReplicaDirectory directory,
      AntiEntropyStatus status,
      PeerQueue peerQueue) {
    /** Pushes to peers not counted (tests of one node). */
    public Host(
        PartitionTrees trees,
        LocalObjectStore store,
        StorageCalls storageCalls,
        String node,
        ReplicaDirectory directory,
        AntiEntropyStatus status) {
      this(trees, store, storageCalls, node, directory, status, PeerQueue.UNBOUNDED);
    }
  }

  /**
   * How a session ended, for a caller that waits on it (a partition transfer): {@code equal} when
   * the trees agreed at once; {@code keysRepaired} keys merged in either direction; {@code error}
   * null when the session ran to its end.
   */
  public record Outcome(
      int partition, String peer, boolean equal, int keysRepaired, String error) {}

  /** Internal messages: adapted peer replies, storage completions, the deadline. */
  public interface Command {}

  private record TreeReplied(ReplicaEntity.TreeReply reply) implements Command {}

  private record SegmentsReplied(ReplicaEntity.SegmentsReply reply) implements Command {}

  private record PeerKeysReplied(ReplicaEntity.KeyHashesReply reply) implements Command {}

  private record LocalKeysListed(KeyHashList list, Throwable failure) implements Command {}

  private record PeerObjectRead(ReplicaEntity.ReadReply reply) implements Command {}

  @SuppressWarnings("ArrayRecordComponent") // an actor's own message, never compared
  private record Merged(String key, byte[] pushToPeer, boolean changedHere, Throwable failure)
      implements Command {}

  private record Pushed(ReplicaEntity.Replicated reply) implements Command {}

  private enum Deadline implements Command {
    INSTANCE
  }

  private enum PeerSilent implements Command {
    INSTANCE
  }

  /** A peer that does not send its tree this fast is probably down: give the slot to another. */
  private static final Duration FIRST_REPLY_TIMEOUT = Duration.ofSeconds(3);

  private final int partition;
  private final String peerLabel;
  private final RecipientRef<ReplicaEntity.Command> peerRef;
  private final ActorRef<Outcome> notify;
  private final Host host;
  private final Limits limits;
  private final long startedNanos = System.nanoTime();
  private int[] segments;
  private int[] differingSegments = new int[0];
  private Map<ByteKey, Long> localKeys;
  private Map<ByteKey, Long> peerKeys;
  private final Deque<String> toRepair = new ArrayDeque<>();
  private int inFlight;
  private final ReadReplyParts replyParts = new ReadReplyParts();
  private int keysRepaired;
  private String peerNode;

  /** A scheduled exchange with replica entity {@code peer}, wherever sharding runs it. */
  public static Behavior<Command> create(int partition, ReplicaId peer, Host host, Limits limits) {
    return create(partition, peer.id(), host.directory().entity(peer), host, limits, null);
  }

  /**
   * An exchange with any peer that answers replica commands for the partition (a replica entity or
   * a previous host's stand-in); {@code notify} (may be null) gets the {@link Outcome}.
   */
  public static Behavior<Command> create(
      int partition,
      String peerLabel,
      RecipientRef<ReplicaEntity.Command> peerRef,
      Host host,
      Limits limits,
      ActorRef<Outcome> notify) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new ExchangeSession(
                        ctx, timers, partition, peerLabel, peerRef, host, limits, notify)));
  }

  private ExchangeSession(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      int partition,
      String peerLabel,
      RecipientRef<ReplicaEntity.Command> peerRef,
      Host host,
      Limits limits,
      ActorRef<Outcome> notify) {
    super(ctx);
    this.partition = partition;
    this.peerLabel = peerLabel;
    this.peerRef = peerRef;
    this.notify = notify;
    this.host = host;
    this.limits = limits;
    timers.startSingleTimer(Deadline.INSTANCE, limits.timeout());
    timers.startSingleTimer(PeerSilent.INSTANCE, FIRST_REPLY_TIMEOUT);
    peerRef.tell(
        new ReplicaEntity.GetTree(
            ctx.messageAdapter(ReplicaEntity.TreeReply.class, TreeReplied::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(TreeReplied.class, this::onTree)
        .onMessage(SegmentsReplied.class, this::onSegments)
        .onMessage(PeerKeysReplied.class, this::onPeerKeys)
        .onMessage(LocalKeysListed.class, this::onLocalKeys)
        .onMessage(PeerObjectRead.class, this::onPeerObject)
        .onMessage(Merged.class, this::onMerged)
        .onMessage(Pushed.class, this::onPushed)
        .onMessageEquals(Deadline.INSTANCE, this::onDeadline)
        .onMessageEquals(PeerSilent.INSTANCE, this::onPeerSilent)
        .build();
  }

  private Behavior<Command> onTree(TreeReplied message) {
    ReplicaEntity.TreeReply reply = message.reply();
    peerNode = reply.node();
    if (reply.node().equals(host.node())) {
      if (notify != null) {
        notify.tell(new Outcome(partition, peerNode, true, 0, null));
      }
      return Behaviors.stopped();
    }
    if (reply.error() != null) {
      return finish(false, reply.error());
    }
    int[] branches =
        TicTacTree.differingBranches(host.trees().branchHashes(partition), reply.branches());
    if (branches.length == 0) {
      return finish(true, null);
    }
    segments = host.trees().shape().segmentsOfBranches(branches);
    peerRef.tell(
        new ReplicaEntity.GetSegments(
            segments,
            getContext().messageAdapter(ReplicaEntity.SegmentsReply.class, SegmentsReplied::new)));
    return this;
  }

  private Behavior<Command> onSegments(SegmentsReplied message) {
    ReplicaEntity.SegmentsReply reply = message.reply();
    if (reply.error() != null) {
      return finish(false, reply.error());
    }
    int[] differing =
        TicTacTree.differingSegments(
            segments, host.trees().segmentHashes(partition, segments), reply.hashes());
    if (differing.length == 0) {
      return finish(true, null);
    }
    differingSegments =
        differing.length > limits.maxSegments()
            ? Arrays.copyOf(differing, limits.maxSegments())
            : differing;
    peerRef.tell(
        new ReplicaEntity.GetKeyHashes(
            differingSegments,
            getContext().messageAdapter(ReplicaEntity.KeyHashesReply.class, PeerKeysReplied::new)));
    int[] asked = differingSegments;
    getContext()
        .pipeToSelf(
            host.storageCalls().call(() -> host.trees().keyHashes(partition, asked)),
            LocalKeysListed::new);
    return this;
  }

  private Behavior<Command> onPeerKeys(PeerKeysReplied message) {
    ReplicaEntity.KeyHashesReply reply = message.reply();
    if (reply.error() != null) {
      return finish(false, reply.error());
    }
    peerKeys = toMap(new KeyHashList(reply.keys(), reply.hashes()));
    return startRepairsWhenListed();
  }

  private Behavior<Command> onLocalKeys(LocalKeysListed message) {
    if (message.failure() != null) {
      return finish(false, "listing local keys failed: " + message.failure());
    }
    localKeys = toMap(message.list());
    return startRepairsWhenListed();
  }

  private Behavior<Command> startRepairsWhenListed() {
    if (localKeys == null || peerKeys == null) {
      return this;
    }
    List<byte[]> differing = KeyHashes.differingKeys(localKeys, peerKeys);
    for (byte[] key : differing) {
      if (toRepair.size() >= limits.maxKeys()) {
        break;
      }
      toRepair.add(new String(key, StandardCharsets.UTF_8));
    }
    return repairNext();
  }

  private Behavior<Command> repairNext() {
    while (inFlight < limits.keysInFlight() && !toRepair.isEmpty()) {
      String key = toRepair.poll();
      inFlight++;
      peerRef.tell(
          new ReplicaEntity.Read(
              key,
              getContext().messageAdapter(ReplicaEntity.ReadReply.class, PeerObjectRead::new)));
    }
    if (inFlight == 0 && toRepair.isEmpty()) {
      return finish(false, null);
    }
    return this;
  }

  private Behavior<Command> onPeerObject(PeerObjectRead message) {
    Optional<ReplicaEntity.ReadReply> whole = replyParts.accept(message.reply());
    if (whole.isEmpty()) {
      return this; // more parts of a large object to come
    }
    ReplicaEntity.ReadReply reply = whole.get();
    if (!reply.ok()) {
      inFlight--;
      return repairNext();
    }
    String key = reply.key();
    byte[] remoteBytes = reply.object();
    getContext()
        .pipeToSelf(
            host.storageCalls().call(() -> mergeLocally(key, remoteBytes)),
            (merged, failure) -> failure != null ? new Merged(key, null, false, failure) : merged);
    return this;
  }

  /** Runs on the storage dispatcher: merges the peer's object here, says what the peer lacks. */
  private Merged mergeLocally(String key, byte[] remoteBytes) {
    DvvSet<Sibling> local = host.store().read(partition, key).orElse(null);
    DvvSet<Sibling> remote = remoteBytes == null ? null : StoredObjectCodec.decode(remoteBytes);
    // A key that holds only tombstones reads the same as an absent one. Copying such a tombstone to
    // a replica that lacks the key would undo the reaping of a tombstone every replica acked.
    if ((local == null && remote != null && LocalObjectStore.onlyTombstones(remote))
        || (remote == null && local != null && LocalObjectStore.onlyTombstones(local))) {
      return new Merged(key, null, false, null);
    }
    DvvSet<Sibling> merged = remote == null ? local : host.store().merge(partition, key, remote);
    boolean changedHere = remote != null && (local == null || !local.equals(merged));
    byte[] push =
        merged != null && (remote == null || !remote.equals(merged))
            ? StoredObjectCodec.encode(merged)
            : null;
    return new Merged(key, push, changedHere, null);
  }

  private Behavior<Command> onMerged(Merged merged) {
    if (merged.failure() != null) {
      getContext()
          .getLog()
          .warn(
              "anti-entropy p{} with {}: repairing {} failed: {}",
              partition,
              peerNode,
              LogText.escape(merged.key()),
              LogText.escape(merged.failure()));
      inFlight--;
      return repairNext();
    }
    if (merged.changedHere() || merged.pushToPeer() != null) {
      keysRepaired++;
    }
    if (merged.pushToPeer() == null) {
      inFlight--;
      return repairNext();
    }
    // a merge larger than one message carries goes in parts (ObjectParts), each acked: the key is
    // done when every part is
    List<byte[]> parts = ObjectParts.split(merged.pushToPeer(), host.store().maxPartBytes());
    ActorRef<ReplicaEntity.Replicated> pushed =
        getContext().messageAdapter(ReplicaEntity.Replicated.class, Pushed::new);
    int sent = 0;
    for (byte[] part : parts) {
      // counted against the node's bound on bytes queued to the peer: past it the key waits for a
      // later exchange
      if (!peerIsLocal() && !host.peerQueue().tryAcquire(peerNode, part.length)) {
        break;
      }
      peerRef.tell(new ReplicaEntity.Replicate(merged.key(), part, pushed));
      sent++;
    }
    if (sent == 0) {
      inFlight--;
      return repairNext();
    }
    inFlight += sent - 1;
    return this;
  }

  /** The peer replica runs on this node (a message to it is never queued to a peer). */
  private boolean peerIsLocal() {
    return peerNode == null || peerNode.equals(host.node());
  }

  private Behavior<Command> onPushed(Pushed pushed) {
    inFlight--;
    return repairNext();
  }

  private Behavior<Command> onPeerSilent() {
    return peerNode == null ? finish(false, "no answer from the peer replica") : this;
  }

  private Behavior<Command> onDeadline() {
    return finish(false, "timed out after " + limits.timeout().toMillis() + " ms");
  }

  private Behavior<Command> finish(boolean equal, String error) {
    AntiEntropyStatus.Exchange exchange =
        new AntiEntropyStatus.Exchange(
            partition,
            peerNode == null ? peerLabel : peerNode,
            System.currentTimeMillis(),
            equal,
            differingSegments.length,
            keysRepaired,
            error);
    host.status().record(exchange, System.nanoTime() - startedNanos);
    if (notify != null) {
      notify.tell(new Outcome(partition, exchange.peer(), equal, keysRepaired, error));
    }
    if (keysRepaired > 0 || error != null) {
      getContext()
          .getLog()
          .info(
              "anti-entropy: partition={} peer={} segments_differing={} keys_repaired={}{}",
              partition,
              exchange.peer(),
              exchange.segmentsDiffering(),
              keysRepaired,
              error == null ? "" : " error=" + error);
    }
    return Behaviors.stopped();
  }

  private static Map<ByteKey, Long> toMap(KeyHashList list) {
    Map<ByteKey, Long> map = new HashMap<>();
    for (int i = 0; i < list.keys().size(); i++) {
      map.put(new ByteKey(list.keys().get(i).getBytes(StandardCharsets.UTF_8)), list.hashes()[i]);
    }
    return map;
  }
}
