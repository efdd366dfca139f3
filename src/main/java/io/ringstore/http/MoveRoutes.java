package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onComplete;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import io.ringstore.cluster.NodeAddress;
import io.ringstore.cluster.RingView;
import io.ringstore.transfer.NodeLeave;
import io.ringstore.transfer.PartitionSource;
import io.ringstore.transfer.TransferTracker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Membership-change endpoints: {@code POST /admin/leave} (this node leaves with its data) and
 * {@code GET /admin/transfers} (every partition move in the cluster: state, keys and bytes copied,
 * rate, ETA), collected from every data node's {@link PartitionSource}.
 */
final class MoveRoutes {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

  private final ActorSystem<?> system;
  private final Cluster cluster;
  private final RingView ringView;
  private final ActorRef<NodeLeave.Command> leave;

  MoveRoutes(
      ActorSystem<?> system,
      Cluster cluster,
      RingView ringView,
      ActorRef<NodeLeave.Command> leave) {
    this.system = system;
    this.cluster = cluster;
    this.ringView = ringView;
    this.leave = leave;
  }

  Route route() {
    return pathPrefix(
        "admin",
        () ->
            concat(
                path("leave", () -> post(this::leaveRoute)),
                path("transfers", () -> get(this::transfersRoute))));
  }

  private Route leaveRoute() {
    String self = NodeAddress.of(cluster.selfAddress());
    if (leave == null) {
      return complete(
          Json.response(
              StatusCodes.CONFLICT,
              new Dto.Error("not_a_data_node", self + " holds no data: stop it instead")));
    }
    CompletionStage<NodeLeave.Started> started =
        AskPattern.ask(leave, NodeLeave.Start::new, ASK_TIMEOUT, system.scheduler());
    return RequestTracking.withId(
        id ->
            onComplete(
                started,
                result -> {
                  if (result.isFailure()) {
                    return complete(HttpErrors.fromThrowable(result.failed().get(), id));
                  }
                  NodeLeave.Started s = result.get();
                  return complete(
                      s.accepted()
                          ? Json.response(
                              StatusCodes.ACCEPTED, new Dto.Leave(self, "leaving", s.message()))
                          : Json.response(
                              StatusCodes.CONFLICT, new Dto.Error("cannot_leave", s.message())));
                }));
  }

  private Route transfersRoute() {
    return RequestTracking.withId(
        id ->
            onComplete(
                collect(),
                result ->
                    complete(
                        result.isSuccess()
                            ? Json.response(StatusCodes.OK, result.get())
                            : HttpErrors.fromThrowable(result.failed().get(), id))));
  }

  private CompletionStage<Dto.Transfers> collect() {
    CompletionStage<Receptionist.Listing> listing =
        AskPattern.ask(
            system.receptionist(),
            replyTo -> Receptionist.find(PartitionSource.KEY, replyTo),
            ASK_TIMEOUT,
            system.scheduler());
    // explicit executors: the non-async callbacks of Pekko's ask stages run on the common pool (on
    // small machines, a thread started per call; `bin/ringstore leave` polls this every second)
    Executor executor = system.executionContext();
    return listing.thenComposeAsync(
        l -> {
          Set<ActorRef<PartitionSource.Command>> sources =
              l.getServiceInstances(PartitionSource.KEY);
          List<CompletableFuture<PartitionSource.Transfers>> asks = new ArrayList<>();
          for (ActorRef<PartitionSource.Command> source : sources) {
            asks.add(
                AskPattern.<PartitionSource.Command, PartitionSource.Transfers>ask(
                        source, PartitionSource.GetTransfers::new, ASK_TIMEOUT, system.scheduler())
                    .toCompletableFuture()
                    .handleAsync(
                        (transfers, e) ->
                            e == null
                                ? transfers
                                : new PartitionSource.Transfers(nodeOf(source), null),
                        executor));
          }
          return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
              .thenApplyAsync(
                  v -> view(asks.stream().map(CompletableFuture::join).toList()),
                  Stages.SAME_THREAD);
        },
        executor);
  }

  private Dto.Transfers view(List<PartitionSource.Transfers> replies) {
    Set<String> unreachable = new TreeSet<>();
    List<TransferTracker.Transfer> all = new ArrayList<>();
    for (PartitionSource.Transfers reply : replies) {
      if (reply.transfers() == null) {
        unreachable.add(reply.node());
      } else {
        all.addAll(reply.transfers());
      }
    }
    all.sort(
        Comparator.comparingInt(TransferTracker.Transfer::partition)
            .thenComparing(TransferTracker.Transfer::replica)
            .thenComparing(TransferTracker.Transfer::node));
    Map<String, Long> summary = new LinkedHashMap<>();
    for (TransferTracker.State state : TransferTracker.State.values()) {
      summary.put(state.name(), 0L);
    }
    List<Dto.Transfer> transfers = new ArrayList<>();
    for (TransferTracker.Transfer t : all) {
      summary.merge(t.state().name(), 1L, Long::sum);
      double eta = t.etaSeconds();
      transfers.add(
          new Dto.Transfer(
              t.replica(),
              t.partition(),
              t.node(),
              t.source(),
              t.state().name(),
              t.keys(),
              t.bytes(),
              Math.round(t.keysPerSecond() * 10) / 10.0,
              eta < 0 ? null : Math.round(eta * 10) / 10.0,
              Instant.ofEpochMilli(t.startedMillis()).toString(),
              t.finishedMillis() > 0 ? Instant.ofEpochMilli(t.finishedMillis()).toString() : null,
              HttpErrors.clean(t.error(), t.error() == null ? null : AdminRoutes.INTERNAL_ERROR)));
    }
    Set<String> leaving = new TreeSet<>(ringView.drainingMembers());
    for (Member m : cluster.state().getMembers()) {
      if (m.status() == MemberStatus.leaving() || m.status() == MemberStatus.exiting()) {
        leaving.add(NodeAddress.of(m.address()));
      }
    }
    return new Dto.Transfers(
        NodeAddress.of(cluster.selfAddress()),
        List.copyOf(leaving),
        List.copyOf(unreachable),
        summary,
        transfers);
  }

  private String nodeOf(ActorRef<?> ref) {
    var address = ref.path().address();
    return NodeAddress.of(address.hasLocalScope() ? cluster.selfAddress() : address);
  }
}
