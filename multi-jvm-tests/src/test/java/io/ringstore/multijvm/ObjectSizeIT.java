package io.ringstore.multijvm;

import static io.ringstore.multijvm.FaultCluster.replicaStates;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, "every object the store accepts can travel" (DESIGN invariant 6), on 3 real nodes (N=3,
 * the default max-object-size of 3 MiB, the node's Artery settings): seven blind PUTs of 900 KiB to
 * one key. The three that fit are stored, the four that would make the key's object larger than the
 * limit are 413 {@code object_too_large} (and counted); every node keeps serving the key (r=all reads
 * on every node), every replica holds the same three siblings, and a write with the read's context
 * resolves them. Before: the fifth PUT made an object larger than the 4 MiB Artery frame, replicas
 * stopped getting the key and it answered 503 for good. (Objects merged above the limit from two
 * replicas: {@code ObjectMergeClusterTest}.)
 */
class ObjectSizeIT {
  private static final int VALUE_BYTES = 900 * 1024;
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  @RegisterExtension
  final LocalCluster cluster = new LocalCluster();

  @TempDir
  Path tmp;

  @Test
  @Timeout(value = 300)
  void blindPutsPastTheObjectLimitAre413AndTheKeyStaysServed() {
    FaultCluster faults = FaultCluster.start(cluster, tmp, 3);
    NodeProcess via = faults.node(1);
    String key = "big";
    List<Integer> statuses = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      NodeHttp.Response put = via.http().put("/kv/" + key, value("put " + i));
      statuses.add(put.status());
      if (put.status() == 413) {
        JsonNode error = put.json();
        assertEquals("object_too_large", error.path("error").asText(), "error code: " + error);
        assertTrue(error.path("message").asText().contains("X-Causal-Context"),
            "tells the client to resolve the siblings: " + error);
      }
    }
    faults.log("seven blind PUTs of 900 KiB: " + statuses);
    assertEquals(List.of(204, 204, 204, 413, 413, 413, 413), statuses,
        "three 900 KiB siblings fit in 3 MiB, the fourth would not");

    Set<String> stored = Set.of(sha("put 1"), sha("put 2"), sha("put 3"));
    cluster.awaitAssert(CONVERGE, () -> assertEveryReplicaHolds(faults, key, stored));
    String context = null;
    for (NodeProcess node : faults.nodes) {
      NodeHttp.Response get = node.http().get("/kv/" + key + "?r=all");
      assertEquals(300, get.status(), () -> "r=all via " + node.name() + ": " + brief(get));
      assertEquals(3, get.json().path("siblings").size(), "siblings via " + node.name());
      context = get.header("X-Causal-Context").orElseThrow();
    }
    NodeHttp.Response resolve = via.http().put("/kv/" + key, value("resolved"),
        Map.of("X-Causal-Context", context));
    assertEquals(204, resolve.status(), () -> "resolving write: " + brief(resolve));
    for (NodeProcess node : faults.nodes) {
      NodeHttp.Response get = node.http().get("/kv/" + key + "?r=all");
      assertEquals(200, get.status(), () -> "r=all after resolving via " + node.name());
      assertTrue(Arrays.equals(value("resolved"), get.body()), "resolved value via " + node.name());
    }
    String metrics = via.http().get("/metrics").text();
    assertTrue(metrics.contains("ringstore_writes_refused_total{reason=\"object_too_large\"} 4"),
        "the four refusals are counted: " + metrics.lines()
            .filter(l -> l.startsWith("ringstore_writes_refused_total")).toList());
  }

  /** Every one of the 3 replicas holds exactly the values whose digests are {@code digests}. */
  private static void assertEveryReplicaHolds(FaultCluster faults, String key, Set<String> digests) {
    JsonNode states = replicaStates(faults.node(1), key);
    Set<String> holders = new HashSet<>();
    for (JsonNode r : states.path("replicas")) {
      String node = r.path("node").asText();
      assertFalse(r.has("error"), () -> "replica on " + node + " answers");
      assertTrue(r.path("found").asBoolean(false), () -> key + " missing on " + node);
      Set<String> held = new TreeSet<>();
      r.path("values").forEach(v -> held.add(sha(java.util.Base64.getDecoder().decode(v.asText()))));
      assertEquals(new TreeSet<>(digests), held, () -> key + " on " + node);
      holders.add(node);
    }
    assertEquals(3, holders.size(), () -> key + " on 3 distinct nodes");
  }

  private static byte[] value(String text) {
    byte[] head = text.getBytes(StandardCharsets.UTF_8);
    byte[] v = new byte[VALUE_BYTES];
    Arrays.fill(v, (byte) 'x');
    System.arraycopy(head, 0, v, 0, head.length);
    return v;
  }

  private static String sha(String text) {
    return sha(value(text));
  }

  private static String sha(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String brief(NodeHttp.Response response) {
    String body = new String(response.body(), StandardCharsets.UTF_8);
    return response.status() + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
  }
}
