package io.ringstore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.storage.Sibling;
import io.ringstore.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP client and a member {@link RingstoreClient} on a three-node in-JVM cluster (N = 3, R = W
 * = 2), the HTTP client sending to all three nodes in turn: siblings of a write through each are
 * seen alike by both, a context read over HTTP resolves them through the member, and a context read
 * through the member deletes over HTTP (invariant 3 across both clients).
 */
class HttpStoreClientClusterTest {
  private static final Duration MAX = Duration.ofSeconds(60);
  private static final String CONFIG =
      "ringstore.requests.timeout = 20s\npekko.http.server.request-timeout = 25s";

  @TempDir static Path dir;
  private static final List<TestNode> nodes = new ArrayList<>();
  private static StoreClient http;

  @BeforeAll
  static void start() throws Exception {
    for (int i = 0; i < 3; i++) {
      TestNode node = TestNode.start(TestNode.config(dir.resolve("n" + i), 3, 2, 2, CONFIG));
      nodes.add(i == 0 ? node.joinSelf() : node.join(nodes.get(0)));
    }
    List<String> urls = new ArrayList<>();
    for (TestNode node : nodes) {
      urls.add("http://127.0.0.1:" + node.awaitUpMembers(3, MAX).awaitReady(MAX));
    }
    http =
        StoreClient.connect(ClientSettings.http(urls.toArray(String[]::new)))
            .toCompletableFuture()
            .get(MAX.toSeconds(), TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    nodes.forEach(TestNode::close);
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(MAX.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void contextsGoBackAndForthBetweenTheHttpAndTheMemberClient() throws Exception {
    assertEquals(new Replication(3, 2, 2, 20_000), http.replication(), "from the cluster");
    RingstoreClient member = nodes.get(2).node().client();
    String key = "both-ways";
    // until the replicas have settled on their members, a write may answer Unavailable
    new TestKit(Adapter.toClassic(nodes.get(0).system())) {
      {
        awaitAssert(
            MAX,
            Duration.ofMillis(500),
            () -> {
              try {
                WriteResult r = await(http.put(key, bytes("over http")));
                return assertInstanceOf(WriteResult.Written.class, r, "first write: " + r);
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
      }
    };
    WriteResult second = await(member.put(key, bytes("through the member")));
    assertInstanceOf(WriteResult.Written.class, second, "member write: " + second);

    ReadResult overHttp = await(http.get(key));
    ReadResult.Found siblings =
        assertInstanceOf(ReadResult.Found.class, overHttp, "HTTP read: " + overHttp);
    ReadResult.Found memberRead =
        assertInstanceOf(ReadResult.Found.class, await(member.get(key)), "member read");
    Set<Sibling> expected =
        Set.of(
            Sibling.value(bytes("over http"), Sibling.DEFAULT_CONTENT_TYPE),
            Sibling.value(bytes("through the member"), Sibling.DEFAULT_CONTENT_TYPE));
    assertEquals(expected, Set.copyOf(siblings.values()), "the HTTP client sees both");
    assertEquals(expected, Set.copyOf(memberRead.values()), "the member sees both");

    WriteResult resolve =
        await(member.put(key, bytes("resolved"), "text/plain", siblings.context(), null));
    assertInstanceOf(WriteResult.Written.class, resolve, "resolve: " + resolve);
    for (int i = 0; i < 3; i++) {
      ReadResult.Found one =
          assertInstanceOf(ReadResult.Found.class, await(http.get(key)), "read " + i);
      assertEquals(
          List.of(Sibling.value(bytes("resolved"), "text/plain")),
          one.values(),
          "the HTTP read's context resolved both through the member (read " + i + ")");
    }

    ReadResult.Found latest =
        assertInstanceOf(ReadResult.Found.class, await(member.get(key)), "member read");
    WriteResult deleted = await(http.delete(key, latest.context()));
    assertInstanceOf(WriteResult.Written.class, deleted, "delete: " + deleted);
    assertInstanceOf(
        ReadResult.NotFound.class,
        await(member.get(key)),
        "the member read's context deleted it over HTTP");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
