package io.ringstore.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.storage.Sibling;
import io.ringstore.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP client against a real in-JVM node over real HTTP (N = R = W = 1; small value, object and
 * sibling limits so that 413 and 409 are cheap): the cluster's settings, values with their content
 * types, siblings resolved by writing back with the read's context (invariant 3), deletes with a
 * context, keys that need escaping stored under exactly that key, the node's refusals as {@code
 * Rejected} of their kind, contexts that go back and forth with the node's own member client, and
 * failover past a dead URL.
 */
class HttpStoreClientNodeTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final long WAIT_SECONDS = 60;

  @TempDir static Path dir;
  private static TestNode node;
  private static String url;
  private static StoreClient client;

  @BeforeAll
  static void start() throws Exception {
    node =
        TestNode.start(
                TestNode.config(
                    dir.resolve("data"),
                    1,
                    1,
                    1,
                    // a long timeout: a niced test JVM on a loaded machine has stalled for seconds
                    "ringstore.requests { timeout = 25s, max-value-size = 64KiB,"
                        + " max-object-size = 100KiB, max-siblings = 3, warn-siblings = 2 }\n"
                        + "pekko.http.server.request-timeout = 28s"))
            .joinSelf();
    url = "http://127.0.0.1:" + node.awaitReady(START);
    client = await(StoreClient.connect(ClientSettings.http(url)));
  }

  @AfterAll
  static void stop() {
    try {
      if (client != null) {
        client.close();
      }
    } finally {
      if (node != null) {
        node.close();
      }
    }
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static <T> T expect(Class<T> type, CompletionStage<?> stage) throws Exception {
    return expect(type, stage, "");
  }

  /** The result of {@code stage}, asserted to be a {@code type}; the message shows what it was. */
  private static <T> T expect(Class<T> type, CompletionStage<?> stage, String what)
      throws Exception {
    Object result = await(stage);
    return assertInstanceOf(type, result, what + ": " + result);
  }

  @Test
  void replicationIsTheClustersSettings() {
    assertEquals(new Replication(1, 1, 1, 25_000), client.replication());
  }

  @Test
  void siblingsOfTwoBlindWritesResolveByWritingBackWithTheContext() throws Exception {
    String key = "siblings";
    expect(WriteResult.Written.class, client.put(key, bytes("left")));
    expect(
        WriteResult.Written.class,
        client.put(key, bytes("right"), "text/plain", null, WriteOptions.DEFAULT));
    ReadResult.Found both = expect(ReadResult.Found.class, client.get(key));
    assertEquals(
        Set.of(
            Sibling.value(bytes("left"), Sibling.DEFAULT_CONTENT_TYPE),
            Sibling.value(bytes("right"), "text/plain")),
        Set.copyOf(both.values()),
        "two blind writes are two siblings, each with its content type");
    assertEquals(List.of(node.name()), both.replicas(), "the replica that answered");

    WriteResult.Written resolved =
        expect(
            WriteResult.Written.class,
            client.put(key, bytes("{\"merged\":1}"), "application/json", both.context(), null));
    assertNotNull(resolved.context(), "a write answers with its context");
    ReadResult.Found one = expect(ReadResult.Found.class, client.get(key));
    assertEquals(
        List.of(Sibling.value(bytes("{\"merged\":1}"), "application/json")),
        one.values(),
        "the write with the read's context replaced both siblings");
  }

  @Test
  void aDeleteWithTheContextLeavesATombstoneWhoseContextAWriteCanUse() throws Exception {
    String key = "deleted";
    await(client.put(key, bytes("v")));
    ReadResult.Found found = expect(ReadResult.Found.class, client.get(key));
    expect(WriteResult.Written.class, client.delete(key, found.context()));
    ReadResult.NotFound gone = expect(ReadResult.NotFound.class, client.get(key));
    assertNotNull(gone.context(), "a deleted key's NotFound carries the tombstone's context");
    await(client.put(key, bytes("again"), "text/plain", gone.context(), WriteOptions.DEFAULT));
    ReadResult.Found again = expect(ReadResult.Found.class, client.get(key));
    assertEquals(1, again.values().size(), "one value, no sibling of the tombstone");
  }

  @Test
  void keysThatNeedEscapingAreStoredUnderExactlyThatKey() throws Exception {
    RingstoreClient member = node.node().client();
    for (String key :
        List.of(
            "a/b", "/lead/", "with space", "100%", "%41", "+", "?x=1#f", ".", "a/..", "ключ ü😀")) {
      byte[] value = bytes("value of " + key);
      expect(
          WriteResult.Written.class,
          client.put(key, value, "text/plain", null, WriteOptions.DEFAULT),
          key);
      ReadResult.Found direct =
          expect(ReadResult.Found.class, member.get(key), "member reads " + key);
      assertArrayEquals(value, direct.values().get(0).data(), "stored under the key " + key);
      ReadResult.Found back = expect(ReadResult.Found.class, client.get(key), "HTTP reads " + key);
      assertArrayEquals(value, back.values().get(0).data(), "read back " + key);
    }
    // the node resolves the request's path: ".." would be another route's, so it is refused here
    assertThrows(IllegalArgumentException.class, () -> client.get(".."), "the key ..");
  }

  @Test
  void theNodesRefusalsAreRejectedOfTheirKind() throws Exception {
    byte[] big = new byte[60 * 1024];
    expect(WriteResult.Written.class, client.put("large", big));
    Outcome.Rejected tooLarge = expect(Outcome.Rejected.class, client.put("large", big));
    assertEquals(Outcome.Kind.OBJECT_TOO_LARGE, tooLarge.kind(), tooLarge.reason());

    for (int i = 0; i < 3; i++) {
      expect(WriteResult.Written.class, client.put("many", bytes("v" + i)));
    }
    Outcome.Rejected tooMany = expect(Outcome.Rejected.class, client.put("many", bytes("v3")));
    assertEquals(Outcome.Kind.TOO_MANY_SIBLINGS, tooMany.kind(), tooMany.reason());
  }

  @Test
  void contextsGoBackAndForthWithTheMemberClient() throws Exception {
    RingstoreClient member = node.node().client();
    String key = "shared";
    await(member.put(key, bytes("from member")));
    await(client.put(key, bytes("from http")));
    ReadResult.Found overHttp = expect(ReadResult.Found.class, client.get(key));
    assertEquals(2, overHttp.values().size(), "siblings of the two clients' writes");
    ReadResult.Found overMember = expect(ReadResult.Found.class, member.get(key));
    assertEquals(
        Set.copyOf(overMember.values()), Set.copyOf(overHttp.values()), "the same siblings");

    await(member.put(key, bytes("resolved by member"), "text/plain", overHttp.context(), null));
    ReadResult.Found resolved = expect(ReadResult.Found.class, client.get(key));
    assertEquals(
        List.of("resolved by member"),
        resolved.values().stream().map(s -> text(s.data())).collect(Collectors.toList()),
        "the HTTP read's context resolved both through the member client");

    ReadResult.Found memberRead = expect(ReadResult.Found.class, member.get(key));
    await(client.delete(key, memberRead.context(), WriteOptions.DEFAULT));
    expect(
        ReadResult.NotFound.class,
        member.get(key),
        "the member read's context deleted it through HTTP");
  }

  @Test
  void everyRequestIsAnsweredWhenTheFirstUrlIsDead() throws Exception {
    try (StoreClient failover =
        await(StoreClient.connect(ClientSettings.http(FakeHttpNode.deadUrl(), url)))) {
      for (int i = 0; i < 10; i++) {
        String key = "failover-" + i;
        expect(WriteResult.Written.class, failover.put(key, bytes("v")), key);
        expect(ReadResult.Found.class, failover.get(key), key);
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
