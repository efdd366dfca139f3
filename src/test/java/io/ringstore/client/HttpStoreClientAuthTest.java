package io.ringstore.client;

import static io.ringstore.testing.HttpTestNode.readerWriterWatcher;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.testing.HttpTestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP client against a real node with authentication on: without credentials or with a wrong
 * password, connect fails naming the 401 (at once: waiting would not change it); a reader connects
 * ({@code GET /settings} needs role {@code read}) and reads, but its write fails with an {@link
 * HttpStatusException} naming the 403; a writer writes.
 */
class HttpStoreClientAuthTest {
  private static final long WAIT_SECONDS = 60;

  @RegisterExtension
  static final HttpTestNode NODE =
      HttpTestNode.joined()
          .users(readerWriterWatcher())
          // a niced test JVM on a loaded machine has stalled writes for seconds
          .config("ringstore.requests.timeout = 25s\npekko.http.server.request-timeout = 28s");

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletionStage<?> stage) {
    return assertThrows(ExecutionException.class, () -> await(stage)).getCause();
  }

  @Test
  void withoutValidCredentialsConnectFailsNamingThe401() {
    for (ClientSettings settings :
        List.of(
            ClientSettings.http(NODE.url()),
            ClientSettings.http(NODE.url()).withCredentials("reader", "wrong"),
            ClientSettings.http(NODE.url()).withCredentials("watcher", "watcher-pw"))) {
      long start = System.nanoTime();
      ConnectFailedException e =
          assertInstanceOf(
              ConnectFailedException.class,
              failure(StoreClient.connect(settings.withJoinTimeout(Duration.ofSeconds(20)))),
              settings.toString());
      assertTrue(
          e.getMessage().contains(NODE.url() + ": 401")
              || e.getMessage().contains(NODE.url() + ": 403"),
          e.getMessage());
      assertTrue(
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 15,
          "refused credentials fail before the join timeout");
    }
  }

  @Test
  void aReaderReadsButItsWriteFailsNamingThe403AndAWriterWrites() throws Exception {
    try (StoreClient writer =
            await(
                StoreClient.connect(
                    ClientSettings.http(NODE.url()).withCredentials("writer", "writer-pw")));
        StoreClient reader =
            await(
                StoreClient.connect(
                    ClientSettings.http(NODE.url()).withCredentials("reader", "reader-pw")))) {
      WriteResult written = await(writer.put("k", bytes("v")));
      assertInstanceOf(WriteResult.Written.class, written, "the writer's put: " + written);
      ReadResult.Found found = assertInstanceOf(ReadResult.Found.class, await(reader.get("k")));
      assertEquals("v", new String(found.values().get(0).data(), StandardCharsets.UTF_8));
      HttpStatusException refused =
          assertInstanceOf(HttpStatusException.class, failure(reader.put("k", bytes("w"))));
      assertEquals(403, refused.status());
      assertTrue(refused.getMessage().contains("403"), refused.getMessage());
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
