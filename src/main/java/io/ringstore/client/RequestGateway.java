package io.ringstore.client;

import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.ReadCoordinator;
import io.ringstore.coordinator.RequestLimits;
import io.ringstore.coordinator.RequestMetrics;
import io.ringstore.coordinator.WriteCoordinator;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaId;
import io.ringstore.ring.Ring;
import io.ringstore.storage.Sibling;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Where requests enter a node: validates each {@link Ringstore.Command} and spawns its per-request
 * coordinator, which answers the requester directly. Holds no per-request state.
 */
public final class RequestGateway extends AbstractBehavior<Ringstore.Command> {
  private final ReplicaDirectory directory;
  private final RequestLimits limits;
  private final WriteCoordinator.Handoff handoff;
  private final RequestMetrics metrics;

  public static Behavior<Ringstore.Command> create(ReplicaDirectory directory, RequestLimits limits) {
    return create(directory, limits, WriteCoordinator.Handoff.NONE);
  }

  public static Behavior<Ringstore.Command> create(
      ReplicaDirectory directory, RequestLimits limits, WriteCoordinator.Handoff handoff) {
    return create(directory, limits, handoff, new RequestMetrics());
  }

  /** A gateway whose read coordinators count their read repairs in {@code metrics}. */
  public static Behavior<Ringstore.Command> create(
      ReplicaDirectory directory, RequestLimits limits, WriteCoordinator.Handoff handoff,
      RequestMetrics metrics) {
    return Behaviors.setup(ctx -> new RequestGateway(ctx, directory, limits, handoff, metrics));
  }

  private RequestGateway(
      ActorContext<Ringstore.Command> ctx, ReplicaDirectory directory, RequestLimits limits,
      WriteCoordinator.Handoff handoff, RequestMetrics metrics) {
    super(ctx);
    this.directory = directory;
    this.limits = limits;
    this.handoff = handoff;
    this.metrics = metrics;
  }

  @Override
  public Receive<Ringstore.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Ringstore.Get.class, this::onGet)
        .onMessage(Ringstore.Put.class, this::onPut)
        .onMessage(Ringstore.Delete.class, this::onDelete)
        .build();
  }

  private Behavior<Ringstore.Command> onGet(Ringstore.Get get) {
    ReadOptions options = get.options() == null ? ReadOptions.DEFAULT : get.options();
    ReadCoordinator.ReadRequest request;
    try {
      limits.checkKey(get.key());
      request = new ReadCoordinator.ReadRequest(
          get.key(), limits.readQuorum(options.r()), limits.timeout(options.timeout()),
          limits.contextLimits());
    } catch (IllegalArgumentException e) {
      get.replyTo().tell(new Outcome.Rejected(e.getMessage()));
      return this;
    }
    getContext().spawnAnonymous(
        ReadCoordinator.create(request, directory, replicasOf(get.key()), get.replyTo(), metrics));
    return this;
  }

  private Behavior<Ringstore.Command> onPut(Ringstore.Put put) {
    String contentType = put.contentType() == null ? Sibling.DEFAULT_CONTENT_TYPE : put.contentType();
    try {
      limits.checkValue(put.value());
      limits.checkContentType(contentType);
    } catch (IllegalArgumentException e) {
      put.replyTo().tell(new Outcome.Rejected(e.getMessage()));
      return this;
    }
    return write(put.key(), Sibling.value(put.value(), contentType), put.context(), false,
        put.options(), put.replyTo());
  }

  private Behavior<Ringstore.Command> onDelete(Ringstore.Delete delete) {
    return write(delete.key(), Sibling.newTombstone(), delete.context(), delete.context() == null,
        delete.options(), delete.replyTo());
  }

  private Behavior<Ringstore.Command> write(
      String key, Sibling value, String context, boolean contextFromReplica, WriteOptions options,
      org.apache.pekko.actor.typed.ActorRef<io.ringstore.coordinator.WriteResult> replyTo) {
    WriteOptions o = options == null ? WriteOptions.DEFAULT : options;
    WriteCoordinator.WriteRequest request;
    try {
      limits.checkKey(key);
      limits.checkContext(context);
      request = new WriteCoordinator.WriteRequest(
          key, value, context, contextFromReplica, limits.writeQuorum(o.w()),
          limits.timeout(o.timeout()), limits.sloppy(o.sloppy()), limits.contextLimits());
    } catch (IllegalArgumentException e) {
      replyTo.tell(new Outcome.Rejected(e.getMessage()));
      return this;
    }
    getContext().spawnAnonymous(
        WriteCoordinator.create(request, directory, handoff, replicasOf(key), replyTo));
    return this;
  }

  private List<ReplicaId> replicasOf(String key) {
    Ring ring = directory.ring();
    return directory.replicasOf(ring, ring.partitionOf(key));
  }
}
