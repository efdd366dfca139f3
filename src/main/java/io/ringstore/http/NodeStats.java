package io.ringstore.http;

import io.ringstore.CborSerializable;
import io.ringstore.coordinator.RequestMetrics;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Reports this node's request counts, latency histogram and storage size to {@code GET
 * /admin/stats} on any node (the web console's per-node charts). One per data node, registered with
 * the Receptionist; storage statistics are read on the storage dispatcher ({@code pipeToSelf}),
 * never in the actor.
 */
public final class NodeStats extends AbstractBehavior<NodeStats.Command> {
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "node-stats");

  /** Messages a node's stats reporter accepts; {@link GetStats} crosses nodes. */
  public interface Command extends CborSerializable {}

  /** Sent by {@code /admin/stats} on any node; the reply comes once storage was read. */
  public record GetStats(ActorRef<Stats> replyTo) implements Command {}

  /**
   * One node's figures: {@code console} its web console's URL; {@code requests} the count of
   * requests by operation and outcome since it started; {@code latencyBuckets} per operation the
   * cumulative request counts under each of {@code latencyBoundsSeconds} and, last, of all; {@code
   * storage} the storage engine's statistics (empty with {@code storageError} when they could not
   * be read).
   */
  public record Stats(
      String node,
      String console,
      long uptimeMillis,
      Map<String, Map<String, Long>> requests,
      List<Double> latencyBoundsSeconds,
      Map<String, List<Long>> latencyBuckets,
      Map<String, Long> storage,
      String storageError)
      implements CborSerializable {}

  private record StorageRead(Map<String, Long> storage, String error, ActorRef<Stats> replyTo)
      implements Command {}

  private final String node;
  private final String console;
  private final RequestMetrics metrics;
  private final StoreView storeView;
  private final long startedNanos = System.nanoTime();

  public static Behavior<Command> create(
      String node, String console, RequestMetrics metrics, StoreView storeView) {
    return Behaviors.setup(
        ctx -> {
          ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
          return new NodeStats(ctx, node, console, metrics, storeView);
        });
  }

  private NodeStats(
      ActorContext<Command> ctx,
      String node,
      String console,
      RequestMetrics metrics,
      StoreView storeView) {
    super(ctx);
    this.node = node;
    this.console = console;
    this.metrics = metrics;
    this.storeView = storeView;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(StorageRead.class, this::onStorageRead)
        .build();
  }

  private Behavior<Command> onGetStats(GetStats get) {
    getContext()
        .pipeToSelf(
            storeView.storageStatistics(),
            (storage, failure) ->
                failure == null
                    ? new StorageRead(storage, null, get.replyTo())
                    : new StorageRead(
                        Map.of(), "the storage statistics could not be read", get.replyTo()));
    return this;
  }

  private Behavior<Command> onStorageRead(StorageRead read) {
    read.replyTo().tell(stats(metrics.snapshot(), read.storage(), read.error()));
    return this;
  }

  private Stats stats(RequestMetrics.Snapshot snapshot, Map<String, Long> storage, String error) {
    Map<String, Map<String, Long>> requests = new LinkedHashMap<>();
    Map<String, List<Long>> buckets = new LinkedHashMap<>();
    for (RequestMetrics.Operation op : RequestMetrics.Operation.values()) {
      RequestMetrics.OperationSnapshot ops = snapshot.operations().get(op);
      Map<String, Long> byOutcome = new LinkedHashMap<>();
      for (RequestMetrics.RequestOutcome outcome : RequestMetrics.RequestOutcome.values()) {
        if (outcome.appliesTo(op)) {
          byOutcome.put(outcome.label(), ops.outcomes().getOrDefault(outcome, 0L));
        }
      }
      requests.put(op.label(), byOutcome);
      buckets.put(op.label(), Arrays.stream(ops.cumulativeBuckets()).boxed().toList());
    }
    List<Double> bounds = Arrays.stream(RequestMetrics.bucketBoundsSeconds()).boxed().toList();
    return new Stats(
        node,
        console,
        (System.nanoTime() - startedNanos) / 1_000_000,
        requests,
        bounds,
        buckets,
        storage,
        error);
  }
}
