package io.ringstore.replica;

import io.ringstore.config.StallWatch;
import io.ringstore.CborSerializable;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.DvvSet;
import io.ringstore.version.VersionVector;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replica {@code r} of partition {@code p} (sharding entity {@code "p:r"}): owns that partition's data on
 * the node where sharding placed it and answers {@link Read}, {@link CoordinatePut} and
 * {@link Replicate}. Every storage call runs on the storage dispatcher, which sends the reply itself;
 * every reply names the replica and its node, so coordinators count distinct
 * replicas (DESIGN invariants 1 and 2).
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
   */
  public record ReadReply(
      String replica, String node, byte[] object, String error, String key, boolean syncing)
      implements CborSerializable {
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
   * Sent by a write coordinator to the one replica that applies a client's write: it adds a new dot of
   * this node to the object; answered with a {@link PutReply} carrying the resulting object.
   * {@code context} is an encoded causal context or null; {@code contextFromReplica} makes a write
   * without a context use this replica's current one (delete without a context).
   *
   * <p>{@code applyWithinMillis} (0: no limit) is the duplicate-dot guard. The replica applies the
   * write only if it starts doing so within that many milliseconds of receiving this message, both
   * instants read on its own monotonic clock ({@link ApplyDeadline}); otherwise it answers
   * {@link #PUT_EXPIRED} and stores nothing. The coordinator sends a budget B of half its
   * replica-ack timeout T and hands the write to another replica only when T has passed on its own
   * monotonic clock since it sent this (or when this replica refused). The budget starts at receipt,
   * which is after the send, so the replica's last possible apply is later than the send plus B by
   * the request's one-way delay (transit and the wait in this entity's mailbox; the wait for a
   * storage thread is inside B); its reply then reaches the coordinator before the coordinator moves
   * on whenever request delay + apply + reply delay stay under T - B = T/2 — the round trip of a
   * healthy replica, which T already presumes. No wall clock reading crosses a node, so the guard
   * holds whatever the nodes' clocks say (the absolute deadline this replaced needed the clocks to
   * agree within T/2, 250 ms by default: a replica whose clock ran ahead of the coordinator's
   * refused every write sent to it, one running behind disabled the guard). Monotonic clocks run at the same rate to within parts per million.
   *
   * <p>A request that may have waited unread through a stall of the replica's JVM (SIGSTOP, a long GC
   * pause: {@link StallWatch}, this node's own monotonic readings) is refused as well, since its age
   * is unknown; and a coordinator whose own JVM stood still waits its timeout again before it moves
   * on. If a request is delayed past that bound otherwise (the network held it, or it waited in a busy
   * mailbox), the replica may apply the write after another one did: two dots for one client write, a
   * sibling that holds the same value twice until the next write with the context resolves it.
   * Nothing is lost (DESIGN invariant 1: the acknowledged object is the other replica's, replicated
   * here too) and no concurrent write is dropped (invariant 3); only the guard's purpose, no false
   * sibling, is missed.
   */
  public record CoordinatePut(
      String key, byte[] data, String contentType, boolean tombstone, String context,
      boolean contextFromReplica, ActorRef<PutReply> replyTo, long applyWithinMillis)
      implements Command {
    /** Without a budget: the replica applies it whenever it gets it. */
    public CoordinatePut(
        String key, byte[] data, String contentType, boolean tombstone, String context,
        boolean contextFromReplica, ActorRef<PutReply> replyTo) {
      this(key, data, contentType, tombstone, context, contextFromReplica, replyTo, 0L);
    }
  }

  /**
   * The {@link PutReply#error()} of a {@link CoordinatePut} this replica got to only after its
   * {@code applyWithinMillis} had passed since it arrived: not applied, since another replica may
   * coordinate the write by now (a late apply would add a second dot for the same client write: a
   * false sibling).
   */
  public static final String PUT_EXPIRED = "coordinate-put expired: not applied";

  /**
   * The {@link PutReply#error()} of a {@link CoordinatePut} sent to a replica that is still catching
   * up after a move: it lacks objects, so it must not add a dot of its own; another replica applies
   * the write, and this one still stores the result.
   */
  public static final String REPLICA_SYNCING = "replica is catching up after a move: not applied";

  /**
   * The {@link PutReply#error()} prefix of a write this replica refused because its causal context
   * names versions the stored clock does not hold (the rest is the message for the client). Another
   * replica may hold them (this one may be behind), so the coordinator tries the next one.
   */
  public static final String REFUSED_CONTEXT = "refused-context: ";

  /**
   * The {@link PutReply#error()} prefix of a write this replica refused because it would leave the
   * key with more siblings than allowed (the rest is the message for the client).
   */
  public static final String REFUSED_SIBLINGS = "refused-siblings: ";

  /**
   * The {@link PutReply#error()} prefix of a write this replica refused because it would leave the
   * key's object larger than {@code ringstore.requests.max-object-size} (the rest is the message for
   * the client).
   */
  public static final String REFUSED_TOO_LARGE = "refused-too-large: ";

  /** The object after a coordinated write ({@code object} null and {@code error} set on failure). */
  public record PutReply(String replica, String node, byte[] object, String error)
      implements CborSerializable {
    public boolean ok() {
      return error == null;
    }
  }

  /**
   * Sent by a coordinator to the other replicas (after a write) and to stale replicas (read repair):
   * merge this object into the stored one; answered with {@link Replicated} once stored.
   */
  public record Replicate(String key, byte[] object, ActorRef<Replicated> replyTo)
      implements Command {}

  /** Acknowledges a {@link Replicate}: {@code ok} only once the merged object is stored. */
  public record Replicated(String replica, String node, boolean ok) implements CborSerializable {}

  /**
   * Sent by a write coordinator after every one of the N replicas acked a delete: this replica may
   * reap the tombstone after the grace period if its stored object is still exactly {@code object}.
   * No reply.
   */
  public record MarkTombstoneReplicated(String key, byte[] object) implements Command {}

  /**
   * Sent by a peer's anti-entropy exchange session: this node's tree of the partition, branch level;
   * answered with a {@link TreeReply}.
   */
  public record GetTree(ActorRef<TreeReply> replyTo) implements Command {}

  /** The branch hashes of this replica's node tree ({@code error} set if it has none). */
  public record TreeReply(String replica, String node, long[] branches, String error)
      implements CborSerializable {}

  /** Sent by an exchange session: the hashes of the given segments; answered with SegmentsReply. */
  public record GetSegments(int[] segments, ActorRef<SegmentsReply> replyTo) implements Command {}

  /** Segment hashes, index-aligned with the request's segments. */
  public record SegmentsReply(String replica, String node, long[] hashes, String error)
      implements CborSerializable {}

  /**
   * Sent by an exchange session: every key of the partition in the given segments with the hash of its
   * stored object (a storage scan); answered with KeyHashesReply.
   */
  public record GetKeyHashes(int[] segments, ActorRef<KeyHashesReply> replyTo) implements Command {}

  /** Keys and entry hashes, index-aligned. */
  public record KeyHashesReply(
      String replica, String node, List<String> keys, long[] hashes, String error)
      implements CborSerializable {}

  /**
   * Asked by a leaving node (and the admin API) through sharding: where this entity runs and whether
   * it has caught up; answered with {@link Status}.
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

  /** Storage failures are logged from the storage thread, which has no actor context. */
  private static final Logger STORAGE_LOG =
      LoggerFactory.getLogger(ReplicaEntity.class);

  private static final Duration TRANSFER_RESTART_PAUSE = Duration.ofSeconds(1);

  private final ReplicaId id;
  private final ReplicaHost host;
  /** Serves another node's partition transfer from this node's storage; not a sharded replica. */
  private final boolean source;
  private boolean syncing;

  public static Behavior<Command> create(ReplicaId id, ReplicaHost host) {
    return Behaviors.setup(ctx -> new ReplicaEntity(ctx, id, host, false));
  }

  /**
   * A stand-in that answers for this node's copy of partition {@code id.partition()} when no replica
   * entity of it runs here (the node is the previous host of a moved replica): reads, tree requests
   * and merges, for the new host's transfer. Never registers as a local replica, never syncs.
   */
  static Behavior<Command> createSource(ReplicaId id, ReplicaHost host) {
    return Behaviors.setup(ctx -> new ReplicaEntity(ctx, id, host, true));
  }

  private ReplicaEntity(ActorContext<Command> ctx, ReplicaId id, ReplicaHost host, boolean source) {
    super(ctx);
    this.id = id;
    this.host = host;
    this.source = source;
    if (!source) {
      host.localReplicas().register(id);
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
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Command> onRead(Read read) {
    String replica = id.id();
    String node = host.node();
    boolean behind = syncing;
    runOnStorage(
        () -> {
          byte[] object = host.store().readEncoded(id.partition(), read.key()).orElse(null);
          return () -> read.replyTo().tell(
              new ReadReply(replica, node, object, null, read.key(), behind));
        },
        error -> read.replyTo().tell(new ReadReply(replica, node, null, error, read.key())));
    return this;
  }

  private Behavior<Command> onCoordinatePut(CoordinatePut put) {
    String replica = id.id();
    String node = host.node();
    long received = host.clock().nanos();
    ApplyDeadline deadline = ApplyDeadline.of(put.applyWithinMillis(), received);
    if (put.applyWithinMillis() > 0 && mayHaveWaitedThroughStall(put.applyWithinMillis())) {
      put.replyTo().tell(new PutReply(replica, node, null, PUT_EXPIRED));
      return this;
    }
    if (syncing) {
      put.replyTo().tell(new PutReply(replica, node, null, REPLICA_SYNCING));
      return this;
    }
    runOnStorage(
        () -> {
          if (deadline.passed(host.clock().nanos())) {
            return () -> put.replyTo().tell(new PutReply(replica, node, null, PUT_EXPIRED));
          }
          Optional<VersionVector> context = Optional.ofNullable(put.context())
              .map(CausalContextCodec::decode);
          Sibling value = new Sibling(put.data(), put.contentType(), put.tombstone());
          DvvSet<Sibling> updated;
          try {
            updated = host.store()
                .coordinate(id.partition(), put.key(), value, context, put.contextFromReplica());
          } catch (WriteAdmission.WriteRefusedException refused) {
            String error = refusalPrefix(refused.refusal()) + refused.getMessage();
            return () -> put.replyTo().tell(new PutReply(replica, node, null, error));
          }
          byte[] object = StoredObjectCodec.encode(updated);
          return () -> put.replyTo().tell(new PutReply(replica, node, object, null));
        },
        error -> put.replyTo().tell(new PutReply(replica, node, null, error)));
    return this;
  }

  private static String refusalPrefix(WriteAdmission.Refusal refusal) {
    return switch (refusal) {
      case CONTEXT_NOT_HELD -> REFUSED_CONTEXT;
      case TOO_MANY_SIBLINGS -> REFUSED_SIBLINGS;
      case OBJECT_TOO_LARGE -> REFUSED_TOO_LARGE;
    };
  }

  /**
   * Whether a {@link CoordinatePut} with budget B handled now may have waited
   * unread through a stall of this JVM (SIGSTOP, a GC pause): one of at least B/2 that ended within the
   * coordinator's replica-ack timeout (2B) before now. Its age is then unknown, and the coordinator may
   * have handed the write to another replica already: refused, a duplicate dot is worse than a retry.
   */
  private static boolean mayHaveWaitedThroughStall(long budgetMillis) {
    long budget = TimeUnit.MILLISECONDS.toNanos(budgetMillis);
    return StallWatch.jvm().stalledSince(System.nanoTime() - 2 * budget, budget / 2);
  }

  private Behavior<Command> onReplicate(Replicate replicate) {
    String replica = id.id();
    String node = host.node();
    runOnStorage(
        () -> {
          host.store().merge(id.partition(), replicate.key(), StoredObjectCodec.decode(replicate.object()));
          return () -> replicate.replyTo().tell(new Replicated(replica, node, true));
        },
        error -> replicate.replyTo().tell(new Replicated(replica, node, false)));
    return this;
  }

  private Behavior<Command> onMarkTombstoneReplicated(MarkTombstoneReplicated mark) {
    runOnStorage(
        () -> {
          host.store().markTombstoneReplicated(
              id.partition(), mark.key(), mark.object(), host.clock().wallMillis());
          return () -> { };
        },
        error -> { });
    return this;
  }

  private Behavior<Command> onGetTree(GetTree get) {
    String replica = id.id();
    String node = host.node();
    try {
      get.replyTo().tell(
          new TreeReply(replica, node, host.trees().branchHashes(id.partition()), null));
    } catch (RuntimeException e) {
      get.replyTo().tell(new TreeReply(replica, node, null, e.getMessage()));
    }
    return this;
  }

  private Behavior<Command> onGetSegments(GetSegments get) {
    String replica = id.id();
    String node = host.node();
    try {
      get.replyTo().tell(new SegmentsReply(replica, node,
          host.trees().segmentHashes(id.partition(), get.segments()), null));
    } catch (RuntimeException e) {
      get.replyTo().tell(new SegmentsReply(replica, node, null, e.getMessage()));
    }
    return this;
  }

  private Behavior<Command> onGetKeyHashes(GetKeyHashes get) {
    String replica = id.id();
    String node = host.node();
    runOnStorage(
        () -> {
          PartitionTreeAccess.KeyHashList list =
              host.trees().keyHashes(id.partition(), get.segments());
          return () -> get.replyTo().tell(
              new KeyHashesReply(replica, node, list.keys(), list.hashes(), null));
        },
        error -> get.replyTo().tell(new KeyHashesReply(replica, node, null, null, error)));
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
      getContext().getLog().info("transfer: replica={} partition={} caught up, counts toward R now",
          id, id.partition());
    }
    return this;
  }

  /**
   * A transfer that stopped before it completed failed: start another one after a pause, so that a
   * failure that repeats does not spin.
   */
  private Behavior<Command> onTransferStopped(TransferStopped stopped) {
    if (syncing) {
      getContext().getLog().warn("transfer: replica={} transfer stopped before it caught up;"
          + " restarting it in {}", id, TRANSFER_RESTART_PAUSE);
      getContext().scheduleOnce(TRANSFER_RESTART_PAUSE, getContext().getSelf(), new RestartTransfer());
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

  /**
   * Runs a blocking storage call on the storage dispatcher. The reply it returns is sent from the
   * storage thread itself (telling an {@code ActorRef} is thread-safe, and a reply reads no state of
   * this actor): passing it back through this actor's mailbox first would cost a hop and a thread
   * wake-up per replica operation. An exception becomes an error reply, logged.
   */
  private void runOnStorage(
      Supplier<Runnable> work, Consumer<String> onError) {
    ReplicaId replica = id;
    host.storageExecutor().execute(() -> {
      Runnable reply;
      try {
        reply = work.get();
      } catch (RuntimeException | Error e) {
        String error = e.getClass().getSimpleName() + ": " + e.getMessage();
        STORAGE_LOG.warn("replica {}: storage call failed: {}", replica, error);
        onError.accept(error);
        return;
      }
      reply.run();
    });
  }
}
