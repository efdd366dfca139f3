package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link HeadDeadline} on plain streams (requests as Pekko's server layer emits them once their head
 * is parsed): it closes a connection that sends no request in time, runs no deadline while a request
 * is being answered, and lets the routes answer a connection's last request.
 */
class HeadDeadlineTest {
  private static final Duration DEADLINE = Duration.ofMillis(300);
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
    return Flow.of(HttpRequest.class).mapAsync(1, request -> Patterns.after(delay,
        system.classicSystem().scheduler(), system.executionContext(),
        () -> CompletableFuture.completedFuture(HttpResponse.create())));
  }

  private static List<HttpResponse> run(Source<HttpRequest, NotUsed> requests, Duration delay,
      AtomicInteger timeouts) throws Exception {
    return requests.via(HeadDeadline.wrap(handler(delay), DEADLINE, timeouts::incrementAndGet))
        .runWith(Sink.seq(), system).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aConnectionThatSendsNoRequestIsClosedAtTheDeadline() throws Exception {
    AtomicInteger timeouts = new AtomicInteger();
    assertEquals(0, run(Source.never(), Duration.ZERO, timeouts).size(), "no responses");
    assertEquals(1, timeouts.get(), "closed by the deadline, counted once");
  }

  @Test
  void theDeadlineRestartsAfterEachResponse() throws Exception {
    AtomicInteger timeouts = new AtomicInteger();
    Source<HttpRequest, NotUsed> twoThenSilence =
        Source.from(List.of(HttpRequest.create(), HttpRequest.create())).concat(Source.never());
    assertEquals(2, run(twoThenSilence, Duration.ZERO, timeouts).size(), "both answered");
    assertEquals(1, timeouts.get(), "then closed by the deadline");
  }

  @Test
  void noDeadlineRunsWhileARequestIsAnswered() throws Exception {
    AtomicInteger timeouts = new AtomicInteger();
    Source<HttpRequest, NotUsed> oneThenSilence =
        Source.single(HttpRequest.create()).concat(Source.never());
    assertEquals(1, run(oneThenSilence, DEADLINE.multipliedBy(3), timeouts).size(),
        "an answer slower than the deadline is delivered");
    assertEquals(1, timeouts.get(), "the deadline ran only after it");
  }

  @Test
  void theLastRequestOfAClosingConnectionIsAnswered() throws Exception {
    AtomicInteger timeouts = new AtomicInteger();
    assertEquals(1, run(Source.single(HttpRequest.create()), DEADLINE.multipliedBy(2), timeouts)
        .size(), "answered although the client sent nothing more");
    assertEquals(0, timeouts.get(), "no deadline after the client's last request");
  }
}
