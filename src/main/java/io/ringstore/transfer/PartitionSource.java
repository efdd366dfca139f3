package io.ringstore.transfer;

import io.ringstore.CborSerializable;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaHost;
import io.ringstore.replica.ReplicaId;
import io.ringstore.storage.ObjectParts;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StorageCalls;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * This data node as the source of partition transfers (one per node, registered with the
 * Receptionist): tells a starting replica elsewhere whether this node is the previous host of its
 * partition, streams the partition's objects in bounded batches that the new host pulls one at a
 * time (back-pressure: the next batch is only read when asked for), serves this node's copy of a
 * partition it no longer hosts to the new host's tree exchange, and reports this node's transfers
 * to {@code /admin/transfers}. Upholds DESIGN invariants 1 and 2 across moves: a moved replica gets
 * the data of the replica it replaces.
 */
public final class PartitionSource extends AbstractBehavior<PartitionSource.Command> {
  public static final ServiceKey<Command> KEY =
      ServiceKey.create(Command.class, "partition-source");

  /** Messages a partition source accepts; all cross nodes. */
  public interface Command extends CborSerializable {}

  /** Sent by a starting replica's transfer: what this node has of {@code partition}. */
  public record Describe(int partition, ActorRef<Description> replyTo) implements Command {}

  /**
   * This node's copy of a partition: {@code hosting} when a replica entity of it runs here; {@code
   * releasedMillisAgo} (else null) how long ago the last replica of it moved away from here, if one
   * did since this node started and none runs here now; {@code keys} how many keys it holds
   * (counted only when something was released, else -1); {@code server} answers replica commands
   * (tree, segments, key hashes, reads, merges) for this node's copy; {@code
   * releasedReplicasMillisAgo}: the replica entities of the partition that moved away from here
   * since this node started, by id, with how long ago (this node is their previous host, even while
   * it still hosts another replica of the partition).
   *
   * <p>Ages, not times: both are measured on this node's clock when it answers, so the node that
   * asked compares them with its source window without reading its own wall clock against this
   * one's (issue 10, item 5).
   */
  public record Description(
      String node,
      int partition,
      boolean hosting,
      Long releasedMillisAgo,
      long keys,
      ActorRef<ReplicaEntity.Command> server,
      Map<String, Long> releasedReplicasMillisAgo)
      implements CborSerializable {
    public Description(
        String node,
        int partition,
        boolean hosting,
        Long releasedMillisAgo,
        long keys,
        ActorRef<ReplicaEntity.Command> server) {
      this(node, partition, hosting, releasedMillisAgo, keys, server, Map.of());
    }
  }

  /**
   * Sent by a new host copying the partition: up to {@code maxEntries} objects (and about {@code
   * maxBytes}) after {@code afterKey} (null: from the start), in key order. With {@code afterActor}
   * (else null) the copy resumes inside {@code afterKey}'s object, at the entries of the actors
   * after it ({@link Batch#resumeActor}).
   */
  public record CopyBatch(
      int partition,
      String afterKey,
      int maxEntries,
      int maxBytes,
      ActorRef<Batch> replyTo,
      String afterActor)
      implements Command {
    public CopyBatch(
        int partition, String afterKey, int maxEntries, int maxBytes, ActorRef<Batch> replyTo) {
      this(partition, afterKey, maxEntries, maxBytes, replyTo, null);
    }
  }

  /**
   * A batch of stored objects, index-aligned with {@code keys}; {@code done} when nothing follows.
   * An object larger than one message carries ({@link ObjectParts}) comes alone, in parts over
   * several batches: {@code resumeActor} (else null) says the batch holds a part of its one key's
   * object, the entries up to that actor, and the next batch is to be asked for after it.
   */
  public record Batch(
      String node,
      int partition,
      List<String> keys,
      List<byte[]> objects,
      boolean done,
      String error,
      String resumeActor)
      implements CborSerializable {
    public Batch(
        String node,
        int partition,
        List<String> keys,
        List<byte[]> objects,
        boolean done,
        String error) {
      this(node, partition, keys, objects, done, error, null);
    }
  }

