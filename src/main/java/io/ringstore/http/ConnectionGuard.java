package io.ringstore.http;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.IncomingConnection;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Binds one listener of the gateway connection by connection: a new connection whose client address
 * already holds its share, or that would pass the listener's total, is closed at once (no request has
 * been read, so there is nothing to answer); an admitted one is served behind a {@link HeadDeadline}
 * and gives its slot back when it ends. Refusals are counted in {@link ConnectionLimits} (shown in
 * {@code /metrics}) and logged at most once a minute per address. Upholds DESIGN invariant 6: one
 * client cannot starve the others.
 */
final class ConnectionGuard {
  /** What a refused connection gets: its request side cancelled, no response, the socket closed. */
  private static final Flow<HttpRequest, HttpResponse, NotUsed> REFUSE =
      Flow.fromSinkAndSource(Sink.cancelled(), Source.empty());

  private ConnectionGuard() {}

  /** Binds {@code server} to {@code handler} within {@code limits}; completes when it listens. */
  static CompletionStage<ServerBinding> bind(
      ActorSystem<?> system, ServerBuilder server, Flow<HttpRequest, HttpResponse, NotUsed> handler,
      ConnectionLimits limits, Duration headTimeout, String listener) {
    Materializer materializer = Materializer.matFromSystem(system);
    return server.connectionSource()
        .to(Sink.foreach(connection ->
            accept(system, connection, handler, limits, headTimeout, listener, materializer)))
        .run(materializer);
  }

  private static void accept(
      ActorSystem<?> system, IncomingConnection connection,
      Flow<HttpRequest, HttpResponse, NotUsed> handler, ConnectionLimits limits,
      Duration headTimeout, String listener, Materializer materializer) {
    String address = connection.remoteAddress().getAddress() != null
        ? connection.remoteAddress().getAddress().getHostAddress()
        : connection.remoteAddress().getHostString();
    Optional<ConnectionLimits.Refusal> refusal = limits.admit(address);
    if (refusal.isPresent()) {
      if (limits.shouldLog(address, System.currentTimeMillis())) {
        system.log().warn("{} listener: refused a connection from {} ({}: {} open from it, {} in all;"
                + " further refusals of this address are counted in /metrics, logged once a minute)",
            listener, address, refusal.get().label(), limits.openFrom(address), limits.openTotal());
      }
      connection.handleWith(REFUSE, materializer);
      return;
    }
    try {
      Runnable timedOut = () -> {
        limits.headTimedOut();
        if (limits.shouldLog(address, System.currentTimeMillis())) {
          system.log().warn("{} listener: closed a connection from {} that sent no complete request"
                  + " head within {} (head_timeout; further refusals of this address are counted in"
                  + " /metrics, logged once a minute)", listener, address, headTimeout);
        }
      };
      connection.handleWith(HeadDeadline.wrap(handler, headTimeout, timedOut)
          .watchTermination((notUsed, done) -> {
            done.whenComplete((ok, failure) -> limits.release(address));
            return notUsed;
          }), materializer);
    } catch (RuntimeException e) {
      // not materialized: watchTermination never runs
      limits.release(address);
      system.log().warn("{} listener: could not serve a connection from {}: {}", listener, address,
          e.toString());
    }
  }
}
