package io.ringstore.multijvm;

import static io.ringstore.multijvm.FaultCluster.json;
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
 * the default max-object-size of 3 MiB, the node's Artery settings):
 *
 * <ul>
 *   <li>seven blind PUTs of 900 KiB to one key: the three that fit are stored, the four that would
 *       make the key's object larger than the limit are 413 {@code object_too_large}; every node
 *       keeps serving the key (r=all reads on every node), every replica holds the same three
 *       siblings, and a write with the read's context resolves them (before: the fifth PUT made an
 *       object larger than the 4 MiB Artery frame, replicas stopped getting the key and it answered
 *       503 for good);
 *   <li>concurrent writes up to the limit on both sides of a partition (made with SIGSTOP: first the
 *       one side is frozen while the other writes with w=1, then the other way round) merge to an
 *       object above the limit once healed: hints and anti-entropy carry it, every replica converges
 *       on all six siblings, r=all reads work on every node, and a write with the context resolves
 *       them.
 * </ul>
 */
class ObjectSizeIT {
  private static final int VALUE_BYTES = 900 * 1024;
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String CONFIG = FaultCluster.TEST_CONFIG;

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

  @Test
  @Timeout(value = 420)
  void writesAtTheLimitOnBothSidesOfAPartitionConvergeAboveIt() {
    FaultCluster faults = FaultCluster.start(cluster, tmp, 3);
    NodeProcess left = faults.node(1);
    NodeProcess middle = faults.node(2);
    NodeProcess right = faults.node(3);
    String key = "both-sides";
    assertEquals(204, left.http().put("/kv/" + key + "?w=all", "small".getBytes(StandardCharsets.UTF_8))
        .status(), "a first write that every replica holds");
    String start = FaultCluster.contextOf(right, key);

    right.pause();
    faults.log("node-3 paused; writing up to the limit through node-1 with w=1");
    Set<String> leftValues = writeUpToTheLimit(left, key, "left", start);
    left.pause();
    middle.pause();
    right.resume();
    faults.log("node-1 and node-2 paused, node-3 resumed; writing up to the limit through node-3");
    Set<String> rightValues = writeUpToTheLimit(right, key, "right", start);
    middle.resume();
    left.resume();
    faults.log("all resumed: " + leftValues.size() + " + " + rightValues.size() + " siblings");
    assertTrue(leftValues.size() >= 2 && rightValues.size() >= 2,
        "each side wrote at least two 900 KiB siblings: " + leftValues.size() + ", "
            + rightValues.size());

    Set<String> all = new TreeSet<>(leftValues);
    all.addAll(rightValues);
    cluster.awaitAssert(CONVERGE, () -> assertEveryReplicaHolds(faults, key, all));
    faults.log("every replica holds all " + all.size() + " siblings");
    String context = null;
    for (NodeProcess node : faults.nodes) {
      NodeHttp.Response get = node.http().get("/kv/" + key + "?r=all");
      assertEquals(300, get.status(), () -> "r=all via " + node.name() + ": " + brief(get));
      assertEquals(all.size(), get.json().path("siblings").size(), "siblings via " + node.name());
      context = get.header("X-Causal-Context").orElseThrow();
    }
    NodeHttp.Response blind = left.http().put("/kv/" + key, value("one more"));
    assertEquals(413, blind.status(), () -> "a blind write on the merged object: " + brief(blind));
    NodeHttp.Response resolve = left.http().put("/kv/" + key, value("resolved"),
        Map.of("X-Causal-Context", context));
    assertEquals(204, resolve.status(), () -> "resolving write: " + brief(resolve));
    cluster.awaitAssert(CONVERGE,
        () -> assertEveryReplicaHolds(faults, key, Set.of(sha("resolved"))));
  }

  /**
   * Blind w=1 PUTs of 900 KiB through {@code via} (its replica coordinates; the frozen nodes get
   * hints) until it answers 413; a 503 (a node just resumed may refuse to apply a write it might have
   * waited for through the stall) is retried. Returns the digests of the values acknowledged.
   */
  private Set<String> writeUpToTheLimit(NodeProcess via, String key, String side, String context) {
    Set<String> written = new HashSet<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    int attempt = 0;
    while (System.nanoTime() < deadline) {
      String text = side + " " + (++attempt);
      NodeHttp.Response put = via.http().put("/kv/" + key + "?w=1&timeout=5000", value(text),
          Map.of("X-Causal-Context", context));
      if (put.status() == 204) {
        written.add(sha(text));
      } else if (put.status() == 413) {
        assertEquals("object_too_large", put.json().path("error").asText(), "413 body");
        return written;
      } else {
        assertEquals(503, put.status(), () -> "PUT via " + via.name() + ": " + brief(put));
      }
    }
    throw new AssertionError(side + ": no 413 within 90 s, wrote " + written.size());
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