  /**
   * Sent every few seconds by a node leaving with its data (POST /admin/leave): keep it out of the
   * ring, so its replicas move away. No reply.
   */
  public record Draining(String node) implements Command {}

  /** Sent by {@code /admin/transfers} on any node: this node's transfers. */
  public record GetTransfers(ActorRef<Transfers> replyTo) implements Command {}

  /** The transfers into this node's replicas. */
  public record Transfers(String node, List<TransferTracker.Transfer> transfers)
      implements CborSerializable {}

  private record Counted(
      Describe describe,
      boolean hosting,
      Long released,
      ActorRef<ReplicaEntity.Command> server,
      Map<String, Long> releasedReplicas,
      long keys,
      Throwable failure)
      implements Command {}

  private record Scanned(CopyBatch copy, Batch batch, Throwable failure) implements Command {}

  private final ReplicaHost host;
  private final TransferTracker transfers;
  private final DrainingMembers draining;
  private final Map<Integer, ActorRef<ReplicaEntity.Command>> servers = new HashMap<>();

  /** {@code transfers}: where this node's replicas report their transfers (the host's tracker). */
  public static Behavior<Command> create(
      ReplicaHost host, TransferTracker transfers, DrainingMembers draining) {
    return Behaviors.setup(
        ctx -> {
          ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
          return new PartitionSource(ctx, host, transfers, draining);
        });
  }

