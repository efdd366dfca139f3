package io.ringstore.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * A 4-node cluster with N=3, R=W=2 for the fault scenarios (every partition has 3 replicas and 1
 * fallback), and the checks they share. Nodes read a test config written into the test's temp dir:
 * fast anti-entropy (50 sessions/s, a full cycle of 64 partitions x 2 peers in ~3 s), hint delivery
 * retried every second, and a 3 s acceptable heartbeat pause so a paused node is unreachable in ~5
 * s.
 *
 * <p>The checks read replicas with {@code GET /admin/replicas/{key}}, which never repairs, so that
 * a converged replica proves hinted handoff or anti-entropy did it; {@code GET /kv} (read repair)
 * is only used to fetch a causal context before a fault and for the final reads of a scenario.
 */
final class FaultCluster {
  static final Duration READY = Duration.ofSeconds(90);
  static final Duration CONVERGE = Duration.ofSeconds(45);
  static final String TEST_CONFIG =
      """
      ringstore.replication { n = 3, r = 2, w = 2 }
      ringstore.anti-entropy.sessions-per-second = 50
      ringstore.handoff.retry-interval = 1s
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s
      # these scenarios are temporary failures: nothing is downed while they last
      pekko.cluster.split-brain-resolver.stable-after = 120s
      """;

  final LocalCluster cluster;
  final List<NodeProcess> nodes;
  private final long startedNanos;

  private FaultCluster(LocalCluster cluster, List<NodeProcess> nodes, long startedNanos) {
    this.cluster = cluster;
    this.nodes = nodes;
    this.startedNanos = startedNanos;
  }

  /**
   * Starts {@code count} nodes (node-1 seeds itself, the others join through it, started together),
   * and waits until every node sees all of them Up and reachable and its ring has them all.
   */
  static FaultCluster start(LocalCluster cluster, Path tmp, int count) {
    return start(cluster, tmp, count, TEST_CONFIG, i -> NodeHost.LOOPBACK);
  }

