package io.ringstore.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringstore.check.CheckOptions;
import io.ringstore.check.ConsistencyCheck;
import io.ringstore.check.Report;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Jepsen-style check (DESIGN invariants 1, 2 and 4) on 4 nodes with N=3, R=W=2, each node in
 * its own network namespace ({@link NetworkNamespaces}; needs root and iproute2, so that a
 * partition is a real cut): the {@link ConsistencyCheck} library runs 4 single-writer clients (4
 * keys each) over the members' HTTP ports while a nemesis breaks the cluster one fault at a time,
 * marking each fault window on the check and ending it once the cluster has healed. Then the load
 * stops, the replicas must converge, and the history must show no lost acknowledged write and no
 * stale read. The report is printed.
 *
 * <p>The nemesis, with 5 s quiet pauses between the steps:
 *
 * <ol>
 *   <li>kill -9 node-1 (the seed that seeds itself), restart it on its data directory after 5 s: it
 *       rejoins its cluster (it never forms one of its own: ClusterRestartIT);
 *   <li>SIGSTOP node-3 for 8 s, then SIGCONT;
 *   <li>cut node-4 off (its bridge-side veth down) until the Split Brain Resolver has downed it:
 *       its JVM exits (the minority downs itself) and the majority no longer lists it; heal the
 *       link and restart it on its data directory (a new incarnation rejoins, its replicas move
 *       back);
 *   <li>a 5th node joins through node-1; the check sends to it from when it is ready ({@link
 *       ConsistencyCheck.Handle#addEndpoint});
 *   <li>node-3 leaves with {@code POST /admin/leave}: its replicas move to their new hosts, it
 *       leaves and its JVM exits (status 0); the check stops sending to it then ({@link
 *       ConsistencyCheck.Handle#removeEndpoint}), a request that reached it while it drained counts
 *       as a failed operation only.
 * </ol>
 *
 * "Healed" ({@link #awaitHealed}): every member sees exactly the current members Up and reachable,
 * node-1's ring has them all, and {@code /admin/transfers} shows nothing pending, copying or
 * syncing. Add a step by adding a factory like {@link #crashAndRestart} and listing it in {@link
 * #nemesis}.
 *
 * <p>Downing: the test config sets SBR {@code stable-after = 20s} (acceptable heartbeat pause 3 s),
 * so the crash and the pause (a member unreachable for ~5-10 s; a crashed member is replaced as
 * soon as its new incarnation joins, ~4 s after it was found unreachable, measured) are temporary
 * failures that nobody downs (were the crashed incarnation downed on a slow box, nothing would
 * change: it is dead already), while the partition is held until the cut node is downed; a paused
 * node downed by mistake would exit and fail the test at once. The downing variant was chosen over
 * a cut healed before {@code stable-after} because it also exercises the removal of a member, the
 * reallocation of its replicas to the majority and the rejoin of a restarted node with its data
 * directory.
 *
 * <p>Bounds: each heal within {@link #HEAL} (90 s); the cut node exits within {@link #DOWNED} (60
 * s) of the cut (detection, usually ~5-7 s, plus stable-after 20 s) and the majority drops it
 * within 60 s too; the leaving node exits within {@link #LEFT} (120 s) of its leave request;
 * replicas converge within 60 s of the end of the load. Measured on a 2-core box (nodes with {@code
 * down-removal-margin = 2s}), four runs, one of them while another test run shared the box: node-2
 * (the crash victim then) ready 16.4-20.0 s after its restart (the JVM starts under load), healed
 * 0.3-2.6 s later; since node-1 is the victim (2026-12-06, box shared with other test runs): node-1
 * ready 26 s after its restart, healed 2.6 s later, availability to up nodes 98.6 % while it was
 * out; node-3 healed 1.6-2.6 s after SIGCONT; node-4 exited (status 255) and was dropped by the
 * majority 27.0-28.6 s after the cut, 38.0 s on the shared box (the failure detectors took 15 s to
 * mark it unreachable), ready 5-7 s after the heal, healed 0.2-11.4 s later (its replicas move back
 * and sync); node-5 ready 10-12 s after its start, transfers done 0.2-5.3 s later; node-3 exited
 * 10.4-11.3 s after its leave request. Load 122-139 s, 10000-11000 writes acknowledged, 0 lost, 0
 * stale, converged 0.1-0.2 s after the load; availability 93-95 % overall, 76-79 % while node-2 was
 * down or restarting, 98-99 % while node-3 was paused, 76-82 % during the partition, 100 % during
 * the join and 99 % during the leave. The failures are fast ones, which the clients repeat often:
 * refused connections to a dead node, and mostly {@code 503 "this node sees no data member Up (it
 * has not joined the cluster yet)"} from a restarted node between its HTTP port opening and its
 * joining (a diagnostic run counted 884 of them, all from node-2, in the ~10 s before it was
 * ready); then connect timeouts to the cut node. Test 151-167 s, 2.5-2.8 minutes with Maven.
 */
class ConsistencyCheckIT {
  static final Duration HEAL = Duration.ofSeconds(90);
  static final Duration DOWNED = Duration.ofSeconds(60);
  static final Duration LEFT = Duration.ofSeconds(120);
  static final Duration QUIET = Duration.ofSeconds(5);
  static final String TEST_CONFIG =
      """
      ringstore.replication { n = 3, r = 2, w = 2 }
      ringstore.anti-entropy.sessions-per-second = 50
      ringstore.handoff.retry-interval = 1s
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s
      # a crash or pause (unreachable < 20 s) is not downed; a partition held past 20 s is
      pekko.cluster.split-brain-resolver.stable-after = 20s
      """;

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  /** One step of the nemesis: what it does, for the log, and the action. */
  record Step(String name, Action action) {}

  /** A nemesis action, given the running check to mark its fault windows on. */
  @FunctionalInterface
  interface Action {
    void run(ConsistencyCheck.Handle check);
  }

  private NetworkNamespaces net;
  private FaultCluster faults;

  /** The current cluster members, in the test's view: what {@link #awaitHealed()} expects. */
  private final List<NodeProcess> members = new CopyOnWriteArrayList<>();

  @Test
  @Timeout(value = 420)
  void noLostWritesNoStaleReadsAndConvergenceUnderCrashPausePartitionJoinAndLeave()
      throws InterruptedException {
    net = NetworkNamespaces.create(cluster, 5);
    faults = FaultCluster.start(cluster, tmp, 4, TEST_CONFIG, net::host);
    members.addAll(faults.nodes);
    List<String> endpoints = members.stream().map(ConsistencyCheckIT::endpoint).toList();
    CheckOptions options =
        CheckOptions.defaults(endpoints)
            .withClients(4)
            .withKeysPerClient(4)
            .withDuration(Duration.ofMinutes(5))
            .withRequestTimeout(Duration.ofSeconds(2))
            .withConvergeTimeout(Duration.ofSeconds(60));

    List<Step> nemesis = nemesis();
    ConsistencyCheck.Handle check = ConsistencyCheck.start(options);
    Report report;
    try {
      faults.log("check started: 4 clients x 4 keys over " + endpoints);
      for (Step step : nemesis) {
        faults.log("nemesis: " + step.name());
        step.action().run(check);
      }
      faults.log("load done: " + check.progress() + " over " + check.endpoints());
      report = check.stop();
    } finally {
      check.abort();
    }
    faults.log("check stopped, converged and read back");
    System.out.println(report.toText());
    System.out.println(report.toJson());

    long windows = nemesis.stream().filter(s -> !s.name().startsWith("quiet")).count();
    assertEquals(
        windows, report.faults().size(), () -> "every fault window marked:\n" + report.toText());
    assertTrue(report.writesAcknowledged() > 100, () -> "the load ran:\n" + report.toText());
    assertEquals(
        List.of(), report.lostWriteKeys(), () -> "no acknowledged write lost:\n" + report.toText());
    assertEquals(0, report.staleReads(), () -> "no stale read:\n" + report.toText());
    assertTrue(
        report.convergence().converged(),
        () -> "every key's replicas converged:\n" + report.toText());
    assertTrue(report.passed(), report::toText);
  }

  /** The faults, in order, with quiet pauses between. Extend here. */
  private List<Step> nemesis() {
    return List.of(
        quiet(QUIET),
        crashAndRestart(faults.node(1), Duration.ofSeconds(5)),
        quiet(QUIET),
        pause(faults.node(3), Duration.ofSeconds(8)),
        quiet(QUIET),
        partitionUntilDowned(faults.node(4)),
        quiet(QUIET),
        join("node-5", 5),
        quiet(QUIET),
        leave(faults.node(3)),
        quiet(QUIET));
  }

  private Step quiet(Duration duration) {
    return new Step("quiet for " + duration.toSeconds() + " s", check -> hold(duration));
  }

  /**
   * kill -9 {@code victim}, keep it down for {@code down}, start it again on its data directory.
   */
  private Step crashAndRestart(NodeProcess victim, Duration down) {
    String name = "kill -9 " + victim.name() + ", restart after " + down.toSeconds() + " s";
    return new Step(
        name,
        check -> {
          check.markFault(name);
          victim.kill9();
          hold(down);
          victim.start().awaitReady(FaultCluster.READY);
          faults.log(victim.name() + " restarted and ready");
          awaitHealed();
          check.endFault();
        });
  }

  /** SIGSTOP {@code victim} for {@code paused}, then SIGCONT. */
  private Step pause(NodeProcess victim, Duration paused) {
    String name = "SIGSTOP " + victim.name() + " for " + paused.toSeconds() + " s";
    return new Step(
        name,
        check -> {
          check.markFault(name);
          victim.pause();
          hold(paused);
          victim.resume();
          faults.log(victim.name() + " resumed");
          awaitHealed();
          check.endFault();
        });
  }

  /**
   * Cuts {@code victim} off (its bridge-side veth down) until the Split Brain Resolver has downed
   * it: its JVM exits (the minority downs itself) and the majority no longer lists it. Then heals
   * the link and restarts it on its data directory, as a new incarnation that rejoins.
   */
  private Step partitionUntilDowned(NodeProcess victim) {
    String name = "partition " + victim.name() + " off until downed, heal, restart";
    return new Step(
        name,
        check -> {
          List<NodeProcess> majority = members.stream().filter(n -> n != victim).toList();
          check.markFault(name);
          long cut = System.nanoTime();
          net.cut(victim);
          faults.log(victim.name() + " cut off");
          awaitExit(victim, DOWNED, majority);
          faults.log(
              String.format(
                  "%s downed, exited with status %d %.1f s after the cut",
                  victim.name(), victim.process().exitValue(), seconds(cut)));
          logLines(victim, "SBR took decision", "Shutting down myself");
          logLines(faults.node(1), "SBR took decision");
          cluster.awaitAssert(
              DOWNED,
              majority,
              () ->
                  majority.forEach(
                      n ->
                          assertFalse(
                              members(n).contains(victim.clusterAddress()),
                              () -> n.name() + " still lists " + victim.name())));
          faults.log(
              String.format(
                  "%s removed from the majority's membership %.1f s after the cut",
                  victim.name(), seconds(cut)));
          net.heal(victim);
          victim.start().awaitReady(FaultCluster.READY);
          faults.log(
              String.format(
                  "link healed, %s restarted and ready %.1f s after the cut",
                  victim.name(), seconds(cut)));
          awaitHealed();
          check.endFault();
        });
  }

  /** Starts a new node in namespace {@code index}; it joins through node-1 and gets replicas. */
  private Step join(String nodeName, int index) {
    String name = nodeName + " joins";
    return new Step(
        name,
        check -> {
          NodeProcess joiner = cluster.newNode(nodeName, tmp.resolve(nodeName), net.host(index));
          check.markFault(name);
          joiner.start(
              "--config",
              tmp.resolve("faults.conf").toString(),
              "--seed",
              faults.node(1).clusterAddress());
          joiner.awaitReady(FaultCluster.READY);
          members.add(joiner);
          check.addEndpoint(endpoint(joiner));
          faults.log(nodeName + " ready; check endpoints " + check.endpoints());
          awaitHealed();
          check.endFault();
        });
  }

  /**
   * {@code POST /admin/leave} on {@code leaver}: its replicas move to their new hosts, then it
   * leaves the cluster and its JVM exits; the check stops sending to it once it has exited.
   */
  private Step leave(NodeProcess leaver) {
    String name = leaver.name() + " leaves";
    return new Step(
        name,
        check -> {
          List<NodeProcess> staying = members.stream().filter(n -> n != leaver).toList();
          check.markFault(name);
          long requested = System.nanoTime();
          NodeHttp.Response leave = leaver.http().post("/admin/leave");
          assertEquals(
              202, leave.status(), () -> "POST /admin/leave on " + leaver.name() + ": " + leave);
          awaitExit(leaver, LEFT, staying);
          assertEquals(
              0,
              leaver.process().exitValue(),
              () -> leaver.name() + " exits normally after its " + "leave\n" + leaver.logTail(40));
          members.remove(leaver);
          check.removeEndpoint(endpoint(leaver));
          faults.log(
              String.format(
                  "%s left and exited with status %d %.1f s after its leave request; "
                      + "check endpoints %s",
                  leaver.name(),
                  leaver.process().exitValue(),
                  seconds(requested),
                  check.endpoints()));
          cluster.awaitAssert(
              HEAL,
              staying,
              () ->
                  staying.forEach(
                      n ->
                          assertFalse(
                              members(n).contains(leaver.clusterAddress()),
                              () -> n.name() + " still lists " + leaver.name())));
          awaitHealed();
          check.endFault();
        });
  }

  /**
   * Every member sees exactly the members Up and reachable, node-1's ring has them all, and no
   * transfer is pending, copying or syncing on any of them.
   */
  private void awaitHealed() {
    long start = System.nanoTime();
    Set<String> expected = new HashSet<>();
    members.forEach(n -> expected.add(n.clusterAddress()));
    cluster.awaitAssert(
        HEAL,
        members,
        () -> {
          members.forEach(
              n ->
                  assertEquals(
                      expected,
                      faults.upReachable(n),
                      () -> n.name() + " sees every member Up and reachable"));
          JsonNode ring = FaultCluster.json(faults.node(1), "/admin/ring");
          Set<String> onRing = new HashSet<>();
          ring.path("members").forEach(m -> onRing.add(m.asText()));
          assertEquals(expected, onRing, () -> "ring members: " + ring.path("members"));
          JsonNode transfers = FaultCluster.json(faults.node(1), "/admin/transfers");
          for (String state : List.of("pending", "copying", "syncing")) {
            assertEquals(
                0,
                transfers.path("summary").path(state).asLong(),
                () -> "transfers " + state + ": " + transfers.path("summary"));
          }
          assertEquals(
              0, transfers.path("unreachable").size(), () -> "every node answers: " + transfers);
        });
    faults.log(
        String.format(
            "cluster healed (%d members Up, transfers done) in %.1f s",
            members.size(), seconds(start)));
  }

  /** Waits for {@code node}'s JVM to exit; fails at once if one of {@code mustStayUp} dies. */
  private void awaitExit(NodeProcess node, Duration timeout, List<NodeProcess> mustStayUp) {
    cluster.awaitAssert(
        timeout,
        mustStayUp,
        () ->
            assertFalse(
                node.isAlive(),
                () ->
                    node.name()
                        + " still running after "
                        + timeout.toSeconds()
                        + " s\n"
                        + node.logTail(40)));
  }

  /** Every member {@code observer} lists, whatever its status. */
  private static Set<String> members(NodeProcess observer) {
    Set<String> members = new HashSet<>();
    for (JsonNode m : FaultCluster.json(observer, "/admin/cluster").path("members")) {
      members.add(m.path("node").asText());
    }
    return members;
  }

  /** Prints the last 5 lines of {@code node}'s log that contain one of {@code needles}. */
  private void logLines(NodeProcess node, String... needles) {
    try {
      List<String> lines =
          Files.readAllLines(node.logFile()).stream()
              .filter(l -> List.of(needles).stream().anyMatch(l::contains))
              .toList();
      lines.subList(Math.max(0, lines.size() - 5), lines.size()).stream()
          .map(l -> l.length() > 240 ? l.substring(0, 240) : l)
          .forEach(l -> faults.log("  " + node.name() + ": " + l));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String endpoint(NodeProcess node) {
    return node.host().address() + ":" + node.httpPort();
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }

  private void hold(Duration duration) {
    LocalCluster.hold(duration, members);
  }
}
