package io.ringstore.multijvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 1 on one node (N=1, conf/application.conf): every acknowledged write and delete
 * survives a kill -9 of the node JVM and a restart on the same data directory.
 */
class SingleNodeCrashIT {
  private static final Duration READY = Duration.ofSeconds(60);
  private static final int KEYS = 200;

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 150)
  void acknowledgedWritesAndDeletesSurviveKill9AndRestart() {
    NodeProcess node = cluster.newNode("node-1", tmp.resolve("node-1")).start().awaitReady(READY);
    NodeHttp http = node.http();
    String run = UUID.randomUUID().toString();

    Map<String, byte[]> written = new LinkedHashMap<>();
    for (int i = 0; i < KEYS; i++) {
      String key = "crash-key-" + i;
      byte[] value = ("value " + i + " of run " + run).getBytes(StandardCharsets.UTF_8);
      NodeHttp.Response put = http.put("/kv/" + key, value);
      assertEquals(204, put.status(), () -> "PUT " + key + ": " + put);
      written.put(key, value);
    }

    String deletedKey = "crash-key-7";
    NodeHttp.Response before = http.get("/kv/" + deletedKey);
    assertEquals(200, before.status(), () -> "GET before DELETE: " + before);
    String context =
        before
            .header("X-Causal-Context")
            .orElseThrow(
                () ->
                    new AssertionError(
                        "GET " + deletedKey + " has no X-Causal-Context: " + before));
    NodeHttp.Response delete =
        http.delete("/kv/" + deletedKey, Map.of("X-Causal-Context", context));
    assertEquals(204, delete.status(), () -> "DELETE " + deletedKey + ": " + delete);
    assertEquals(404, http.get("/kv/" + deletedKey).status(), "deleted key before the crash");
    written.remove(deletedKey);

    long pidBefore = node.pid();
    node.kill9();
    assertFalse(node.isAlive(), "node-1 still alive after kill -9");

    node.start().awaitReady(READY);
    assertNotEquals(pidBefore, node.pid(), "a new JVM serves after the restart");

    written.forEach(
        (key, value) -> {
          NodeHttp.Response get = http.get("/kv/" + key);
          assertEquals(
              200, get.status(), () -> "GET " + key + " after kill -9 and restart: " + get);
          assertArrayEquals(
              value, get.body(), () -> "value of " + key + " after kill -9 and restart");
        });
    NodeHttp.Response gone = http.get("/kv/" + deletedKey);
    assertEquals(404, gone.status(), () -> "deleted " + deletedKey + " after restart: " + gone);
    assertTrue(written.size() == KEYS - 1);
  }
}