  /**
   * As {@link #start(LocalCluster, Path, int)}, with {@code configText} as the nodes' test config
   * and node i (1-based) running on {@code hosts.apply(i)}.
   */
  static FaultCluster start(
      LocalCluster cluster, Path tmp, int count, String configText, IntFunction<NodeHost> hosts) {
    Path config = tmp.resolve("faults.conf");
    try {
      Files.writeString(config, configText, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long started = System.nanoTime();
    List<NodeProcess> nodes = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      nodes.add(cluster.newNode("node-" + i, tmp.resolve("node-" + i), hosts.apply(i)));
    }
    String seed = nodes.get(0).clusterAddress();
    nodes.get(0).start("--config", config.toString(), "--seed", seed).awaitReady(READY);
    nodes.subList(1, count).forEach(n -> n.start("--config", config.toString(), "--seed", seed));
    nodes.subList(1, count).forEach(n -> n.awaitReady(READY));
    FaultCluster faults = new FaultCluster(cluster, List.copyOf(nodes), started);
    Set<String> all = faults.addresses();
    cluster.awaitAssert(
        CONVERGE,
        () ->
            nodes.forEach(
                n -> {
                  assertEquals(
                      all,
                      faults.upReachable(n),
                      () -> n.name() + " sees every member Up and reachable");
                  JsonNode ring = json(n, "/admin/ring");
                  Set<String> members = new HashSet<>();
                  ring.path("members").forEach(m -> members.add(m.asText()));
                  assertEquals(all, members, () -> n.name() + " ring members: " + ring);
                }));
    // every replica entity started, placed on its ring replica set and caught up (a fresh cluster's
    // replicas sync with each other once; moves after the joins settle), so scenarios start steady
    List<String> probes = keysCoveringEveryPartition(nodes.get(0));
    cluster.awaitAssert(CONVERGE, () -> assertPlacedOnRing(nodes.get(0), null, probes));
    faults.log("cluster of " + count + " up, every partition placed and caught up");
    return faults;
  }

  /** One key per partition (found by asking the node where keys live), to probe every partition. */
  static List<String> keysCoveringEveryPartition(NodeProcess via) {
    int partitions = json(via, "/admin/ring").path("partitionCount").asInt();
    Map<Integer, String> byPartition = new TreeMap<>();
    for (int i = 0; byPartition.size() < partitions; i++) {
      assertTrue(i < partitions * 40, "keys cover every partition");
      String key = "probe-" + i;
      byPartition.putIfAbsent(replicaStates(via, key).path("partition").asInt(), key);
    }
    return List.copyOf(byPartition.values());
  }

  /**
   * Every partition (probed by one key each) has its replicas on exactly the members of its ring
   * replica set, every one answering and caught up; {@code mustHost} (if not null) hosts some.
   */
  static void assertPlacedOnRing(NodeProcess via, NodeProcess mustHost, List<String> probes) {
    JsonNode ring = json(via, "/admin/ring");
    boolean hosted = false;
    for (String probe : probes) {
      JsonNode states = replicaStates(via, probe);
      JsonNode partition = ring.path("partitions").get(states.path("partition").asInt());
      Set<String> expected = new HashSet<>();
      partition.path("replicas").forEach(n -> expected.add(n.asText()));
      Set<String> actual = new HashSet<>();
      for (JsonNode r : states.path("replicas")) {
        actual.add(r.path("node").asText());
        assertFalse(r.path("syncing").asBoolean(true), () -> "replica caught up: " + states);
        hosted |= mustHost != null && mustHost.clusterAddress().equals(r.path("node").asText());
      }
      assertEquals(
          expected,
          actual,
          () -> "replicas on the ring's replica set: " + states + " ring: " + partition);
    }
    if (mustHost != null) {
      assertTrue(hosted, mustHost.name() + " hosts replicas");
    }
  }

  NodeProcess node(int i) {
    return nodes.get(i - 1);
  }

  Set<String> addresses() {
    Set<String> all = new HashSet<>();
    nodes.forEach(n -> all.add(n.clusterAddress()));
    return all;
  }

  /** Prints a timing line: seconds since the cluster was started. */
  void log(String what) {
    System.out.printf("[faults %6.1f s] %s%n", (System.nanoTime() - startedNanos) / 1e9, what);
  }

  // ---- membership -------------------------------------------------------------------------------

  /** The members {@code observer} sees Up and reachable. */
  Set<String> upReachable(NodeProcess observer) {
    Set<String> up = new HashSet<>();
    for (JsonNode m : json(observer, "/admin/cluster").path("members")) {
      if ("Up".equals(m.path("status").asText()) && m.path("reachable").asBoolean(false)) {
        up.add(m.path("node").asText());
      }
    }
    return up;
  }

  /** Whether {@code observer} lists {@code node} as a member marked unreachable. */
  boolean seesUnreachable(NodeProcess observer, NodeProcess node) {
    for (JsonNode m : json(observer, "/admin/cluster").path("members")) {
      if (m.path("node").asText().equals(node.clusterAddress())) {
        return !m.path("reachable").asBoolean(true);
      }
    }
    return false;
  }

  // ---- placement --------------------------------------------------------------------------------

  /** Where a key lives: its partition and the replica id ({@code p:r}) of each replica's node. */
  record Placement(String key, int partition, Map<String, String> replicaOfNode) {
    String replicaOn(NodeProcess node) {
      return replicaOfNode.get(node.clusterAddress());
    }
  }

  /** The placement of {@code key} as {@code via} reports it (every replica must answer). */
  Placement placement(NodeProcess via, String key) {
    JsonNode replicas = replicaStates(via, key);
    Map<String, String> byNode = new LinkedHashMap<>();
    for (JsonNode r : replicas.path("replicas")) {
      assertFalse(
          r.path("node").isMissingNode() || r.path("node").isNull(),
          () -> "every replica answers: " + replicas);
      byNode.put(r.path("node").asText(), r.path("replica").asText());
    }
    assertEquals(3, byNode.size(), () -> key + " has 3 replicas on distinct nodes: " + replicas);
    return new Placement(key, replicas.path("partition").asInt(), byNode);
  }

  /**
   * The first {@code count} keys {@code prefix-0, prefix-1, ...} whose replica set includes {@code
   * member}, with their placement.
   */
  Map<String, Placement> keysReplicatedOn(
      NodeProcess via, NodeProcess member, String prefix, int count) {
    Map<String, Placement> keys = new LinkedHashMap<>();
    for (int i = 0; keys.size() < count; i++) {
      assertTrue(i < count * 10, "too few keys replicated on " + member.name());
      Placement p = placement(via, prefix + "-" + i);
      if (p.replicaOn(member) != null) {
        keys.put(p.key(), p);
      }
    }
    return keys;
  }

  /**
   * The fallback members of {@code partition} in ring order, from {@code via}'s {@code
   * /admin/ring}.
   */
  List<String> fallbacks(NodeProcess via, int partition) {
    JsonNode ring = json(via, "/admin/ring");
    for (JsonNode p : ring.path("partitions")) {
      if (p.path("partition").asInt() == partition) {
        List<String> fallbacks = new ArrayList<>();
        p.path("fallbacks").forEach(f -> fallbacks.add(f.asText()));
        return fallbacks;
      }
    }
    throw new AssertionError("partition " + partition + " not in the ring: " + ring);
  }

  NodeProcess byAddress(String address) {
    return nodes.stream()
        .filter(n -> n.clusterAddress().equals(address))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no node at " + address));
  }

  // ---- requests ---------------------------------------------------------------------------------

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** PUT that must answer 204; {@code query} without the '?', {@code context} may be null. */
  static NodeHttp.Response put204(
      NodeProcess via, String key, String value, String query, String context) {
    NodeHttp.Response put = put(via, key, value, query, context);
    assertEquals(
        204, put.status(), () -> "PUT " + key + "?" + query + " via " + via.name() + ": " + put);
    return put;
  }

  static NodeHttp.Response put(
      NodeProcess via, String key, String value, String query, String context) {
    Map<String, String> headers = context == null ? Map.of() : Map.of("X-Causal-Context", context);
    return via.http()
        .put("/kv/" + key + (query.isEmpty() ? "" : "?" + query), bytes(value), headers);
  }

  /** The causal context of a GET (r=2), which must find the key. */
  static String contextOf(NodeProcess via, String key) {
    NodeHttp.Response get = via.http().get("/kv/" + key);
    assertEquals(200, get.status(), () -> "GET " + key + " for its context: " + get);
    return get.header("X-Causal-Context")
        .orElseThrow(() -> new AssertionError("GET " + key + " without a context: " + get));
  }

  /** DELETE with {@code context} (w=2), which must answer 204. */
  static void delete204(NodeProcess via, String key, String context) {
    NodeHttp.Response delete = via.http().delete("/kv/" + key, Map.of("X-Causal-Context", context));
    assertEquals(
        204, delete.status(), () -> "DELETE " + key + " via " + via.name() + ": " + delete);
  }

  static JsonNode json(NodeProcess via, String path) {
    NodeHttp.Response response = via.http().get(path);
    assertEquals(200, response.status(), () -> via.name() + " " + path + ": " + response);
    return response.json();
  }

  static JsonNode replicaStates(NodeProcess via, String key) {
    return json(via, "/admin/replicas/" + key);
  }

  // ---- checks -----------------------------------------------------------------------------------

  /** The replica of {@code key} on {@code node} holds exactly {@code value} (no siblings). */
  void assertReplicaHolds(NodeProcess via, NodeProcess node, String key, String value) {
    JsonNode states = replicaStates(via, key);
    JsonNode mine =
        replicaOnNode(states, node)
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no replica of " + key + " on " + node.name() + ": " + states));
    assertTrue(
        mine.path("found").asBoolean(false),
        () -> key + " not found on " + node.name() + "'s replica: " + states);
    assertEquals(
        List.of(base64(value)),
        values(mine),
        () -> key + " on " + node.name() + "'s replica: " + states);
  }

  /** Every one of the 3 replicas of {@code key} answers and holds exactly {@code value}. */
  void assertAllReplicasHold(NodeProcess via, String key, String value) {
    JsonNode states = replicaStates(via, key);
    Set<String> holders = new HashSet<>();
    for (JsonNode r : states.path("replicas")) {
      assertTrue(r.path("found").asBoolean(false), () -> key + " missing on a replica: " + states);
      assertEquals(List.of(base64(value)), values(r), () -> key + " replicas differ: " + states);
      holders.add(r.path("node").asText());
    }
    assertEquals(3, holders.size(), () -> key + " on 3 distinct nodes: " + states);
  }

  /**
   * Every one of the 3 replicas of {@code key} answers and holds no value (tombstone or nothing).
   */
  void assertDeletedEverywhere(NodeProcess via, String key) {
    JsonNode states = replicaStates(via, key);
    Set<String> holders = new HashSet<>();
    for (JsonNode r : states.path("replicas")) {
      assertFalse(r.has("error"), () -> "every replica of " + key + " answers: " + states);
      assertNotNull(r.path("node").textValue(), () -> "replica node of " + key + ": " + states);
      assertFalse(
          r.path("found").asBoolean(true), () -> "deleted " + key + " resurrected: " + states);
      assertEquals(List.of(), values(r), () -> "deleted " + key + " has values: " + states);
      holders.add(r.path("node").asText());
    }
    assertEquals(3, holders.size(), () -> key + " on 3 distinct nodes: " + states);
  }

  /** The final read of an acked write, with r=all (this does read-repair: only at the very end). */
  static void assertReadsBack(NodeProcess via, String key, String value) {
    NodeHttp.Response get = via.http().get("/kv/" + key + "?r=all");
    assertEquals(200, get.status(), () -> "GET " + key + "?r=all via " + via.name() + ": " + get);
    assertEquals(value, new String(get.body(), StandardCharsets.UTF_8), () -> "value of " + key);
  }

  static void assertReadsDeleted(NodeProcess via, String key) {
    NodeHttp.Response get = via.http().get("/kv/" + key + "?r=all");
    assertEquals(404, get.status(), () -> "deleted " + key + " via " + via.name() + ": " + get);
  }

  /** {@code /admin/hints} of {@code node}. */
  static JsonNode hints(NodeProcess node) {
    JsonNode hints = json(node, "/admin/hints");
    assertEquals(
        0, hints.path("targetsNotAnswering").asInt(), () -> "hint stores answer: " + hints);
    return hints;
  }

  /** Hints {@code node} has queued for {@code target} (a replica id "p:r"), 0 when none. */
  static long queuedFor(JsonNode hints, String target) {
    for (JsonNode t : hints.path("targets")) {
      if (t.path("target").asText().equals(target)) {
        return t.path("queued").asLong();
      }
    }
    return 0;
  }

  static long delivered(JsonNode hints) {
    long delivered = 0;
    for (JsonNode t : hints.path("targets")) {
      delivered += t.path("delivered").asLong();
    }
    return delivered;
  }

  static Optional<JsonNode> replicaOnNode(JsonNode states, NodeProcess node) {
    for (JsonNode r : states.path("replicas")) {
      if (node.clusterAddress().equals(r.path("node").asText())) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  static List<String> values(JsonNode replica) {
    List<String> values = new ArrayList<>();
    replica.path("values").forEach(v -> values.add(v.asText()));
    return values;
  }

  static String base64(String value) {
    return Base64.getEncoder().encodeToString(bytes(value));
  }

  /** Deletes a (stopped) node's data directory. */
  static void wipe(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot wipe " + dir, e);
    }
  }
}
