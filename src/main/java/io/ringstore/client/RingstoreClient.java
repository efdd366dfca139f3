package io.ringstore.client;

import io.ringstore.cluster.RingView;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.coordinator.PeerBytes;
import io.ringstore.coordinator.PeerFlow;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.RequestLimits;
import io.ringstore.coordinator.RequestMetrics;
import io.ringstore.coordinator.RequestMetrics.Operation;
import io.ringstore.coordinator.WriteCoordinator;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.handoff.HintDirectory;
import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.replica.ReplicaSharding;
import io.ringstore.storage.Sibling;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.ObjLongConsumer;
import org.apache.pekko.actor.InvalidActorNameException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Cluster;

/**
 * The Java API of ringstore: get, put and delete returning {@link CompletionStage}s, for a JVM app
 * whose actor system is a member of the cluster (role {@code client}: it holds no data and
 * coordinates its own requests, one hop fewer than going through HTTP). Invalid input throws {@link
 * IllegalArgumentException} at once and sends nothing; every stage completes with a {@link
 * ReadResult} or {@link WriteResult} within the request's timeout.
 */
public final class RingstoreClient {
  private static final Duration ASK_MARGIN = Duration.ofSeconds(2);

  private final ActorSystem<?> system;
  private final ActorRef<Ringstore.Command> gateway;
  private final RequestLimits limits;
  private final RequestValidation validation;
  private final RingstoreSettings settings;
  private final RequestMetrics metrics = new RequestMetrics();
  private final PeerBytes peerBytes;

  private RingstoreClient(
      ActorSystem<?> system,
      ReplicaDirectory directory,
      RingstoreSettings settings,
      HintDirectory hints) {
    this.system = system;
    this.settings = settings;
    this.limits = new RequestLimits(settings);
    this.validation = new RequestValidation(limits);
    this.peerBytes = PeerBytes.of(settings.requests().maxBytesQueuedPerPeer());
    Behavior<Ringstore.Command> gatewayBehavior =
        RequestGateway.create(
            directory,
            limits,
            new WriteCoordinator.Handoff(hints, settings.handoff().replicaAckTimeout(), peerBytes),
            metrics);
    this.gateway = spawnGateway(system, gatewayBehavior);
    // at the path large-message-destinations names: its flushes follow the replica messages
    system.systemActorOf(PeerFlow.create(peerBytes), PeerFlow.NAME, Props.empty());
  }

  /**
   * The gateway whose children, the coordinators, receive whole objects from replicas, at the path
   * {@code /system/ringstore-gateway} that {@code large-message-destinations} names ({@code
   * InternodeFrames}): one client per actor system (a node's own, or an app member's), since a
   * gateway elsewhere would get its replies on the ordinary lane, where a merged object larger than
   * its frame is dropped.
   *
   * @throws IllegalStateException when the system has a client already
   */
  private static ActorRef<Ringstore.Command> spawnGateway(
      ActorSystem<?> system, Behavior<Ringstore.Command> behavior) {
    try {
      return system.systemActorOf(behavior, "ringstore-gateway", Props.empty());
    } catch (InvalidActorNameException taken) {
      throw new IllegalStateException(
          "this actor system has a RingstoreClient already (one per"
              + " system: its coordinators must be at /system/ringstore-gateway to get whole objects"
              + " on the large-message lane); share that client",
          taken);
    }
  }

  /**
   * A client for an app whose actor system is (or is joining) a ringstore cluster member,
   * configured with the {@code ringstore} settings of its config (role {@code client} for an app
   * that holds no data). Starts the replica sharding proxy.
   */
  public static RingstoreClient create(ActorSystem<?> system) {
    RingstoreSettings settings = RingstoreSettings.fromConfig(system.settings().config());
    RingView ringView =
        new RingView(Cluster.get(Adapter.toClassic(system)), RingView.ringConfig(settings));
    ReplicaSharding.init(system, ringView, null, settings.transfers().maxSimultaneousMoves());
    return create(
        system,
        ReplicaDirectory.ofSharding(
            system, ringView, new LocalReplicas(), settings.requests().directRoutes()),
        settings,
        HintDirectory.start(system));
  }

  /** A client over an existing directory (a data node's own gateway). */
  public static RingstoreClient create(
      ActorSystem<?> system,
      ReplicaDirectory directory,
      RingstoreSettings settings,
      HintDirectory hints) {
    return new RingstoreClient(system, directory, settings, hints);
  }

