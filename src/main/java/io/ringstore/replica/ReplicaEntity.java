package io.ringstore.replica;

import io.ringstore.CborSerializable;
import io.ringstore.config.StallWatch;
import io.ringstore.storage.ObjectParts;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StorageCallExpiredException;
import io.ringstore.storage.StorageCalls;
import io.ringstore.storage.StorageOverloadedException;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.VersionVector;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * Replica {@code r} of partition {@code p} (sharding entity {@code "p:r"}): owns that partition's
 * data on the node where sharding placed it and answers {@link Read}, {@link CoordinatePut} and
 * {@link Replicate}. Every storage call runs through the node's {@link StorageCalls} and comes back
 * through {@code pipeToSelf}; the reply is built and sent here. A call the node's storage bound
 * refuses, or that fails, becomes an error reply (the coordinator counts a failed replica); every
 * reply names the replica and its node, so coordinators count distinct replicas (DESIGN invariants
 * 1 and 2).
 *
 * <p>An entity never starts on data being deleted under it: while the {@link PartitionReclaimer}
 * drops this node's copy of the partition, {@link LocalReplicas#register} does not register the
 * entity but hands back a stage that completes once the drop is done; the entity stashes its
 * commands until then (its actor thread never waits on the drop), then serves and syncs from the
 * other replicas as any new replica does.
 */
public final class ReplicaEntity extends AbstractBehavior<ReplicaEntity.Command> {

  /** Messages a replica entity accepts; all cross nodes. */
  public interface Command extends CborSerializable {}

  /** Sent by a read coordinator (or the admin API); answered with a {@link ReadReply}. */
  public record Read(String key, ActorRef<ReadReply> replyTo) implements Command {}

  /**
   * This replica's stored object for {@code key} ({@code object} null when absent), or an error.
   * {@code syncing}: the replica has just moved here and not caught up yet, so its answer may be
   * behind an acknowledged write and must not count toward R.
   *
   * <p>An object larger than one message carries whole ({@link ObjectParts}) comes as {@code parts}
   * replies, one after another, {@code part} 0 to {@code parts - 1}, each holding some of its
   * actors' entries; a receiver joins them ({@link ReadReplyParts}) before it uses the object.
   * {@code parts} 0 or 1: the whole object.
   */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record ReadReply(
      String replica,
      String node,
      byte[] object,
      String error,
      String key,
      boolean syncing,
      int part,
      int parts)
      implements CborSerializable {
    public ReadReply(
        String replica, String node, byte[] object, String error, String key, boolean syncing) {
      this(replica, node, object, error, key, syncing, 0, 1);
    }

    public ReadReply(String replica, String node, byte[] object, String error, String key) {
      this(replica, node, object, error, key, false);
    }

    public ReadReply(String replica, String node, byte[] object, String error) {
      this(replica, node, object, error, null);
    }

    public boolean ok() {
      return error == null;
    }
  }

