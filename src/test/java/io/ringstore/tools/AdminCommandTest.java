package io.ringstore.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link AdminCommand} end to end against {@link FakeNode}s serving canned {@code /admin} JSON: the
 * status report (with and without {@code /admin/transfers}), the leave flow (accepted, node stops,
 * another member confirms; refused; timed out), and option errors.
 */
class AdminCommandTest {
  private static final Duration POLL = Duration.ofMillis(20);

  private final List<FakeNode> nodes = new ArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @AfterEach
  void stopNodes() {
    nodes.forEach(FakeNode::close);
  }

  private FakeNode node() throws IOException {
    FakeNode node = new FakeNode();
    nodes.add(node);
    return node;
  }

  private int run(String... args) {
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    return new AdminCommand(o, e, POLL).run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static String cluster(String self, String... memberAndStatus) {
    StringBuilder members = new StringBuilder();
    for (int i = 0; i < memberAndStatus.length; i += 2) {
      members
          .append(i == 0 ? "" : ",")
          .append("{\"node\":\"")
          .append(memberAndStatus[i])
          .append("\",\"status\":\"")
          .append(memberAndStatus[i + 1])
          .append("\",\"reachable\":true,\"roles\":[\"data\",\"dc-default\"]}");
    }
    return "{\"self\":\"" + self + "\",\"members\":[" + members + "]}";
  }

  private static final String RING =
      """
      {"partitionCount":2,"replicationFactor":2,"members":["127.0.0.1:25520","127.0.0.1:25521"],
       "partitions":[{"partition":0,"replicas":["127.0.0.1:25520","127.0.0.1:25521"],"fallbacks":[]},
                     {"partition":1,"replicas":["127.0.0.1:25521","127.0.0.1:25520"],"fallbacks":[]}]}""";

  private static String transfers(String self, int pending, int done, long keys) {
    return """
        {"self":"%s","leaving":["%s"],"unreachable":[],"newField":1,
         "summary":{"pending":%d,"copying":1,"syncing":0,"done":%d,"failed":0},
         "transfers":[{"replica":"1:0","partition":1,"node":"127.0.0.1:25520","source":"%s",
           "state":"copying","keys":%d,"bytes":2048,"keysPerSecond":12.5,"etaSeconds":8,
           "startedAt":"2026-11-25T15:00:00Z","finishedAt":null,"error":null}]}"""
        .formatted(self, self, pending, done, self, keys);
  }

  @Test
  void statusPrintsMembersRingAndTransfers() throws IOException {
    FakeNode node =
        node()
            .on(
                "GET",
                "/admin/cluster",
                200,
                cluster("127.0.0.1:25521", "127.0.0.1:25521", "Leaving", "127.0.0.1:25520", "Up"))
            .on("GET", "/admin/ring", 200, RING)
            .on("GET", "/admin/transfers", 200, transfers("127.0.0.1:25521", 3, 4, 100));
    int code = run("status", "--http-port", Integer.toString(node.port()));
    assertEquals(0, code, err());
    String report = out();
    assertTrue(
        report.startsWith("node 127.0.0.1:25521 (http 127.0.0.1:" + node.port() + ")\n"), report);
    assertTrue(
        report.indexOf("127.0.0.1:25520    Up") < report.indexOf("127.0.0.1:25521 *  Leaving"),
        "members sorted:\n" + report);
    assertTrue(report.contains("127.0.0.1:25521 *  Leaving  yes        data   yes\n"), report);
    assertTrue(report.contains("127.0.0.1:25520           2      1  50.0%\n"), report);
    assertTrue(
        report.contains("transfers: pending 3, copying 1, syncing 0, done 4, failed 0\n"), report);
    assertTrue(
        report.contains("  1:0      127.0.0.1:25520  127.0.0.1:25521  copying   100  2.0 KiB"),
        report);
    assertEquals("", err());
  }

  @Test
  void statusOfAnOlderNodeWithoutTransfersSaysNotAvailable() throws IOException {
    FakeNode node =
        node()
            .on("GET", "/admin/cluster", 200, cluster("127.0.0.1:25520", "127.0.0.1:25520", "Up"))
            .on("GET", "/admin/ring", 200, RING);
    assertEquals(
        0,
        run("status", "--host", "127.0.0.1", "--http-port", Integer.toString(node.port())),
        err());
    assertTrue(out().endsWith("\ntransfers: not available\n"), out());
  }

  @Test
  void statusOfAnUnreachableNodeFailsWithOneLine() throws IOException {
    FakeNode gone = node();
    int port = gone.port();
    gone.close();
    assertEquals(1, run("status", "--http-port", Integer.toString(port)));
    assertEquals(
        "ringstore: cannot reach a node at http://127.0.0.1:" + port + " (connection refused)\n",
        err());
    assertEquals("", out());
  }

  @Test
  void leaveFollowsTransfersUntilTheNodeStopsThenConfirmsWithAnotherMember() throws IOException {
    FakeNode other = node();
    FakeNode leaving = node();
    AtomicInteger polls = new AtomicInteger();
    AtomicInteger confirmations = new AtomicInteger();
    leaving
        .on(
            "GET",
            "/admin/cluster",
            200,
            cluster("127.0.0.1:25521", "127.0.0.1:25520", "Up", "127.0.0.1:25521", "Up"))
        .on(
            "POST",
            "/admin/leave",
            202,
            "{\"node\":\"127.0.0.1:25521\",\"state\":\"leaving\",\"message\":\"127.0.0.1:25521 is leaving\"}")
        .on(
            "GET",
            "/admin/transfers",
            () ->
                polls.incrementAndGet() <= 2
                    ? new FakeNode.Answer(
                        200,
                        transfers(
                            "127.0.0.1:25521", 3 - polls.get(), polls.get(), 10L * polls.get()))
                    : null);
    other.on(
        "GET",
        "/admin/cluster",
        () ->
            confirmations.incrementAndGet() <= 2
                ? new FakeNode.Answer(
                    200,
                    cluster(
                        "127.0.0.1:25520", "127.0.0.1:25520", "Up", "127.0.0.1:25521", "Leaving"))
                : new FakeNode.Answer(200, cluster("127.0.0.1:25520", "127.0.0.1:25520", "Up")));

    int code =
        run(
            "leave",
            "--http-port",
            Integer.toString(leaving.port()),
            "--via",
            "127.0.0.1:" + other.port());

    assertEquals(0, code, err());
    List<String> lines = out().lines().toList();
    assertEquals("127.0.0.1:25521 is leaving", lines.get(0));
    assertTrue(
        lines
            .get(1)
            .endsWith(
                "pending 2, copying 1, syncing 0, done 1, failed 0; 10 keys (2.0 KiB) copied"),
        out());
    assertTrue(
        lines
            .get(2)
            .endsWith(
                "pending 1, copying 1, syncing 0, done 2, failed 0; 20 keys (2.0 KiB) copied"),
        out());
    assertTrue(
        lines
            .get(3)
            .endsWith("127.0.0.1:25521 (http 127.0.0.1:" + leaving.port() + ") stopped answering"),
        out());
    assertTrue(
        lines
            .get(4)
            .endsWith("confirming with 127.0.0.1:25520 (http 127.0.0.1:" + other.port() + ")"),
        out());
    assertEquals("left", lines.get(lines.size() - 1));
    assertEquals(3, confirmations.get(), "polled the other member until the node was gone");
    // the JDK client may retry a GET once on a dropped connection: at least 3 transfer polls
    assertEquals(
        List.of(
            "GET /admin/cluster",
            "POST /admin/leave",
            "GET /admin/transfers",
            "GET /admin/transfers",
            "GET /admin/transfers"),
        leaving.requests().subList(0, 5));
  }

  @Test
  void leaveFindsAnotherMemberByTheLeavingNodesPortOffset() throws IOException {
    FakeNode other = node();
    FakeNode leaving = node();
    // cluster ports chosen so that each node's HTTP port is its cluster port minus the same offset
    String leavingName = "127.0.0.1:40000";
    String otherName = "127.0.0.1:" + (40000 + other.port() - leaving.port());
    leaving
        .on("GET", "/admin/cluster", 200, cluster(leavingName, leavingName, "Up", otherName, "Up"))
        .on("POST", "/admin/leave", 202, "{\"node\":\"" + leavingName + "\",\"state\":\"leaving\"}")
        .on("GET", "/admin/transfers", () -> null);
    other.on(
        "GET", "/admin/cluster", 200, cluster(otherName, otherName, "Up", leavingName, "Removed"));

    assertEquals(
        0,
        run("leave", "--http-port", Integer.toString(leaving.port()), "--timeout", "30s"),
        err());
    assertTrue(out().startsWith(leavingName + " is leaving\n"), out());
    assertTrue(out().contains("confirming with " + otherName), out());
    assertTrue(out().endsWith("\nleft\n"), out());
  }

  @Test
  void leaveRefusedPrintsTheMessageAndFails() throws IOException {
    FakeNode node =
        node()
            .on("GET", "/admin/cluster", 200, cluster("127.0.0.1:25520", "127.0.0.1:25520", "Up"))
            .on(
                "POST",
                "/admin/leave",
                409,
                "{\"error\":\"conflict\",\"message\":\"the last data member cannot leave\"}");
    assertEquals(1, run("leave", "--http-port", Integer.toString(node.port())));
    assertEquals(
        "ringstore: 127.0.0.1:25520 refused to leave (HTTP 409): the last data member cannot leave\n",
        err());
    assertFalse(node.requests().contains("GET /admin/transfers"), "nothing polled after a refusal");
  }

  @Test
  void leaveTimesOutSayingWhatIsPending() throws IOException {
    FakeNode node =
        node()
            .on("GET", "/admin/cluster", 200, cluster("127.0.0.1:25521", "127.0.0.1:25521", "Up"))
            .on(
                "POST",
                "/admin/leave",
                202,
                "{\"node\":\"127.0.0.1:25521\",\"state\":\"leaving\",\"message\":\"m\"}")
            .on("GET", "/admin/transfers", 200, transfers("127.0.0.1:25521", 5, 0, 0));
    assertEquals(
        1, run("leave", "--http-port", Integer.toString(node.port()), "--timeout", "300ms"));
    assertEquals(
        "ringstore: leave timed out after 0.3s: 127.0.0.1:25521 still answers HTTP; transfers: "
            + "pending 5, copying 1, syncing 0, done 0, failed 0\n",
        err());
  }

  @Test
  void leaveOfAnUnreachableNodeFails() throws IOException {
    FakeNode gone = node();
    int port = gone.port();
    gone.close();
    assertEquals(1, run("leave", "--http-port", Integer.toString(port)));
    assertTrue(
        err().startsWith("ringstore: cannot reach a node at http://127.0.0.1:" + port), err());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "stat",
        "status --port 8080",
        "status --http-port",
        "status --http-port x",
        "status --http-port 70000",
        "status --timeout 1m",
        "leave",
        "leave --host 127.0.0.1",
        "leave --http-port 8081 --timeout 0s",
        "leave --http-port 8081 --timeout soon",
        "leave --http-port 8081 --via 8080",
        "leave 8081"
      })
  void badOptionsPrintUsageAndExit2(String args) {
    String[] argv = args.isEmpty() ? new String[0] : args.split(" ");
    assertEquals(2, run(argv), "exit code of: " + args);
    assertTrue(err().startsWith("ringstore: "), err());
    assertTrue(err().contains("usage: ringstore status"), err());
    assertEquals("", out(), "nothing on stdout for: " + args);
  }

  @Test
  void helpGoesToStdout() {
    assertEquals(0, run("--help"));
    assertTrue(out().startsWith("usage: ringstore status"), out());
  }
}