  private PartitionSource(
      ActorContext<Command> ctx,
      ReplicaHost host,
      TransferTracker transfers,
      DrainingMembers draining) {
    super(ctx);
    this.host = host;
    this.transfers = transfers;
    this.draining = draining;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Describe.class, this::onDescribe)
        .onMessage(CopyBatch.class, this::onCopyBatch)
        .onMessage(GetTransfers.class, this::onGetTransfers)
        .onMessage(Draining.class, this::onDraining)
        .onMessage(Counted.class, this::onCounted)
        .onMessage(Scanned.class, this::onScanned)
        .build();
  }

  private Behavior<Command> onDescribe(Describe describe) {
    int p = describe.partition();
    boolean hosting = host.localReplicas().forPartition(p).isPresent();
    Long released = host.localReplicas().releasedMillisAgo(p).orElse(null);
    ActorRef<ReplicaEntity.Command> server =
        servers.computeIfAbsent(
            p,
            partition ->
                getContext()
                    .spawn(
                        ReplicaEntity.createSource(new ReplicaId(partition, 0), host),
                        "partition-" + partition));
    String node = host.node();
    Map<String, Long> releasedReplicas = host.localReplicas().releasedReplicasMillisAgo(p);
    if (released == null && releasedReplicas.isEmpty()) {
      describe
          .replyTo()
          .tell(new Description(node, p, hosting, null, -1, server, releasedReplicas));
      return this;
    }
    getContext()
        .pipeToSelf(
            host.storageCalls().call(() -> host.store().engine().countKeys(p)),
            (keys, failure) ->
                new Counted(
                    describe,
                    hosting,
                    released,
                    server,
                    releasedReplicas,
                    failure == null ? keys : -1,
                    failure));
    return this;
  }

  private Behavior<Command> onCounted(Counted counted) {
    if (counted.failure() != null) {
      getContext()
          .getLog()
          .warn(
              "partition source: counting the keys of partition {} failed: {}",
              counted.describe().partition(),
              StorageCalls.describe(counted.failure()));
    }
    counted
        .describe()
        .replyTo()
        .tell(
            new Description(
                host.node(),
                counted.describe().partition(),
                counted.hosting(),
                counted.released(),
                counted.keys(),
                counted.server(),
                counted.releasedReplicas()));
    return this;
  }

  private Behavior<Command> onCopyBatch(CopyBatch copy) {
    String node = host.node();
    int p = copy.partition();
    int maxEntries = Math.max(1, Math.min(copy.maxEntries(), 10_000));
    long maxBytes = Math.max(1, copy.maxBytes());
    long maxPart = host.store().maxPartBytes();
    getContext()
        .pipeToSelf(
            host.storageCalls()
                .call(
                    () -> {
                      if (copy.afterActor() != null && copy.afterKey() != null) {
                        Optional<byte[]> rest =
                            host.store()
                                .readEncoded(p, copy.afterKey())
                                .map(o -> entriesAfter(o, copy.afterActor()));
                        if (rest.isPresent()) {
                          return firstPart(node, p, copy.afterKey(), rest.get(), maxPart);
                        }
                        // the key is gone meanwhile (reaped): go on after it
                      }
                      List<String> keys = new ArrayList<>();
                      List<byte[]> objects = new ArrayList<>();
                      long[] bytes = {0};
                      int[] visited = {0};
                      byte[] after =
                          copy.afterKey() == null
                              ? null
                              : copy.afterKey().getBytes(StandardCharsets.UTF_8);
                      host.store()
                          .engine()
                          .scanFrom(
                              p,
                              after,
                              maxEntries,
                              (k, v) -> {
                                visited[0]++;
                                if (keys.size() == visited[0] - 1
                                    && (keys.isEmpty() || bytes[0] + v.length <= maxBytes)) {
                                  keys.add(new String(k, StandardCharsets.UTF_8));
                                  objects.add(v);
                                  bytes[0] += v.length;
                                }
                              });
                      // done when the scan hit the partition's end and every key it visited fits in
                      // this batch; a
                      // batch cut short by size resumes after its last key
                      boolean done = visited[0] < maxEntries && keys.size() == visited[0];
                      if (keys.size() == 1 && objects.get(0).length > maxPart) {
                        // alone in its batch and larger than one message carries: in parts
                        return firstPart(node, p, keys.get(0), objects.get(0), maxPart);
                      }
                      return new Batch(node, p, keys, objects, done, null);
                    }),
            (batch, failure) -> new Scanned(copy, batch, failure));
    return this;
  }

  /**
   * A batch of {@code key}'s object {@code encoded} alone, or of its first part with where to
   * resume (never done: the copy goes on after the key).
   */
  private static Batch firstPart(String node, int p, String key, byte[] encoded, long maxPart) {
    List<byte[]> parts = ObjectParts.split(encoded, maxPart);
    byte[] first = parts.get(0);
    String resume = null;
    if (parts.size() > 1) {
      List<DvvSet.Entry<Sibling>> entries = StoredObjectCodec.decode(first).entries();
      resume = entries.get(entries.size() - 1).actor();
    }
    return new Batch(node, p, List.of(key), List.of(first), false, null, resume);
  }

  /** The object {@code encoded} restricted to the entries of the actors after {@code actor}. */
  private static byte[] entriesAfter(byte[] encoded, String actor) {
    DvvSet<Sibling> object = StoredObjectCodec.decode(encoded);
    return StoredObjectCodec.encode(
        DvvSet.fromParts(
            object.entries().stream().filter(e -> e.actor().compareTo(actor) > 0).toList(),
            List.of()));
  }

  private Behavior<Command> onScanned(Scanned scanned) {
    if (scanned.failure() == null) {
      scanned.copy().replyTo().tell(scanned.batch());
    } else {
      scanned
          .copy()
          .replyTo()
          .tell(
              new Batch(
                  host.node(),
                  scanned.copy().partition(),
                  List.of(),
                  List.of(),
                  false,
                  StorageCalls.describe(scanned.failure())));
    }
    return this;
  }

  private Behavior<Command> onDraining(Draining message) {
    draining.announced(message.node());
    return this;
  }

  private Behavior<Command> onGetTransfers(GetTransfers get) {
    get.replyTo().tell(new Transfers(host.node(), transfers.all()));
    return this;
  }
}
