package io.ringstore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.VersionVector;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP client's transport against stand-in nodes ({@link FakeHttpNode}; the real nodes are in
 * {@link HttpStoreClientNodeTest}): what goes on the wire, input refused before anything is sent,
 * failover over dead URLs and 503s within the request's deadline, 4xx never retried, connect's
 * failures within the join timeout naming every URL, and close failing what is in flight.
 */
class HttpStoreClientTransportTest {
  private static final long WAIT_SECONDS = 20;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private FakeHttpNode fake() {
    FakeHttpNode fake = new FakeHttpNode();
    closing.add(fake);
    return fake;
  }

  private StoreClient connect(ClientSettings settings) throws Exception {
    StoreClient client =
        StoreClient.connect(settings).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    closing.add(0, client);
    return client;
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletionStage<?> stage) {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void requestsCarryTheirQuorumTimeoutContextContentTypeAndCredentials() throws Exception {
    FakeHttpNode node = fake();
    StoreClient client = connect(ClientSettings.http(node.url()).withCredentials("ann", "pw:ü"));
    assertEquals(new Replication(3, 2, 2, 2000), client.replication(), "from GET /settings");
    String context = CausalContextCodec.encode(VersionVector.empty());

    node.kvStatus = 204;
    node.kvHeaders = Map.of("X-Causal-Context", "c2");
    await(
        client.put(
            "a/b c",
            bytes("v"),
            "text/plain",
            context,
            new WriteOptions(Quorum.MAJORITY, Duration.ofMillis(700)).withSloppy(true)));
    node.kvStatus = 404;
    assertInstanceOf(ReadResult.NotFound.class, await(client.get("k", ReadOptions.r(Quorum.ALL))));
    node.kvStatus = 204;
    await(client.delete("k", context, WriteOptions.w(Quorum.of(3))));

    List<FakeHttpNode.Received> kv = node.kvRequests();
    assertEquals(3, kv.size(), "three requests: " + kv);
    FakeHttpNode.Received put = kv.get(0);
    assertEquals("PUT", put.method());
    assertEquals("/kv/a%2Fb%20c?w=quorum&sloppy=true&timeout=700", put.target(), "PUT target");
    assertEquals("text/plain", put.header("Content-Type"), "the value's content type");
    assertEquals(context, put.header("X-Causal-Context"), "the context");
    assertEquals("v", new String(put.body(), StandardCharsets.UTF_8), "the value");
    assertEquals(
        "Basic " + Base64.getEncoder().encodeToString("ann:pw:ü".getBytes(StandardCharsets.UTF_8)),
        put.header("Authorization"),
        "HTTP Basic on every request");
    assertEquals("/kv/k?r=all", kv.get(1).target(), "GET: R, no timeout (the cluster's default)");
    assertEquals("DELETE", kv.get(2).method());
    assertEquals("/kv/k?w=3", kv.get(2).target(), "DELETE target");
    assertEquals(context, kv.get(2).header("X-Causal-Context"), "DELETE context");
    for (FakeHttpNode.Received r : node.received) {
      assertTrue(r.header("Authorization") != null, "credentials on " + r.target());
    }
  }

  @Test
  void invalidInputThrowsAndSendsNothing() throws Exception {
    FakeHttpNode node = fake();
    StoreClient client = connect(ClientSettings.http(node.url()));
    List<Runnable> invalid =
        List.of(
            () -> client.get(""),
            () -> client.get("k".repeat(1025)),
            () -> client.put("k", new byte[1025]),
            () -> client.get("k", ReadOptions.r(Quorum.of(4))),
            () -> client.put("k", bytes("v"), "text/plain", null, WriteOptions.w(Quorum.of(4))),
            () -> client.put("k", bytes("v"), "text/plain", "not a context!", WriteOptions.DEFAULT),
            () -> client.delete("k", "%%%"),
            () -> client.get("k", ReadOptions.r(null).withTimeout(Duration.ofMinutes(2))),
            () -> client.put("k", bytes("v"), "", null, WriteOptions.DEFAULT),
            () -> client.get("lone \uD800 surrogate"));
    for (int i = 0; i < invalid.size(); i++) {
      assertThrows(IllegalArgumentException.class, invalid.get(i)::run, "invalid input #" + i);
    }
    assertEquals(List.of(), node.kvRequests(), "nothing was sent");
  }

  @Test
  void aDeadUrlAndA503FailOverToTheNextNodeWithinTheDeadline() throws Exception {
    FakeHttpNode busy = fake();
    FakeHttpNode good = fake();
    busy.kvStatus = 503;
    busy.kvBody = "{\"error\":\"not_ready\",\"message\":\"starting\"}";
    good.kvStatus = 200;
    good.kvBody = "value";
    good.kvHeaders = Map.of("Content-Type", "text/plain", "X-Causal-Context", "c");
    String dead = FakeHttpNode.deadUrl();
    StoreClient client = connect(ClientSettings.http(dead, busy.url(), good.url()));
    for (int i = 0; i < 12; i++) {
      ReadResult result = await(client.get("k" + i));
      ReadResult.Found found = assertInstanceOf(ReadResult.Found.class, result, "request " + i);
      assertEquals("value", new String(found.values().get(0).data(), StandardCharsets.UTF_8));
    }
    assertEquals(12, good.kvRequests().size(), "every request answered by the good node");
    assertTrue(
        busy.kvRequests().size() >= 4 && busy.kvRequests().size() <= 12,
        "round robin: the busy node was tried first by some: " + busy.kvRequests().size());
    List<String> retried =
        good.kvRequests().stream()
            .map(FakeHttpNode.Received::target)
            .filter(t -> t.contains("timeout="))
            .toList();
    assertEquals(
        busy.kvRequests().size(),
        retried.size(),
        "a retry (and only a retry) asks for the time left: " + good.kvRequests());
    for (String target : retried) {
      long timeout = Long.parseLong(target.substring(target.indexOf("timeout=") + 8));
      assertTrue(timeout > 1000 && timeout <= 2000, "at most the default 2000 ms: " + target);
    }
  }

  @Test
  void whenEveryNodeAnswers503TheLast503IsTheAnswer() throws Exception {
    FakeHttpNode a = fake();
    FakeHttpNode b = fake();
    for (FakeHttpNode n : List.of(a, b)) {
      n.kvStatus = 503;
      n.kvBody =
          "{\"error\":\"unavailable\",\"message\":\"m\",\"acks\":1,\"required\":2,"
              + "\"replicas\":3,\"nodes\":[\""
              + n.url()
              + "\"]}";
    }
    StoreClient client = connect(ClientSettings.http(a.url(), b.url()));
    Outcome.Unavailable u =
        assertInstanceOf(Outcome.Unavailable.class, await(client.put("k", bytes("v"))));
    assertEquals(1, u.acks());
    assertEquals(1, a.kvRequests().size(), "each node tried once");
    assertEquals(1, b.kvRequests().size(), "each node tried once");
    String last = a.kvRequests().get(0).target().contains("timeout") ? a.url() : b.url();
    assertEquals(List.of(last), u.nodes(), "the second node's answer");
  }

  @Test
  void aRefusalIsNeverRetried() throws Exception {
    FakeHttpNode a = fake();
    FakeHttpNode b = fake();
    for (FakeHttpNode n : List.of(a, b)) {
      n.kvStatus = 409;
      n.kvBody = "{\"error\":\"too_many_siblings\",\"message\":\"resolve\"}";
    }
    StoreClient client = connect(ClientSettings.http(a.url(), b.url()));
    Outcome.Rejected rejected =
        assertInstanceOf(Outcome.Rejected.class, await(client.put("k", bytes("v"))));
    assertEquals(Outcome.Kind.TOO_MANY_SIBLINGS, rejected.kind());
    assertEquals(1, a.kvRequests().size() + b.kvRequests().size(), "one node asked, the other not");

    a.kvStatus = 500;
    b.kvStatus = 500;
    a.kvBody = "{\"error\":\"internal_error\",\"message\":\"boom\"}";
    b.kvBody = a.kvBody;
    HttpStatusException e =
        assertInstanceOf(HttpStatusException.class, failure(client.get("k")), "a 500");
    assertEquals(500, e.status());
    assertEquals("fake-500", e.requestId(), "the node's request id");
    assertEquals(2, a.kvRequests().size() + b.kvRequests().size(), "a 500 is not retried either");
  }

  @Test
  void whenNoNodeAnswersTheRequestFailsWithinItsTimeoutNamingTheUrls() throws Exception {
    FakeHttpNode node = fake();
    String dead = FakeHttpNode.deadUrl();
    StoreClient client = connect(ClientSettings.http(node.url(), dead));
    node.close();
    long start = System.nanoTime();
    CompletionStage<WriteResult> put =
        client.put("k", bytes("v"), "text/plain", null, WriteOptions.DEFAULT);
    Throwable failure = failure(put);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertInstanceOf(ConnectException.class, failure, "no node answered: " + failure);
    assertTrue(
        failure.getMessage().contains(node.url()) && failure.getMessage().contains(dead),
        "names both URLs: " + failure.getMessage());
    assertTrue(elapsedMs < 2000 + HttpStoreClient.MARGIN.toMillis(), "within: " + elapsedMs);
  }

  @Test
  void connectWithOnlyWrongUrlsFailsWithinTheJoinTimeoutNamingEach() throws Exception {
    FakeHttpNode other = fake();
    other.settingsStatus = 404;
    FakeHttpNode starting = fake();
    starting.readyStatus = 503;
    String dead = FakeHttpNode.deadUrl();
    Duration joinTimeout = Duration.ofSeconds(2);
    long start = System.nanoTime();
    Throwable failure =
        failure(
            StoreClient.connect(
                ClientSettings.http(dead, other.url(), starting.url())
                    .withJoinTimeout(joinTimeout)));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    ConnectFailedException e = assertInstanceOf(ConnectFailedException.class, failure);
    assertEquals(List.of(dead, other.url(), starting.url()), e.tried(), "tried");
    String message = e.getMessage();
    assertTrue(message.contains(dead + ": connection refused"), message);
    assertTrue(message.contains(other.url() + ": not a ringstore node"), message);
    assertTrue(message.contains(starting.url() + ": not ready"), message);
    assertTrue(elapsedMs >= 1900, "tried until the join timeout: " + elapsedMs);
    assertTrue(elapsedMs < 3500, "failed at the join timeout: " + elapsedMs);
    assertTrue(
        starting.received.stream().filter(r -> r.target().equals("/settings")).count() >= 3,
        "retried with a backoff: " + starting.received.size());
  }

  @Test
  void connectFailsAtOnceWhenEveryUrlRefusesTheCredentials() throws Exception {
    FakeHttpNode node = fake();
    node.settingsStatus = 401;
    node.settingsBody =
        "{\"error\":\"unauthorized\",\"message\":\"unknown user or wrong password\"}";
    long start = System.nanoTime();
    ConnectFailedException e =
        assertInstanceOf(
            ConnectFailedException.class,
            failure(
                StoreClient.connect(
                    ClientSettings.http(node.url()).withJoinTimeout(Duration.ofSeconds(30)))));
    assertTrue(
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 10,
        "a 401 will not change by waiting: no need to wait out the join timeout");
    assertTrue(e.getMessage().contains("401 unauthorized"), e.getMessage());
  }

  @Test
  void closeFailsWhatIsInFlightAndIsIdempotent() throws Exception {
    FakeHttpNode node = fake();
    StoreClient client = connect(ClientSettings.http(node.url()));
    node.hold = new CountDownLatch(1);
    CompletableFuture<ReadResult> pending = client.get("k").toCompletableFuture();
    node.kvArrived.get(WAIT_SECONDS, TimeUnit.SECONDS);
    client.close();
    assertInstanceOf(IllegalStateException.class, failure(pending), "failed by close");
    client.close();
    assertInstanceOf(
        IllegalStateException.class, failure(client.get("k")), "a request after close fails");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