  /**
   * Sent by a write coordinator to the one replica that applies a client's write: it adds a new dot
   * of this node to the object; answered with a {@link PutReply} carrying the resulting object.
   * {@code context} is an encoded causal context or null; {@code contextFromReplica} makes a write
   * without a context use this replica's current one (delete without a context).
   *
   * <p>{@code applyWithinMillis} (0: no limit) is the duplicate-dot guard. The replica applies the
   * write only if it starts doing so within that many milliseconds of receiving this message, both
   * instants read on its own monotonic clock ({@link ApplyDeadline}); otherwise it answers {@link
   * PutError#EXPIRED} and stores nothing. The coordinator sends a budget B of half its replica-ack
   * timeout T and hands the write to another replica only when T has passed on its own monotonic
   * clock since it sent this (or when this replica refused). The budget starts at receipt, which is
   * after the send, so the replica's last possible apply is later than the send plus B by the
   * request's one-way delay (transit and the wait in this entity's mailbox; the wait for a storage
   * thread is inside B); its reply then reaches the coordinator before the coordinator moves on
   * whenever request delay + apply + reply delay stay under T - B = T/2 — the round trip of a
   * healthy replica, which T already presumes. No wall clock reading crosses a node, so the guard
   * holds whatever the nodes' clocks say (the absolute deadline this replaced needed the clocks to
   * agree within T/2, 250 ms by default: a replica whose clock ran ahead of the coordinator's
   * refused every write sent to it, one running behind disabled the guard). Monotonic clocks run at
   * the same rate to within parts per million.
   *
   * <p>A request that may have waited unread through a stall of the replica's JVM (SIGSTOP, a long
   * GC pause: {@link StallWatch}, this node's own monotonic readings) is refused as well, since its
   * age is unknown; and a coordinator whose own JVM stood still waits its timeout again before it
   * moves on. If a request is delayed past that bound otherwise (the network held it, or it waited
   * in a busy mailbox), the replica may apply the write after another one did: two dots for one
   * client write, a sibling that holds the same value twice until the next write with the context
   * resolves it. Nothing is lost (DESIGN invariant 1: the acknowledged object is the other
   * replica's, replicated here too) and no concurrent write is dropped (invariant 3); only the
   * guard's purpose, no false sibling, is missed.
   */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record CoordinatePut(
      String key,
      byte[] data,
      String contentType,
      boolean tombstone,
      String context,
      boolean contextFromReplica,
      ActorRef<PutReply> replyTo,
      long applyWithinMillis,
      CausalContextCodec.Limits contextLimits)
      implements Command {
    /** Without limits for a context: the reply carries none (the coordinator derives it). */
    public CoordinatePut(
        String key,
        byte[] data,
        String contentType,
        boolean tombstone,
        String context,
        boolean contextFromReplica,
        ActorRef<PutReply> replyTo,
        long applyWithinMillis) {
      this(
          key,
          data,
          contentType,
          tombstone,
          context,
          contextFromReplica,
          replyTo,
          applyWithinMillis,
          null);
    }

    /** Without a budget: the replica applies it whenever it gets it. */
    public CoordinatePut(
        String key,
        byte[] data,
        String contentType,
        boolean tombstone,
        String context,
        boolean contextFromReplica,
        ActorRef<PutReply> replyTo) {
      this(key, data, contentType, tombstone, context, contextFromReplica, replyTo, 0L);
    }
  }

  /**
   * The object after a coordinated write, exactly as the replica stored it ({@code object}), and
   * the causal context the client gets for it ({@code context}, computed from the object with the
   * request's {@code contextLimits}; null when the request named none). When nothing was applied,
   * {@code object} is null, {@code error} says why and {@code reason} is the message (for the
   * client, when the write was refused).
   */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record PutReply(
      String replica, String node, byte[] object, PutError error, String reason, String context)
      implements CborSerializable {
    /** An applied write. */
    public PutReply(String replica, String node, byte[] object, String context) {
      this(replica, node, object, null, null, context);
    }

    /** A write this replica did not apply. */
    public static PutReply failed(String replica, String node, PutError error, String reason) {
      return new PutReply(replica, node, null, error, reason, null);
    }

    /** A write this replica did not apply, for an error whose reason is always the same. */
    public static PutReply failed(String replica, String node, PutError error) {
      return failed(replica, node, error, error.fixedReason());
    }

    public boolean ok() {
      return error == null;
    }
  }

  /**
   * Sent by a coordinator to the other replicas (after a write) and to stale replicas (read
   * repair): merge this object into the stored one; answered with {@link Replicated} once stored.
   */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record Replicate(String key, byte[] object, ActorRef<Replicated> replyTo)
      implements Command {}

  /** Acknowledges a {@link Replicate}: {@code ok} only once the merged object is stored. */
  public record Replicated(String replica, String node, boolean ok) implements CborSerializable {}

  /**
   * Sent by a write coordinator after every one of the N replicas acked a delete: this replica may
   * reap the tombstone after the grace period if its stored object is still exactly {@code object}.
   * No reply.
   */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record MarkTombstoneReplicated(String key, byte[] object) implements Command {}

  /**
   * Sent by a peer's anti-entropy exchange session: this node's tree of the partition, branch
   * level; answered with a {@link TreeReply}.
   */
  public record GetTree(ActorRef<TreeReply> replyTo) implements Command {}

