package io.ringstore.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Automatic scaling with data (issue: Step 3), DESIGN invariants 1, 2 and 4 across membership
 * changes: on 3 nodes (N=3, R=W=2) under a steady single-writer load (read with r=2, then write
 * back with the read's context and w=2), a 4th node joins; its new replicas copy from their
 * previous hosts and sync before they count toward R; then a node leaves with {@code POST
 * /admin/leave} and exits once its replicas' new hosts caught up. Throughout: no read returns less
 * than the last acknowledged write of its key (stale read), and at the end every acknowledged write
 * is on all 3 replicas of its key (checked with {@code /admin/replicas}, which never repairs), on 3
 * distinct nodes. After each change every one of the 64 partitions has its 3 replicas on exactly
 * its ring replica set, caught up, with every transfer done.
 *
 * <p>Bounds: the joined node hosts replicas and every transfer is done within 90 s of its
 * readiness; the leaving node exits within 120 s of the leave request; replicas converge within 60
 * s after that.
 */
class ScalingIT {
  private static final int KEYS = 96;
  private static final Duration MOVES_DONE = Duration.ofSeconds(90);
  private static final Duration LEFT = Duration.ofSeconds(120);
  private static final Duration CONVERGED = Duration.ofSeconds(60);

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 420)
  void nodeJoinsAndLeavesUnderLoadWithoutLosingOrStaleReads() throws Exception {
    FaultCluster faults = FaultCluster.start(cluster, tmp, 3);
    List<String> probes = FaultCluster.keysCoveringEveryPartition(faults.node(1));
    List<NodeProcess> serving = new CopyOnWriteArrayList<>(faults.nodes);
    Load load = new Load(serving);
    load.start();
    try {
      load.awaitAcked(KEYS, Duration.ofSeconds(60));
      faults.log("load running: " + load.summary());

      // a 4th node joins under load
      NodeProcess joiner = cluster.newNode("node-4", tmp.resolve("node-4"));
      joiner.start(
          "--config",
          tmp.resolve("faults.conf").toString(),
          "--seed",
          faults.node(1).clusterAddress());
      joiner.awaitReady(FaultCluster.READY);
      serving.add(joiner);
      faults.log("node-4 joined and ready: " + load.summary());
      cluster.awaitAssert(
          MOVES_DONE,
          () -> {
            assertTransfersDone(joiner, 4);
            FaultCluster.assertPlacedOnRing(faults.node(1), joiner, probes);
          });
      JsonNode afterJoin = faults.json(faults.node(1), "/admin/transfers");
      faults.log("transfers after the join: " + afterJoin.path("summary") + "; " + load.summary());
      assertTrue(
          afterJoin.path("summary").path("done").asLong() > 0,
          () -> "replicas moved to node-4 and caught up: " + afterJoin);

      // node-3 leaves with its data, still under load
      NodeProcess leaver = faults.node(3);
      NodeHttp.Response leave = leaver.http().post("/admin/leave");
      assertEquals(202, leave.status(), leave::toString);
      faults.log("node-3 leaving: " + leave.text());
      try {
        leaver.process().onExit().get(LEFT.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError(
            "node-3 still running "
                + LEFT.toSeconds()
                + " s after its leave"
                + " request\n"
                + leaver.logTail(40));
      }
      serving.remove(leaver);
      faults.log("node-3 left and exited: " + load.summary());
      cluster.awaitAssert(
          Duration.ofSeconds(30),
          () -> {
            Set<String> up = faults.upReachable(faults.node(1));
            assertEquals(
                Set.of(
                    faults.node(1).clusterAddress(),
                    faults.node(2).clusterAddress(),
                    joiner.clusterAddress()),
                up,
                "members after the leave");
            assertTransfersDone(faults.node(1), 3);
            FaultCluster.assertPlacedOnRing(faults.node(1), null, probes);
          });
    } finally {
      load.stop();
    }
    faults.log("load stopped: " + load.summary());

    assertEquals(List.of(), load.staleReads, "reads older than an acknowledged write");
    assertEquals(List.of(), load.unexpected, "unexpected answers");
    assertTrue(load.acked.get() > KEYS * 2L, () -> "writes acknowledged: " + load.summary());
    NodeProcess via = faults.node(1);
    cluster.awaitAssert(
        CONVERGED,
        () ->
            load.lastAcked.forEach(
                (key, seq) -> {
                  JsonNode states = FaultCluster.replicaStates(via, key);
                  Set<String> nodes = new HashSet<>();
                  for (JsonNode r : states.path("replicas")) {
                    nodes.add(r.path("node").asText());
                    assertFalse(r.path("syncing").asBoolean(false), () -> "caught up: " + states);
                    long held =
                        maxSeq(
                            FaultCluster.values(r).stream()
                                .map(
                                    v ->
                                        new String(
                                            Base64.getDecoder().decode(v), StandardCharsets.UTF_8))
                                .toList());
                    assertTrue(
                        held >= seq,
                        () ->
                            key + ": acknowledged write " + seq + " lost on a replica: " + states);
                  }
                  assertEquals(3, nodes.size(), () -> key + " on 3 distinct nodes: " + states);
                }));
    faults.log("every acknowledged write of " + load.lastAcked.size() + " keys on 3 replicas");
  }

  private static void assertTransfersDone(NodeProcess via, int members) {
    JsonNode transfers = FaultCluster.json(via, "/admin/transfers");
    JsonNode summary = transfers.path("summary");
    for (String state : List.of("pending", "copying", "syncing")) {
      assertEquals(0, summary.path(state).asLong(), () -> "transfers " + state + ": " + summary);
    }
    assertEquals(0, transfers.path("unreachable").size(), () -> "every node answers: " + transfers);
    JsonNode ring = FaultCluster.json(via, "/admin/ring");
    assertEquals(
        members, ring.path("members").size(), () -> "ring members: " + ring.path("members"));
  }

  static long maxSeq(List<String> values) {
    long max = -1;
    for (String v : values) {
      int colon = v.lastIndexOf(':');
      max = Math.max(max, Long.parseLong(v.substring(colon + 1)));
    }
    return max;
  }

  /**
   * One writer thread that owns every key: for key after key, reads it (r=2) and writes the next
   * sequence number back with the read's context (w=2), on the serving nodes in turn. A read that
   * returns less than the key's last acknowledged sequence is a stale read.
   */
  static final class Load {
    final Map<String, Long> lastAcked = new ConcurrentHashMap<>();
    final Map<String, Long> lastTried = new ConcurrentHashMap<>();
    final List<String> staleReads = new CopyOnWriteArrayList<>();
    final List<String> unexpected = new CopyOnWriteArrayList<>();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong reads = new AtomicLong();
    private final List<NodeProcess> serving;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Load(List<NodeProcess> serving) {
      this.serving = serving;
      this.thread = new Thread(this::run, "scaling-load");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(30_000);
    }

    void awaitAcked(int keys, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (lastAcked.size() < keys) {
        assertTrue(System.nanoTime() < deadline, () -> "load never got going: " + summary());
        assertTrue(thread.isAlive(), "load thread alive");
        LockSupport.parkNanos(50_000_000);
      }
    }

    String summary() {
      return String.format(
          "%d writes acked, %d failed ops, %d reads, %d stale",
          acked.get(), failed.get(), reads.get(), staleReads.size());
    }

    private void run() {
      long op = 0;
      while (running.get()) {
        for (int i = 0; i < KEYS && running.get(); i++) {
          List<NodeProcess> nodes = new ArrayList<>(serving);
          NodeProcess via = nodes.get((int) (op++ % nodes.size()));
          try {
            step(via, "scale-" + i);
          } catch (RuntimeException e) {
            failed.incrementAndGet();
          }
        }
      }
    }

    private void step(NodeProcess via, String key) {
      long before = lastAcked.getOrDefault(key, -1L);
      NodeHttp.Response get = via.http().get("/kv/" + key + "?r=2&timeout=2000");
      String context = get.header("X-Causal-Context").orElse(null);
      long seen;
      if (get.status() == 200) {
        seen = maxSeq(List.of(get.text()));
      } else if (get.status() == 300) {
        List<String> values = new ArrayList<>();
        get.json()
            .path("siblings")
            .forEach(
                s ->
                    values.add(
                        new String(
                            Base64.getDecoder().decode(s.path("value").asText()),
                            StandardCharsets.UTF_8)));
        seen = maxSeq(values);
      } else if (get.status() == 404) {
        seen = -1;
      } else {
        if (get.status() != 503) {
          unexpected.add("GET " + key + " via " + via.name() + ": " + get);
        }
        failed.incrementAndGet();
        return;
      }
      reads.incrementAndGet();
      if (seen < before) {
        staleReads.add(
            key
                + " read "
                + seen
                + " via "
                + via.name()
                + " after "
                + before
                + " was acknowledged");
      }
      long next = Math.max(seen, lastTried.getOrDefault(key, -1L)) + 1;
      lastTried.put(key, next);
      Map<String, String> headers =
          context == null ? Map.of() : Map.of("X-Causal-Context", context);
      NodeHttp.Response put =
          via.http()
              .put(
                  "/kv/" + key + "?w=2&timeout=2000",
                  (key + ":" + next).getBytes(StandardCharsets.UTF_8),
                  headers);
      if (put.status() == 204) {
        lastAcked.put(key, next);
        acked.incrementAndGet();
      } else {
        if (put.status() != 503) {
          unexpected.add("PUT " + key + " via " + via.name() + ": " + put);
        }
        failed.incrementAndGet();
      }
    }
  }
}
