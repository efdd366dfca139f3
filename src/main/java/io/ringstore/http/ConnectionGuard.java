package io.ringstore.http;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.Http;
import org.apache.pekko.http.scaladsl.HttpExt;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.TLSProtocol.SessionBytes;
import org.apache.pekko.stream.TLSProtocol.SslTlsInbound;
import org.apache.pekko.stream.TLSProtocol.SslTlsOutbound;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.stream.javadsl.TLSPlacebo;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Binds one listener of the gateway connection by connection: a new connection whose client address
 * already holds its share, or that would pass the listener's total, is closed at once (no request
 * has been read, so there is nothing to answer); an admitted one is served behind a {@link
 * HeadDeadline} and gives its slot back when it ends. Refusals are counted in {@link
 * ConnectionLimits} (shown in {@code /metrics}) and logged at most once a minute per address.
 * Upholds DESIGN invariant 6: one client cannot starve the others.
 *
 * <p>Each connection is layered as Pekko HTTP's own server binding layers it (its HTTP server layer
 * atop TLS or the plain placebo, atop {@code idle-timeout} on the socket's bytes), with the head
 * deadline's byte side between the HTTP layer and TLS, which Pekko's connection source does not
 * give access to.
 */
final class ConnectionGuard {
  /** What a refused connection gets: its bytes unread, nothing sent, the socket closed. */
  private static final Flow<ByteString, ByteString, NotUsed> REFUSE =
      Flow.fromSinkAndSource(Sink.cancelled(), Source.empty());

  private ConnectionGuard() {}

  /**
   * One listener: its name in {@code /metrics} and the log, where it binds, its TLS engines (empty
   * for plain HTTP) and the HTTP server settings of its connections.
   */
  record Listener(
      String name,
      String host,
      int port,
      Optional<Supplier<SSLEngine>> tls,
      ServerSettings settings) {}

  /** Binds {@code listener} to {@code handler} within {@code limits}; completes when it listens. */
  static CompletionStage<Tcp.ServerBinding> bind(
      ActorSystem<?> system,
      Listener listener,
      Flow<HttpRequest, HttpResponse, NotUsed> handler,
      ConnectionLimits limits,
      Duration headTimeout) {
    Materializer materializer = Materializer.matFromSystem(system);
    // no idle timeout on the socket: the connection's own layer has it (as Pekko HTTP binds)
    return Tcp.get(system)
        .bind(
            listener.host(),
            listener.port(),
            listener.settings().backlog(),
            listener.settings().getSocketOptions(),
            false,
            Optional.empty())
        .to(
            Sink.foreach(
                connection ->
                    accept(
                        system, connection, listener, handler, limits, headTimeout, materializer)))
        .run(materializer);
  }

  /**
   * The bytes of one admitted connection from {@code remote}: Pekko's HTTP server layer with the
   * head deadline's two sides, TLS (or plain), and {@code idle-timeout}.
   */
  static Flow<ByteString, ByteString, NotUsed> connection(
      ActorSystem<?> system,
      Listener listener,
      InetSocketAddress remote,
      Flow<HttpRequest, HttpResponse, NotUsed> handler,
      HeadDeadline deadline) {
    HttpExt http = (HttpExt) Http.get(system.classicSystem());
    BidiFlow<
            org.apache.pekko.http.scaladsl.model.HttpResponse,
            SslTlsOutbound,
            SslTlsInbound,
            org.apache.pekko.http.scaladsl.model.HttpRequest,
            NotUsed>
        server =
            http.serverLayer(
                    listener.settings(),
                    Option.apply(remote),
                    system.classicSystem().log(),
                    listener.tls().isPresent())
                .asJava();
    BidiFlow<SslTlsOutbound, ByteString, ByteString, SslTlsInbound, NotUsed> transport =
        listener
            .tls()
            .map(engines -> TLS.create(engines, TLSClosing.eagerClose()))
            .orElseGet(ConnectionGuard::plain);
    BidiFlow<
            org.apache.pekko.http.scaladsl.model.HttpResponse,
            ByteString,
            ByteString,
            org.apache.pekko.http.scaladsl.model.HttpRequest,
            NotUsed>
        layers = server.atop(deadline.bytes()).atop(transport);
    if (listener.settings().timeouts().idleTimeout() instanceof FiniteDuration idle) {
      layers = layers.atop(BidiFlow.bidirectionalIdleTimeout(Duration.ofNanos(idle.toNanos())));
    }
    // the server layer speaks the Scala model; the routes the Java one (every Scala request is a
    // Java one, and every Java response a Scala one)
    Flow<
            org.apache.pekko.http.scaladsl.model.HttpRequest,
            org.apache.pekko.http.scaladsl.model.HttpResponse,
            NotUsed>
        routes =
            Flow.<org.apache.pekko.http.scaladsl.model.HttpRequest>create()
                .<HttpRequest>map(request -> request)
                .via(deadline.requests().join(handler))
                .map(response -> (org.apache.pekko.http.scaladsl.model.HttpResponse) response);
    return layers.reversed().join(routes);
  }

  /** Plain HTTP: Pekko's TLS placebo, its inbound side typed as TLS's. */
  private static BidiFlow<SslTlsOutbound, ByteString, ByteString, SslTlsInbound, NotUsed> plain() {
    return BidiFlow.fromFlows(
            Flow.<SslTlsOutbound>create(),
            Flow.<SessionBytes>create().<SslTlsInbound>map(bytes -> bytes))
        .atop(TLSPlacebo.getInstance());
  }

  private static void accept(
      ActorSystem<?> system,
      Tcp.IncomingConnection connection,
      Listener listener,
      Flow<HttpRequest, HttpResponse, NotUsed> handler,
      ConnectionLimits limits,
      Duration headTimeout,
      Materializer materializer) {
    InetSocketAddress remote = connection.remoteAddress();
    String address =
        remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    Optional<ConnectionLimits.Refusal> refusal = limits.admit(address);
    if (refusal.isPresent()) {
      if (limits.shouldLog(address, System.currentTimeMillis())) {
        system
            .log()
            .warn(
                "{} listener: refused a connection from {} ({}: {} open from it, {} in all;"
                    + " further refusals of this address are counted in /metrics, logged once a minute)",
                listener.name(),
                address,
                refusal.get().label(),
                limits.openFrom(address),
                limits.openTotal());
      }
      connection.handleWith(REFUSE, materializer);
      return;
    }
    try {
      Runnable timedOut =
          () -> {
            limits.headTimedOut();
            if (limits.shouldLog(address, System.currentTimeMillis())) {
              system
                  .log()
                  .warn(
                      "{} listener: closed a connection from {} that sent no complete request"
                          + " head within {} (head_timeout; further refusals of this address are counted in"
                          + " /metrics, logged once a minute)",
                      listener.name(),
                      address,
                      headTimeout);
            }
          };
      connection.handleWith(
          connection(system, listener, remote, handler, new HeadDeadline(headTimeout, timedOut))
              .watchTermination(
                  (notUsed, done) -> {
                    done.whenCompleteAsync(
                        (ok, failure) -> limits.release(address), Stages.SAME_THREAD);
                    return notUsed;
                  }),
          materializer);
    } catch (RuntimeException e) {
      // not materialized: watchTermination never runs
      limits.release(address);
      system
          .log()
          .warn(
              "{} listener: could not serve a connection from {}: {}",
              listener.name(),
              address,
              e.toString());
    }
  }
}