  /** The branch hashes of this replica's node tree ({@code error} set if it has none). */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record TreeReply(String replica, String node, long[] branches, String error)
      implements CborSerializable {}

  /** Sent by an exchange session: the hashes of the given segments; answered with SegmentsReply. */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record GetSegments(int[] segments, ActorRef<SegmentsReply> replyTo) implements Command {}

  /** Segment hashes, index-aligned with the request's segments. */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record SegmentsReply(String replica, String node, long[] hashes, String error)
      implements CborSerializable {}

  /**
   * Sent by an exchange session: every key of the partition in the given segments with the hash of
   * its stored object (a storage scan); answered with KeyHashesReply.
   */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record GetKeyHashes(int[] segments, ActorRef<KeyHashesReply> replyTo) implements Command {}

  /** Keys and entry hashes, index-aligned. */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record KeyHashesReply(
      String replica, String node, List<String> keys, long[] hashes, String error)
      implements CborSerializable {}

  /**
   * Asked by a leaving node (and the admin API) through sharding: where this entity runs and
   * whether it has caught up; answered with {@link Status}.
   */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** Where a replica entity runs and whether it still catches up. */
  public record Status(String replica, String node, boolean syncing) implements CborSerializable {}

  /**
   * Sent through sharding by a node's {@link ReplicaRoutes} keeper: answered with this entity's own
   * ref, which the keeper then uses (and watches) as a direct route.
   */
  public record Locate(ActorRef<Located> replyTo) implements Command {}

  /** Where replica {@code replica} ({@code "p:r"}) runs: its entity's ref. */
  public record Located(String replica, ActorRef<Command> entity) implements CborSerializable {}

  /** Sent by this entity's transfer child once the replica caught up: it now counts toward R. */
  public record SyncCompleted() implements Command {}

  private record TransferStopped() implements Command {}

  private record RestartTransfer() implements Command {}

  /** The reclaimer's drop of this partition ended: the entity is registered and starts serving. */
  private record Registered() implements Command {}

  @SuppressWarnings("ArrayRecordComponent") // an actor's own message, never compared
  private record ReadDone(Read read, boolean behind, byte[] object, Throwable failure)
      implements Command {}

  /** The outcome of a coordinated write on storage: the reply for the coordinator, or a failure. */
  private record PutDone(CoordinatePut put, PutReply reply, Throwable failure) implements Command {}

  private record ReplicateDone(Replicate replicate, Throwable failure) implements Command {}

  private record MarkDone(Throwable failure) implements Command {}

  private record KeyHashesDone(
      GetKeyHashes get, PartitionTreeAccess.KeyHashList list, Throwable failure)
      implements Command {}

  /** Commands kept while the entity waits for a drop of its partition to end (rare, short). */
  private static final int STASH_CAPACITY = 10_000;

  private static final Duration TRANSFER_RESTART_PAUSE = Duration.ofSeconds(1);

  private final ReplicaId id;
  private final ReplicaHost host;

  /** Serves another node's partition transfer from this node's storage; not a sharded replica. */
  private final boolean source;

  private boolean syncing;

  public static Behavior<Command> create(ReplicaId id, ReplicaHost host) {
    return Behaviors.setup(
        ctx -> {
          CompletionStage<Boolean> registered = host.localReplicas().register(id);
          if (registered.toCompletableFuture().isDone()) {
            return new ReplicaEntity(ctx, id, host, false);
          }
          return Behaviors.withStash(
              STASH_CAPACITY, stash -> waitForDrop(ctx, id, host, registered, stash));
        });
  }

  /**
   * The entity's partition is being dropped here ({@link LocalReplicas#dropIfUnhosted}): keeps
   * every command until the drop is done and the entity registered, then serves them in order.
   */
  private static Behavior<Command> waitForDrop(
      ActorContext<Command> ctx,
      ReplicaId id,
      ReplicaHost host,
      CompletionStage<Boolean> registered,
      StashBuffer<Command> stash) {
    ctx.getLog()
        .info(
            "replica {}: waiting for the drop of partition {} here to end before it starts",
            id,
            id.partition());
    ctx.pipeToSelf(registered, (done, failure) -> new Registered());
    return Behaviors.receive(Command.class)
        .onMessage(
            Registered.class,
            registeredNow -> stash.unstashAll(new ReplicaEntity(ctx, id, host, false)))
        .onMessage(
            Command.class,
            command -> {
              if (stash.isFull()) {
                ctx.getLog()
                    .warn(
                        "replica {}: {} commands wait for the partition's drop; dropping {}",
                        id,
                        STASH_CAPACITY,
                        command.getClass().getSimpleName());
              } else {
                stash.stash(command);
              }
              return Behaviors.same();
            })
        .onSignal(
            PostStop.class,
            stopped -> {
              host.localReplicas().deregister(id);
              return Behaviors.same();
            })
        .build();
  }

