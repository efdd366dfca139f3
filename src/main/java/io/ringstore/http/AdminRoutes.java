package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onComplete;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.reject;

import io.ringstore.antientropy.AntiEntropyStatus;
import io.ringstore.client.RingstoreClient;
import io.ringstore.cluster.ClusterIdentity;
import io.ringstore.cluster.NodeAddress;
import io.ringstore.config.LogText;
import io.ringstore.coordinator.RequestLimits;
import io.ringstore.handoff.HintManager;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.ring.Ring;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.DvvSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operations endpoints: {@code /admin/cluster} (members as gossip reports them), {@code
 * /admin/ring} (every partition's replicas and fallbacks), {@code /admin/replicas/{key}} (each
 * replica's stored state, read without repair), and {@code /health/alive} and {@code
 * /health/ready}.
 */
final class AdminRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);
  private static final Duration REPLICA_TIMEOUT = Duration.ofSeconds(3);

  /** In place of an internal error's text (logged by the node where it happened). */
  static final String INTERNAL_ERROR = "failed; the detail is in the node's log";

  private final Cluster cluster;
  private final ReplicaDirectory directory;
  private final RingstoreClient client;
  private final RequestLimits limits;
  private final NodeReadiness readiness;
  private final AntiEntropyStatus antiEntropy;

  private final ActorSystem<?> system;
  private final CompletionStage<ActorRef<HintManager.Command>> hintManager;
  private final StoreView storeView;

  AdminRoutes(
      ActorSystem<?> system,
      Cluster cluster,
      ReplicaDirectory directory,
      RingstoreClient client,
      NodeReadiness readiness,
      AntiEntropyStatus antiEntropy,
      CompletionStage<ActorRef<HintManager.Command>> hintManager,
      StoreView storeView) {
    this.storeView = storeView;
    this.system = system;
    this.hintManager = hintManager;
    this.antiEntropy = antiEntropy;
    this.cluster = cluster;
    this.directory = directory;
    this.client = client;
    this.limits = client.limits();
    this.readiness = readiness;
  }

  Route route() {
    return get(
        () ->
            concat(
                pathPrefix(
                    "admin",
                    () ->
                        concat(
                            path(
                                "cluster",
                                () -> complete(Json.response(StatusCodes.OK, clusterView()))),
                            path("ring", () -> complete(Json.response(StatusCodes.OK, ringView()))),
                            path(
                                "anti-entropy",
                                () -> complete(Json.response(StatusCodes.OK, antiEntropyView()))),
                            path("hints", this::hintsRoute),
                            path("tombstones", this::tombstonesRoute),
                            replicasRoute())),
                pathPrefix(
                    "health",
                    () ->
                        concat(
                            path(
                                "alive",
                                () ->
                                    complete(
                                        Json.response(
                                            StatusCodes.OK,
                                            new Dto.Health("alive", self(), selfStatus())))),
                            path(
                                "ready",
                                () ->
                                    complete(
                                        readiness.isReady()
                                            ? Json.response(
                                                StatusCodes.OK,
                                                new Dto.Health("ready", self(), selfStatus()))
                                            : Json.response(
                                                StatusCodes.SERVICE_UNAVAILABLE,
                                                new Dto.Health(
                                                    "not_ready",
                                                    self(),
                                                    selfStatus(),
                                                    readiness.waitingFor()))))))));
  }

  private Route replicasRoute() {
    return extractRequest(
        request -> {
          if (!request.getUri().path().startsWith("/admin/replicas/")) {
            return reject();
          }
          String key;
          try {
            key = KeyPath.decode(KvRoutes.rawPathAfter(request, 2));
            limits.checkKey(key);
          } catch (IllegalArgumentException e) {
            return complete(KvResponses.badRequest(e.getMessage()));
          }
          Ring ring = directory.ring();
          int partition = ring.partitionOf(key);
          List<CompletableFuture<Dto.ReplicaState>> states =
              IntStream.range(0, ring.replicas(partition).size())
                  .mapToObj(r -> replicaState(new ReplicaId(partition, r), key))
                  .toList();
          CompletableFuture<Dto.Replicas> all =
              CompletableFuture.allOf(states.toArray(CompletableFuture[]::new))
                  .thenApplyAsync(
                      v ->
                          new Dto.Replicas(
                              key,
                              partition,
                              states.stream().map(CompletableFuture::join).toList()),
                      Stages.SAME_THREAD);
          return onComplete(
              all,
              result ->
                  complete(
                      result.isSuccess()
                          ? Json.response(StatusCodes.OK, result.get())
                          : HttpErrors.fromThrowable(
                              result.failed().get(), RequestTracking.id(request))));
        });
  }

  private CompletableFuture<Dto.ReplicaState> replicaState(ReplicaId id, String key) {
    // through a reader under the node's gateway: a large object's parts come on the large lane and
    // are joined there
    return client
        .readReplica(id, key, REPLICA_TIMEOUT)
        // an explicit executor: the non-async callbacks of the stage Pekko's ask returns run on the
        // common pool, a thread started per call on small machines (the consistency check polls
        // this)
        .handleAsync(
            (reply, e) ->
                e == null
                    ? toState(id, reply)
                    : new Dto.ReplicaState(
                        id.id(), null, false, List.of(), false, null, "no answer in time", null),
            system.executionContext())
        .toCompletableFuture();
  }

  private static Dto.ReplicaState toState(ReplicaId id, ReplicaEntity.ReadReply reply) {
    if (!reply.ok()) {
      // the replica's error text may name exceptions: its node logged it (ReplicaEntity)
      return new Dto.ReplicaState(
          id.id(),
          reply.node(),
          false,
          List.of(),
          false,
          null,
          HttpErrors.clean(
              reply.error(), "the replica failed to read the key (see its node's log)"),
          null);
    }
    if (reply.object() == null) {
      return new Dto.ReplicaState(
          id.id(), reply.node(), false, List.of(), false, null, null, reply.syncing());
    }
    DvvSet<Sibling> object = StoredObjectCodec.decode(reply.object());
    Base64.Encoder base64 = Base64.getEncoder();
    List<String> values =
        object.values().stream()
            .filter(s -> !s.tombstone())
            .map(s -> base64.encodeToString(s.data()))
            .toList();
    boolean tombstone = object.values().stream().anyMatch(Sibling::tombstone);
    return new Dto.ReplicaState(
        id.id(),
        reply.node(),
        !values.isEmpty(),
        values,
        tombstone,
        CausalContextCodec.encode(object.join()),
        null,
        reply.syncing());
  }

  private Dto.Cluster clusterView() {
    ClusterEvent.CurrentClusterState state = cluster.state();
    List<Dto.ClusterMember> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      boolean reachable =
          StreamSupport.stream(state.getUnreachable().spliterator(), false)
              .noneMatch(u -> u.address().equals(m.address()));
      members.add(
          new Dto.ClusterMember(
              NodeAddress.of(m.address()),
              m.status().toString(),
              reachable,
              m.getRoles().stream().sorted().toList()));
    }
    String leader = state.getLeader() == null ? null : NodeAddress.of(state.getLeader());
    ClusterIdentity identity = ClusterIdentity.get(system);
    return new Dto.Cluster(
        self(), identity.get(), leader, members, identity.elsewhere().stream().sorted().toList());
  }

  private Route tombstonesRoute() {
    CompletionStage<Dto.Tombstones> view =
        storeView
            .pendingTombstones()
            .thenApplyAsync(
                p ->
                    new Dto.Tombstones(
                        self(),
                        p[0],
                        p[1] < 0 ? null : (System.currentTimeMillis() - p[1]) / 1000.0),
                Stages.SAME_THREAD);
    return RequestTracking.withId(
        id ->
            onComplete(
                view,
                result ->
                    complete(
                        result.isSuccess()
                            ? Json.response(StatusCodes.OK, result.get())
                            : HttpErrors.fromThrowable(result.failed().get(), id))));
  }

  private Route hintsRoute() {
    CompletionStage<Dto.Hints> view =
        hintManager
            .thenComposeAsync(
                manager ->
                    AskPattern.<HintManager.Command, HintManager.AllHintStats>ask(
                        manager, HintManager.GetAllStats::new, REPLICA_TIMEOUT, system.scheduler()),
                system.executionContext())
            .thenApplyAsync(
                all -> {
                  long now = System.currentTimeMillis();
                  List<Dto.HintTarget> targets =
                      all.targets().stream()
                          .sorted(Comparator.comparing(t -> t.target().id()))
                          .map(
                              t ->
                                  new Dto.HintTarget(
                                      t.target().id(),
                                      t.queued(),
                                      t.oldestCreatedAtMillis() < 0
                                          ? null
                                          : (now - t.oldestCreatedAtMillis()) / 1000.0,
                                      t.delivered(),
                                      t.dropped(),
                                      t.expired(),
                                      t.lost()))
                          .toList();
                  return new Dto.Hints(
                      self(),
                      targets.stream().mapToLong(Dto.HintTarget::queued).sum(),
                      targets,
                      all.missing());
                },
                system.executionContext());
    return RequestTracking.withId(
        id ->
            onComplete(
                view,
                result -> {
                  if (result.isSuccess()) {
                    return complete(Json.response(StatusCodes.OK, result.get()));
                  }
                  LOG.info(
                      "request {}: the hint manager did not answer: {}",
                      id,
                      LogText.escape(String.valueOf(result.failed().get())));
                  return complete(
                      Json.response(
                          StatusCodes.SERVICE_UNAVAILABLE,
                          new Dto.Error(
                              "unavailable",
                              "the hint store did not answer in time; retry shortly")));
                }));
  }

  private Dto.AntiEntropy antiEntropyView() {
    List<Dto.AntiEntropyPartition> partitions =
        antiEntropy.partitions().values().stream()
            .sorted(Comparator.comparingInt(AntiEntropyStatus.PartitionStatus::partition))
            .map(
                p -> {
                  AntiEntropyStatus.Exchange last = p.lastExchange();
                  return new Dto.AntiEntropyPartition(
                      p.partition(),
                      last.peer(),
                      Instant.ofEpochMilli(last.finishedAtMillis()).toString(),
                      last.treesEqual(),
                      HttpErrors.clean(last.error(), last.error() == null ? null : INTERNAL_ERROR),
                      p.exchanges(),
                      p.segmentsRepaired(),
                      p.keysRepaired());
                })
            .toList();
    return new Dto.AntiEntropy(
        self(), antiEntropy.totalExchanges(), antiEntropy.totalKeysRepaired(), partitions);
  }

  private Dto.Ring ringView() {
    Ring ring = directory.ring();
    List<Dto.RingPartition> partitions =
        IntStream.range(0, ring.partitionCount())
            .mapToObj(p -> new Dto.RingPartition(p, ring.replicas(p), ring.fallbacks(p)))
            .toList();
    return new Dto.Ring(
        ring.partitionCount(), ring.replicationFactor(), List.copyOf(ring.members()), partitions);
  }

  private String self() {
    return NodeAddress.of(cluster.selfAddress());
  }

  private String selfStatus() {
    return cluster.selfMember().status().toString();
  }
}
