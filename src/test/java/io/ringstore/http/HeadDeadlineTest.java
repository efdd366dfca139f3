package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link HeadDeadline} in a connection as {@link ConnectionGuard} layers it (Pekko's HTTP server
 * layer, plain), fed bytes in memory: the deadline runs from the opening and from the first byte of
 * a later head until the head is parsed, never while a connection idles between requests or while a
 * request is answered, and a client's own end of the connection is not counted as a timeout.
 */
class HeadDeadlineTest {
  private static final Duration DEADLINE = Duration.ofMillis(400);
  private static final String GET = "GET /health/alive HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  private static ActorSystem<Void> system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "head-deadline-test");
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  /** Answers each request after {@code delay}. */
  private static Flow<HttpRequest, HttpResponse, NotUsed> handler(Duration delay) {
    return Flow.of(HttpRequest.class)
        .mapAsync(
            1,
            request ->
                Patterns.after(
                    delay,
                    system.classicSystem().scheduler(),
                    system.executionContext(),
                    () -> CompletableFuture.completedFuture(HttpResponse.create())));
  }

  /** A connection fed {@code client}: what it sends back (so far) and when it ends. */
  private record Connection(StringBuffer sent, CompletionStage<Done> closed) {
    int responses() {
      return sent.toString().split("HTTP/1.1 200 OK", -1).length - 1;
    }
  }

  private static Connection run(
      Source<ByteString, NotUsed> client, Duration answerDelay, AtomicInteger timeouts) {
    ServerSettings settings = (ServerSettings) ServerSettings.apply(system.classicSystem());
    ConnectionGuard.Listener listener =
        new ConnectionGuard.Listener("test", "127.0.0.1", 0, Optional.empty(), settings);
    StringBuffer sent = new StringBuffer();
    CompletionStage<Done> closed =
        client
            .via(
                ConnectionGuard.connection(
                    system,
                    listener,
                    new InetSocketAddress("127.0.0.1", 1),
                    handler(answerDelay),
                    new HeadDeadline(DEADLINE, timeouts::incrementAndGet)))
            .toMat(Sink.foreach(bytes -> sent.append(bytes.utf8String())), Keep.right())
            .run(system);
    return new Connection(sent, closed);
  }

  private static ByteString bytes(String text) {
    return ByteString.fromString(text, StandardCharsets.US_ASCII);
  }

  private static void awaitClosed(Connection connection, Duration within) throws Exception {
    try {
      connection
          .closed()
          .toCompletableFuture()
          .handle((done, failure) -> done)
          .get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("not closed within " + within + "; sent: " + connection.sent(), e);
    }
  }

  private static void assertStaysOpen(Connection connection, Duration during) {
    assertThrows(
        TimeoutException.class,
        () ->
            connection.closed().toCompletableFuture().get(during.toMillis(), TimeUnit.MILLISECONDS),
        "the connection stays open");
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAtTheDeadline() throws Exception {
    AtomicInteger timeouts = new AtomicInteger();
    Connection connection = run(Source.never(), Duration.ZERO, timeouts);
    awaitClosed(connection, Duration.ofSeconds(10));
    assertEquals("", connection.sent().toString(), "nothing answered");
    assertEquals(1, timeouts.get(), "closed by the deadline, counted once");
  }

  @Test
  void aHeadDrippedSlowerThanTheDeadlineIsClosed() throws Exception {
    AtomicInteger timeouts = new AtomicInteger();
    Duration step = DEADLINE.dividedBy(3);
    Source<ByteString, NotUsed> drip =
        Source.from(
                List.of(
                    "GET / HTTP/1.1\r\n",
                    "Host: a\r\n",
                    "X-1: 1\r\n",
                    "X-2: 2\r\n",
                    "X-3: 3\r\n",
                    "X-4: 4\r\n",
                    "X-5: 5\r\n",
                    "\r\n"))
            .map(HeadDeadlineTest::bytes)
            .throttle(1, step)
            .concatLazy(Source.never());
    Connection connection = run(drip, Duration.ZERO, timeouts);
    awaitClosed(connection, Duration.ofSeconds(10));
    assertEquals(0, connection.responses(), "the late head is not answered");
    assertEquals(1, timeouts.get(), "closed by the deadline");
  }

  @Test
  void anIdleKeepAliveConnectionIsNotClosedByTheDeadline() throws Exception {
    AtomicInteger timeouts = new AtomicInteger();
    Connection connection =
        run(Source.single(bytes(GET)).concatLazy(Source.never()), Duration.ZERO, timeouts);
    assertStaysOpen(connection, DEADLINE.multipliedBy(4));
    assertEquals(1, connection.responses(), "answered");
    assertEquals(0, timeouts.get(), "idle between requests is not a late head");
  }

  @Test
  void theFirstByteOfTheNextHeadStartsTheDeadlineAgain() throws Exception {
    AtomicInteger timeouts = new AtomicInteger();
    // a request, an idle pause past the deadline, a second request in time, another pause, then
    // the start of a third head that never ends
    Source<ByteString, NotUsed> client =
        Source.from(
                List.of(
                    Pair.create(Duration.ZERO, GET),
                    Pair.create(DEADLINE.multipliedBy(2), GET),
                    Pair.create(DEADLINE.multipliedBy(2), "GET /health/alive HTTP/1.1\r\nHost: 1")))
            // each part its pause after the one before
            .mapAsync(
                1,
                part ->
                    Patterns.after(
                        part.first(),
                        system.classicSystem().scheduler(),
                        system.executionContext(),
                        () -> CompletableFuture.completedFuture(bytes(part.second()))))
            .concatLazy(Source.never());
    Connection connection = run(client, Duration.ZERO, timeouts);
    awaitClosed(connection, Duration.ofSeconds(10));
    assertEquals(2, connection.responses(), "both complete requests answered");
    assertEquals(1, timeouts.get(), "the unfinished third head closed the connection");
  }

  @Test
  void noDeadlineRunsWhileARequestIsAnswered() throws Exception {
    AtomicInteger timeouts = new AtomicInteger();
    Connection connection =
        run(
            Source.single(bytes(GET)).concatLazy(Source.never()),
            DEADLINE.multipliedBy(3),
            timeouts);
    assertStaysOpen(connection, DEADLINE.multipliedBy(5));
    assertEquals(1, connection.responses(), "an answer slower than the deadline is delivered");
    assertEquals(0, timeouts.get(), "no deadline ran");
  }

  @Test
  void aClientThatEndsItsConnectionMidHeadIsNotCountedAsATimeout() throws Exception {
    AtomicInteger timeouts = new AtomicInteger();
    Connection connection =
        run(Source.single(bytes("GET /health/alive HTTP/1.1\r\nHo")), Duration.ZERO, timeouts);
    awaitClosed(connection, Duration.ofSeconds(10));
    assertEquals(0, connection.responses(), "nothing to answer");
    // a deadline left running would fire within this: TestKit's bounded wait for nothing to happen
    TestProbe.create(system).expectNoMessage(DEADLINE.multipliedBy(2));
    assertEquals(0, timeouts.get(), "the client's own end is not a head timeout");
  }
}