  /**
   * A stand-in that answers for this node's copy of partition {@code id.partition()} when no
   * replica entity of it runs here (the node is the previous host of a moved replica): reads, tree
   * requests and merges, for the new host's transfer. Never registers as a local replica, never
   * syncs.
   */
  public static Behavior<Command> createSource(ReplicaId id, ReplicaHost host) {
    return Behaviors.setup(ctx -> new ReplicaEntity(ctx, id, host, true));
  }

  private ReplicaEntity(ActorContext<Command> ctx, ReplicaId id, ReplicaHost host, boolean source) {
    super(ctx);
    this.id = id;
    this.host = host;
    this.source = source;
    if (!source) {
      Behavior<?> transfer = host.sync().transfer(id, ctx.getSelf());
      if (transfer != null) {
        syncing = true;
        host.transfers().begin(id, host.clock().wallMillis());
        var child = ctx.spawn(transfer, "transfer");
        ctx.watchWith(child, new TransferStopped());
      }
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Read.class, this::onRead)
        .onMessage(CoordinatePut.class, this::onCoordinatePut)
        .onMessage(Replicate.class, this::onReplicate)
        .onMessage(MarkTombstoneReplicated.class, this::onMarkTombstoneReplicated)
        .onMessage(GetTree.class, this::onGetTree)
        .onMessage(GetSegments.class, this::onGetSegments)
        .onMessage(GetKeyHashes.class, this::onGetKeyHashes)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(Locate.class, this::onLocate)
        .onMessage(SyncCompleted.class, this::onSyncCompleted)
        .onMessage(TransferStopped.class, this::onTransferStopped)
        .onMessage(RestartTransfer.class, this::onRestartTransfer)
        .onMessage(ReadDone.class, this::onReadDone)
        .onMessage(PutDone.class, this::onPutDone)
        .onMessage(ReplicateDone.class, this::onReplicateDone)
        .onMessage(MarkDone.class, this::onMarkDone)
        .onMessage(KeyHashesDone.class, this::onKeyHashesDone)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Command> onRead(Read read) {
    boolean behind = syncing;
    getContext()
        .pipeToSelf(
            storage().call(() -> host.store().readEncoded(id.partition(), read.key())),
            (object, failure) ->
                new ReadDone(read, behind, failure == null ? object.orElse(null) : null, failure));
    return this;
  }

  private Behavior<Command> onReadDone(ReadDone done) {
    Read read = done.read();
    if (done.failure() != null) {
      read.replyTo()
          .tell(
              new ReadReply(id.id(), host.node(), null, storageFailed(done.failure()), read.key()));
    } else if (done.object() == null) {
      read.replyTo()
          .tell(new ReadReply(id.id(), host.node(), null, null, read.key(), done.behind()));
    } else {
      // an object grown by merges past what one message carries goes in parts, in order on this
      // sender's lane
      List<byte[]> parts = ObjectParts.split(done.object(), host.store().maxPartBytes());
      for (int i = 0; i < parts.size(); i++) {
        read.replyTo()
            .tell(
                new ReadReply(
                    id.id(),
                    host.node(),
                    parts.get(i),
                    null,
                    read.key(),
                    done.behind(),
                    i,
                    parts.size()));
      }
    }
    return this;
  }

  private Behavior<Command> onCoordinatePut(CoordinatePut put) {
    String replica = id.id();
    String node = host.node();
    long received = host.clock().nanos();
    ApplyDeadline deadline = ApplyDeadline.of(put.applyWithinMillis(), received);
    if (put.applyWithinMillis() > 0 && mayHaveWaitedThroughStall(put.applyWithinMillis())) {
      put.replyTo().tell(PutReply.failed(replica, node, PutError.EXPIRED));
      return this;
    }
    if (syncing) {
      put.replyTo().tell(PutReply.failed(replica, node, PutError.SYNCING));
      return this;
    }
    // checked again on the storage thread right before the write starts: a write that waited for a
    // storage thread past its budget is not applied
    getContext()
        .pipeToSelf(
            storage().call(() -> deadline.passed(host.clock().nanos()), () -> apply(put)),
            (reply, failure) -> new PutDone(put, reply, failure));
    return this;
  }

  /**
   * Runs on a storage thread: the DVV update of a coordinated write, answered with the bytes stored
   * (encoded once) and, when the coordinator asks for it, the client's context.
   */
  private PutReply apply(CoordinatePut put) {
    Optional<VersionVector> context =
        Optional.ofNullable(put.context()).map(CausalContextCodec::decode);
    Sibling value = new Sibling(put.data(), put.contentType(), put.tombstone());
    try {
      LocalObjectStore.Coordinated updated =
          host.store()
              .coordinateEncoded(
                  id.partition(), put.key(), value, context, put.contextFromReplica());
      return new PutReply(
          id.id(),
          host.node(),
          updated.encoded(),
          put.contextLimits() == null
              ? null
              : CausalContextCodec.contextOf(updated.object(), put.contextLimits()));
    } catch (WriteAdmission.WriteRefusedException refused) {
      return PutReply.failed(
          id.id(), host.node(), PutError.of(refused.refusal()), refused.getMessage());
    }
  }

  private Behavior<Command> onPutDone(PutDone done) {
    ActorRef<PutReply> replyTo = done.put().replyTo();
    if (done.failure() == null) {
      replyTo.tell(done.reply());
    } else if (unwrap(done.failure()) instanceof StorageCallExpiredException) {
      replyTo.tell(PutReply.failed(id.id(), host.node(), PutError.EXPIRED));
    } else {
      replyTo.tell(
          PutReply.failed(
              id.id(), host.node(), PutError.STORAGE_FAILED, storageFailed(done.failure())));
    }
    return this;
  }

  /**
   * Whether a {@link CoordinatePut} with budget B handled now may have waited unread through a
   * stall of this JVM (SIGSTOP, a GC pause): one of at least B/2 that ended within the
   * coordinator's replica-ack timeout (2B) before now. Its age is then unknown, and the coordinator
   * may have handed the write to another replica already: refused, a duplicate dot is worse than a
   * retry.
   */
  private static boolean mayHaveWaitedThroughStall(long budgetMillis) {
    long budget = TimeUnit.MILLISECONDS.toNanos(budgetMillis);
    return StallWatch.jvm().stalledSince(System.nanoTime() - 2 * budget, budget / 2);
  }

  private Behavior<Command> onReplicate(Replicate replicate) {
    getContext()
        .pipeToSelf(
            storage()
                .call(
                    () -> {
                      host.store()
                          .merge(
                              id.partition(),
                              replicate.key(),
                              StoredObjectCodec.decode(replicate.object()));
                      return Boolean.TRUE;
                    }),
            (merged, failure) -> new ReplicateDone(replicate, failure));
    return this;
  }

  private Behavior<Command> onReplicateDone(ReplicateDone done) {
    if (done.failure() != null) {
      storageFailed(done.failure());
    }
    done.replicate().replyTo().tell(new Replicated(id.id(), host.node(), done.failure() == null));
    return this;
  }

  private Behavior<Command> onMarkTombstoneReplicated(MarkTombstoneReplicated mark) {
    getContext()
        .pipeToSelf(
            storage()
                .call(
                    () -> {
                      host.store()
                          .markTombstoneReplicated(
                              id.partition(), mark.key(), mark.object(), host.clock().wallMillis());
                      return Boolean.TRUE;
                    }),
            (marked, failure) -> new MarkDone(failure));
    return this;
  }

  private Behavior<Command> onMarkDone(MarkDone done) {
    if (done.failure() != null) {
      storageFailed(done.failure());
    }
    return this;
  }

  private Behavior<Command> onGetTree(GetTree get) {
    String replica = id.id();
    String node = host.node();
    try {
      get.replyTo()
          .tell(new TreeReply(replica, node, host.trees().branchHashes(id.partition()), null));
    } catch (RuntimeException e) {
      get.replyTo().tell(new TreeReply(replica, node, null, e.getMessage()));
    }
    return this;
  }

  private Behavior<Command> onGetSegments(GetSegments get) {
    String replica = id.id();
    String node = host.node();
    try {
      get.replyTo()
          .tell(
              new SegmentsReply(
                  replica, node, host.trees().segmentHashes(id.partition(), get.segments()), null));
    } catch (RuntimeException e) {
      get.replyTo().tell(new SegmentsReply(replica, node, null, e.getMessage()));
    }
    return this;
  }

  private Behavior<Command> onGetKeyHashes(GetKeyHashes get) {
    getContext()
        .pipeToSelf(
            storage().call(() -> host.trees().keyHashes(id.partition(), get.segments())),
            (list, failure) -> new KeyHashesDone(get, list, failure));
    return this;
  }

  private Behavior<Command> onKeyHashesDone(KeyHashesDone done) {
    ActorRef<KeyHashesReply> replyTo = done.get().replyTo();
    if (done.failure() != null) {
      replyTo.tell(
          new KeyHashesReply(id.id(), host.node(), null, null, storageFailed(done.failure())));
    } else {
      replyTo.tell(
          new KeyHashesReply(id.id(), host.node(), done.list().keys(), done.list().hashes(), null));
    }
    return this;
  }

  private Behavior<Command> onLocate(Locate locate) {
    if (!source) {
      locate.replyTo().tell(new Located(id.id(), getContext().getSelf()));
    }
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus get) {
    get.replyTo().tell(new Status(id.id(), host.node(), syncing));
    return this;
  }

  private Behavior<Command> onSyncCompleted(SyncCompleted completed) {
    if (syncing) {
      syncing = false;
      host.transfers().done(id, host.clock().wallMillis());
      getContext()
          .getLog()
          .info(
              "transfer: replica={} partition={} caught up, counts toward R now",
              id,
              id.partition());
    }
    return this;
  }

  /**
   * A transfer that stopped before it completed failed: start another one after a pause, so that a
   * failure that repeats does not spin.
   */
  private Behavior<Command> onTransferStopped(TransferStopped stopped) {
    if (syncing) {
      getContext()
          .getLog()
          .warn(
              "transfer: replica={} transfer stopped before it caught up;" + " restarting it in {}",
              id,
              TRANSFER_RESTART_PAUSE);
      getContext()
          .scheduleOnce(TRANSFER_RESTART_PAUSE, getContext().getSelf(), new RestartTransfer());
    }
    return this;
  }

  private Behavior<Command> onRestartTransfer(RestartTransfer restart) {
    if (syncing) {
      Behavior<?> transfer = host.sync().transfer(id, getContext().getSelf());
      if (transfer == null) {
        return onSyncCompleted(new SyncCompleted());
      }
      var child = getContext().spawnAnonymous(transfer);
      getContext().watchWith(child, new TransferStopped());
    }
    return this;
  }

  private Behavior<Command> onPostStop(PostStop signal) {
    if (!source) {
      host.localReplicas().deregister(id);
      if (syncing) {
        host.transfers().failed(id, "handed off before it caught up", host.clock().wallMillis());
      }
    }
    return this;
  }

  private StorageCalls storage() {
    return host.storageCalls();
  }

  /**
   * The error text of a failed storage call, logged: a refusal of the node's storage bound at debug
   * (it counts in {@code ringstore_storage_overloaded_total}, and a burst would flood the log), any
   * other failure as a warning.
   */
  private String storageFailed(Throwable failure) {
    String error = StorageCalls.describe(failure);
    if (unwrap(failure) instanceof StorageOverloadedException) {
      getContext().getLog().debug("replica {}: storage call refused: {}", id, error);
    } else {
      getContext().getLog().warn("replica {}: storage call failed: {}", id, error);
    }
    return error;
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }
}
