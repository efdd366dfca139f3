package io.ringstore.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;

import io.ringstore.client.RingstoreClient;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.replica.ReplicaDirectory;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The HTTP gateway (DESIGN.md's HTTP API): key-value routes, operations routes and health, with JSON
 * errors for everything that goes wrong, bound with Pekko HTTP.
 */
public final class HttpGateway {
  private HttpGateway() {}

  public static Route routes(
      ActorSystem<?> system, RingstoreClient client, ReplicaDirectory directory,
      NodeReadiness readiness) {
    Cluster cluster = Cluster.get(Adapter.toClassic(system));
    Route all = concat(
        new KvRoutes(client).route(),
        new AdminRoutes(cluster, directory, client.limits(), readiness).route());
    ExceptionHandler errors = ExceptionHandler.newBuilder()
        .match(RuntimeException.class, e -> complete(HttpErrors.fromThrowable(e)))
        .build();
    RejectionHandler rejections = RejectionHandler.defaultHandler()
        .mapRejectionResponse(response -> response.status().intValue() == 404
            ? Json.response(StatusCodes.NOT_FOUND, new Dto.Error("no_route", "no such endpoint"))
            : response);
    return handleRejections(rejections, () -> handleExceptions(errors, () -> all));
  }

  /** Binds the gateway; completes when it listens (then the node reports ready once Up). */
  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, RingstoreSettings settings, RingstoreClient client,
      ReplicaDirectory directory, NodeReadiness readiness) {
    Route route = routes(system, client, directory, readiness);
    return Http.get(system)
        .newServerAt(settings.http().host(), settings.http().port())
        .bind(route)
        .thenApply(binding -> {
          readiness.serving();
          system.log().info("HTTP gateway listening on {}", binding.localAddress());
          return binding;
        });
  }
}
