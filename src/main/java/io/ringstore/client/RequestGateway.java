package io.ringstore.client;

import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.ReadCoordinator;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.RequestLimits;
import io.ringstore.coordinator.RequestMetrics;
import io.ringstore.coordinator.WriteCoordinator;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.replica.ReadReplyParts;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.ring.Ring;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Where requests enter a node: validates each {@link Ringstore.Command} of an actor app ({@link
 * RequestValidation}; the {@link RingstoreClient} sends requests it validated already) and spawns
 * its per-request coordinator, which answers the requester directly. Holds no per-request state.
 */
public final class RequestGateway extends AbstractBehavior<Ringstore.Command> {
  private final ReplicaDirectory directory;
  private final RequestValidation validation;
  private final WriteCoordinator.Handoff handoff;
  private final RequestMetrics metrics;

  public static Behavior<Ringstore.Command> create(
      ReplicaDirectory directory, RequestLimits limits) {
    return create(directory, limits, WriteCoordinator.Handoff.NONE);
  }

  public static Behavior<Ringstore.Command> create(
      ReplicaDirectory directory, RequestLimits limits, WriteCoordinator.Handoff handoff) {
    return create(directory, limits, handoff, new RequestMetrics());
  }

  /** A gateway whose read coordinators count their read repairs in {@code metrics}. */
  public static Behavior<Ringstore.Command> create(
      ReplicaDirectory directory,
      RequestLimits limits,
      WriteCoordinator.Handoff handoff,
      RequestMetrics metrics) {
    return Behaviors.setup(ctx -> new RequestGateway(ctx, directory, limits, handoff, metrics));
  }

  private RequestGateway(
      ActorContext<Ringstore.Command> ctx,
      ReplicaDirectory directory,
      RequestLimits limits,
      WriteCoordinator.Handoff handoff,
      RequestMetrics metrics) {
    super(ctx);
    this.directory = directory;
    this.validation = new RequestValidation(limits);
    this.handoff = handoff;
    this.metrics = metrics;
  }

  /**
   * A read the {@link RingstoreClient} has validated already (a local message, never serialized):
   * coordinated as it is.
   */
  record CoordinateRead(RequestValidation.ValidRead read, ActorRef<ReadResult> replyTo)
      implements Ringstore.Command, NoSerializationVerificationNeeded {}

  /**
   * A write or delete the {@link RingstoreClient} has validated already (a local message, never
   * serialized): coordinated as it is.
   */
  record CoordinateWrite(RequestValidation.ValidWrite write, ActorRef<WriteResult> replyTo)
      implements Ringstore.Command, NoSerializationVerificationNeeded {}

  /**
   * A read of one replica's stored object (admin views of a key; a local message, never
   * serialized): answered with its {@link ReplicaEntity.ReadReply}, the parts of a large object
   * joined; nothing when it does not come within {@code timeout}. Read by a child of this gateway,
   * so that the replica's reply travels on the large-message lane.
   */
  record ReadReplica(
      ReplicaId replica, String key, Duration timeout, ActorRef<ReplicaEntity.ReadReply> replyTo)
      implements Ringstore.Command, NoSerializationVerificationNeeded {}

  @Override
  public Receive<Ringstore.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Ringstore.Get.class, this::onGet)
        .onMessage(Ringstore.Put.class, this::onPut)
        .onMessage(Ringstore.Delete.class, this::onDelete)
        .onMessage(CoordinateRead.class, this::onCoordinateRead)
        .onMessage(CoordinateWrite.class, this::onCoordinateWrite)
        .onMessage(ReadReplica.class, this::onReadReplica)
        .build();
  }

  private Behavior<Ringstore.Command> onGet(Ringstore.Get get) {
    RequestValidation.ValidRead read;
    try {
      read = validation.read(get.key(), get.options());
    } catch (IllegalArgumentException e) {
      get.replyTo().tell(new Outcome.Rejected(e.getMessage()));
      return this;
    }
    return onCoordinateRead(new CoordinateRead(read, get.replyTo()));
  }

  private Behavior<Ringstore.Command> onPut(Ringstore.Put put) {
    RequestValidation.ValidWrite write;
    try {
      write =
          validation.put(put.key(), put.value(), put.contentType(), put.context(), put.options());
    } catch (IllegalArgumentException e) {
      put.replyTo().tell(new Outcome.Rejected(e.getMessage()));
      return this;
    }
    return onCoordinateWrite(new CoordinateWrite(write, put.replyTo()));
  }

  private Behavior<Ringstore.Command> onDelete(Ringstore.Delete delete) {
    RequestValidation.ValidWrite write;
    try {
      write = validation.delete(delete.key(), delete.context(), delete.options());
    } catch (IllegalArgumentException e) {
      delete.replyTo().tell(new Outcome.Rejected(e.getMessage()));
      return this;
    }
    return onCoordinateWrite(new CoordinateWrite(write, delete.replyTo()));
  }

  private Behavior<Ringstore.Command> onCoordinateRead(CoordinateRead read) {
    ReadCoordinator.ReadRequest request = read.read().request();
    getContext()
        .spawnAnonymous(
            ReadCoordinator.create(
                request,
                directory,
                replicasOf(request.key()),
                read.replyTo(),
                metrics,
                handoff.peerBytes()));
    return this;
  }

  private Behavior<Ringstore.Command> onCoordinateWrite(CoordinateWrite write) {
    WriteCoordinator.WriteRequest request = write.write().request();
    getContext()
        .spawnAnonymous(
            WriteCoordinator.create(
                request, directory, handoff, replicasOf(request.key()), write.replyTo()));
    return this;
  }

  private Behavior<Ringstore.Command> onReadReplica(ReadReplica read) {
    getContext().spawnAnonymous(replicaReader(read, directory));
    return this;
  }

  /** Asks one replica for a key, joins the parts of its answer, hands it on and stops. */
  private static Behavior<ReplicaEntity.ReadReply> replicaReader(
      ReadReplica read, ReplicaDirectory directory) {
    return Behaviors.setup(
        ctx -> {
          ReadReplyParts parts = new ReadReplyParts();
          directory.tell(read.replica(), new ReplicaEntity.Read(read.key(), ctx.getSelf()));
          ctx.setReceiveTimeout(
              read.timeout(), new ReplicaEntity.ReadReply(null, null, null, "timeout"));
          return Behaviors.receive(ReplicaEntity.ReadReply.class)
              .onMessage(
                  ReplicaEntity.ReadReply.class,
                  reply -> {
                    if (reply.replica() == null) {
                      return Behaviors.stopped(); // the receive timeout: the asker times out too
                    }
                    Optional<ReplicaEntity.ReadReply> whole = parts.accept(reply);
                    if (whole.isEmpty()) {
                      return Behaviors.same();
                    }
                    read.replyTo().tell(whole.get());
                    return Behaviors.stopped();
                  })
              .build();
        });
  }

  private List<ReplicaId> replicasOf(String key) {
    Ring ring = directory.ring();
    return directory.replicasOf(ring, ring.partitionOf(key));
  }
}