  /** The gateway actor accepting the {@link Ringstore} protocol, for actor apps. */
  public ActorRef<Ringstore.Command> gateway() {
    return gateway;
  }

  public RingstoreSettings settings() {
    return settings;
  }

  /** This system's bound on bytes of replica messages queued to each peer node. */
  public PeerBytes peerBytes() {
    return peerBytes;
  }

  public RequestLimits limits() {
    return limits;
  }

  /** The checks every request passes once, where it enters the node. */
  public RequestValidation validation() {
    return validation;
  }

  /**
   * Counts and latencies of the requests made through this client (and the HTTP gateway on top of
   * it), and the read repairs and hinted writes they caused.
   */
  public RequestMetrics metrics() {
    return metrics;
  }

  public CompletionStage<ReadResult> get(String key) {
    return get(key, ReadOptions.DEFAULT);
  }

  public CompletionStage<ReadResult> get(String key, ReadOptions options) {
    long start = System.nanoTime();
    return get(validation.read(key, options), start);
  }

  /** Reads with a request validated already ({@link #validation()}). */
  public CompletionStage<ReadResult> get(RequestValidation.ValidRead read) {
    return get(read, System.nanoTime());
  }

  private CompletionStage<ReadResult> get(RequestValidation.ValidRead read, long start) {
    return measured(
        Operation.GET,
        start,
        AskPattern.ask(
            gateway,
            replyTo -> new RequestGateway.CoordinateRead(read, replyTo),
            read.request().timeout().plus(ASK_MARGIN),
            system.scheduler()),
        metrics::recordRead);
  }

  /**
   * One replica's stored object of {@code key}, as that replica holds it (admin views of a key),
   * the parts of an object too large for one message joined; fails with a timeout when the replica
   * does not answer within {@code timeout}.
   */
  public CompletionStage<ReplicaEntity.ReadReply> readReplica(
      ReplicaId replica, String key, Duration timeout) {
    return AskPattern.ask(
        gateway,
        replyTo -> new RequestGateway.ReadReplica(replica, key, timeout, replyTo),
        timeout.plus(ASK_MARGIN),
        system.scheduler());
  }

  /** Writes a value with no causal context: it becomes a sibling of whatever the key holds. */
  public CompletionStage<WriteResult> put(String key, byte[] value) {
    return put(key, value, Sibling.DEFAULT_CONTENT_TYPE, null, WriteOptions.DEFAULT);
  }

  /**
   * Writes a value. {@code context} is the causal context of an earlier read of the key (null for
   * none): the siblings it covers are replaced, any others are kept as siblings.
   */
  public CompletionStage<WriteResult> put(
      String key, byte[] value, String contentType, String context, WriteOptions options) {
    long start = System.nanoTime();
    return write(validation.put(key, value, contentType, context, options), start);
  }

  /** Deletes a key (see {@link Ringstore.Delete} for what {@code context} null means). */
  public CompletionStage<WriteResult> delete(String key, String context, WriteOptions options) {
    long start = System.nanoTime();
    return write(validation.delete(key, context, options), start);
  }

  /** Writes or deletes with a request validated already ({@link #validation()}). */
  public CompletionStage<WriteResult> write(RequestValidation.ValidWrite write) {
    return write(write, System.nanoTime());
  }

  private CompletionStage<WriteResult> write(RequestValidation.ValidWrite write, long start) {
    Operation op = write.operation();
    return measured(
        op,
        start,
        AskPattern.ask(
            gateway,
            replyTo -> new RequestGateway.CoordinateWrite(write, replyTo),
            write.request().timeout().plus(ASK_MARGIN),
            system.scheduler()),
        (result, nanos) -> metrics.recordWrite(op, result, nanos));
  }

  /**
   * Records the request's outcome when it completes, on the completing thread: the non-async
   * callbacks of the stage Pekko's ask returns would run on the common pool (on two cores or fewer,
   * a thread started per call).
   */
  private <T> CompletionStage<T> measured(
      Operation op, long start, CompletionStage<T> result, ObjLongConsumer<T> record) {
    return result.whenCompleteAsync(
        (r, failure) -> {
          if (failure == null) {
            record.accept(r, System.nanoTime() - start);
          } else {
            metrics.recordFailure(op, failure, System.nanoTime() - start);
          }
        },
        SAME_THREAD);
  }

  private static final Executor SAME_THREAD = Runnable::run;
}
