package io.ringstore.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The pure rendering of {@code bin/ringstore status} and the {@code leave} progress lines. */
class StatusFormatterTest {
  private static final String A = "127.0.0.1:25520";
  private static final String B = "127.0.0.1:25521";
  private static final String C = "127.0.0.1:9000";

  static AdminViews.Cluster cluster() {
    // deliberately unsorted: the report sorts by host, then numerically by port
    return new AdminViews.Cluster(
        A,
        "3f1c2b9e-0d7a-4c55-9b1e-2f6a8d4e7c10",
        A,
        List.of(
            new AdminViews.Member(B, "Leaving", true, List.of("data", "dc-default")),
            new AdminViews.Member(A, "Up", true, List.of("dc-default", "data")),
            new AdminViews.Member(C, "Up", false, List.of("client", "dc-default"))),
        List.of());
  }

  static AdminViews.Ring ring() {
    return new AdminViews.Ring(
        4,
        2,
        List.of(A, B),
        List.of(
            new AdminViews.Partition(0, List.of(A, B), List.of()),
            new AdminViews.Partition(1, List.of(B, A), List.of()),
            new AdminViews.Partition(2, List.of(A, B), List.of()),
            new AdminViews.Partition(3, List.of(A), List.of())));
  }

  static AdminViews.Transfer transfer(
      int partition, String state, long keys, long bytes, Double eta) {
    return new AdminViews.Transfer(
        partition + ":1",
        partition,
        A,
        B,
        state,
        keys,
        bytes,
        "pending".equals(state) ? 0 : 250,
        eta,
        "2026-11-25T15:00:00Z",
        null,
        null);
  }

  @Test
  void rendersMembersOwnershipAndOpenTransfers() {
    AdminViews.Transfers transfers =
        new AdminViews.Transfers(
            A,
            List.of(B),
            List.of(C),
            new AdminViews.Summary(1, 1, 0, 5, 1),
            List.of(
                transfer(3, "pending", 0, 0, null),
                transfer(1, "done", 900, 90_000, null),
                transfer(2, "copying", 1200, 3 * 1024 * 1024 / 2, 125.0),
                new AdminViews.Transfer(
                    "0:0",
                    0,
                    A,
                    null,
                    "failed",
                    10,
                    2048,
                    0,
                    null,
                    "2026-11-25T15:00:00Z",
                    "2026-11-25T15:01:00Z",
                    "source unreachable")));
    String expected =
        """
        node 127.0.0.1:25520 (http 127.0.0.1:8080)
        cluster 3f1c2b9e-0d7a-4c55-9b1e-2f6a8d4e7c10, leader 127.0.0.1:25520

        members: 3
          NODE               STATUS   REACHABLE  ROLES   LEAVING
          127.0.0.1:9000     Up       NO         client  no
          127.0.0.1:25520 *  Up       yes        data    no
          127.0.0.1:25521    Leaving  yes        data    yes
          (* = the node asked)

        ring: 4 partitions, N=2, 7 replica slots
          NODE             PARTITIONS  FIRST  SHARE
          127.0.0.1:25520           4      3  57.1%
          127.0.0.1:25521           3      1  42.9%

        transfers: pending 1, copying 1, syncing 0, done 5, failed 1
          unreachable: 127.0.0.1:9000
          REPLICA  TO               FROM             STATE    KEYS    BYTES        RATE     ETA  ERROR
          0:0      127.0.0.1:25520  -                failed     10  2.0 KiB           -       -  source unreachable
          2:1      127.0.0.1:25520  127.0.0.1:25521  copying  1200  1.5 MiB  250 keys/s  2m 05s
          3:1      127.0.0.1:25520  127.0.0.1:25521  pending     0      0 B           -       -
        """;
    String actual =
        StatusFormatter.status(
            "127.0.0.1:8080",
            cluster(),
            new StatusFormatter.Available<>(ring()),
            new StatusFormatter.Available<>(transfers));
    assertEquals(expected, actual);
  }

  @Test
  void saysTransfersNotAvailableWhenTheNodeHasNoSuchEndpoint() {
    String report =
        StatusFormatter.status(
            "127.0.0.1:8080",
            cluster(),
            new StatusFormatter.Available<>(ring()),
            new StatusFormatter.Unavailable<>(null));
    assertTrue(report.endsWith("\ntransfers: not available\n"), report);
    assertTrue(
        report.contains("127.0.0.1:25521    Leaving  yes        data    yes\n"),
        "without /admin/transfers the leaving flag follows the member status:\n" + report);
    assertTrue(report.contains("127.0.0.1:25520 *  Up       yes        data    no\n"), report);
  }

  @Test
  void saysWhyTheRingIsMissing() {
    String report =
        StatusFormatter.status(
            "127.0.0.1:8080",
            cluster(),
            new StatusFormatter.Unavailable<>("HTTP 503: not ready"),
            new StatusFormatter.Unavailable<>(null));
    assertTrue(report.contains("\nring: not available (HTTP 503: not ready)\n"), report);
  }

  @Test
  void listsAtMostTwentyOpenTransfersAndCountsTheRest() {
    List<AdminViews.Transfer> list = new ArrayList<>();
    for (int p = 0; p < 27; p++) {
      list.add(transfer(p, "pending", 0, 0, null));
    }
    list.add(transfer(99, "done", 5, 5, null));
    String report =
        StatusFormatter.status(
            "h:1",
            cluster(),
            new StatusFormatter.Available<>(ring()),
            new StatusFormatter.Available<>(
                new AdminViews.Transfers(
                    A, List.of(), List.of(), new AdminViews.Summary(27, 0, 0, 1, 0), list)));
    assertTrue(report.contains("  19:1 "), "row 20 is listed:\n" + report);
    assertFalse(report.contains("  20:1 "), "row 21 is not:\n" + report);
    assertFalse(report.contains("  99:1 "), "done transfers are not listed:\n" + report);
    assertTrue(report.endsWith("  ... and 7 more\n"), report);
  }

  @Test
  void progressLineCountsStatesAndCopiedKeys() {
    AdminViews.Transfers t =
        new AdminViews.Transfers(
            B,
            List.of(B),
            List.of(),
            new AdminViews.Summary(2, 1, 0, 3, 0),
            List.of(transfer(1, "copying", 100, 2048, 3.0), transfer(2, "done", 50, 1024, null)));
    assertEquals(
        "1:05  pending 2, copying 1, syncing 0, done 3, failed 0; 150 keys (3.0 KiB) copied",
        StatusFormatter.progress(Duration.ofSeconds(65), t));
  }

  static Stream<Arguments> bytes() {
    return Stream.of(
        Arguments.of(0L, "0 B"),
        Arguments.of(1023L, "1023 B"),
        Arguments.of(1024L, "1.0 KiB"),
        Arguments.of(1536L, "1.5 KiB"),
        Arguments.of(5L * 1024 * 1024 * 1024, "5.0 GiB"),
        Arguments.of(Long.MAX_VALUE, "8.0 EiB"));
  }

  @ParameterizedTest
  @MethodSource
  void bytes(long n, String expected) {
    assertEquals(expected, StatusFormatter.bytes(n), "bytes(" + n + ")");
  }

  static Stream<Arguments> eta() {
    return Stream.of(
        Arguments.of(null, "-"),
        Arguments.of(-1.0, "-"),
        Arguments.of(0.4, "0s"),
        Arguments.of(59.0, "59s"),
        Arguments.of(60.0, "1m 00s"),
        Arguments.of(3599.0, "59m 59s"),
        Arguments.of(7380.0, "2h 03m"));
  }

  @ParameterizedTest
  @MethodSource
  void eta(Double seconds, String expected) {
    assertEquals(expected, StatusFormatter.eta(seconds), "eta(" + seconds + ")");
  }

  @Test
  void nodesSortByHostThenPort() {
    List<String> nodes =
        new ArrayList<>(List.of("10.0.0.2:1", "10.0.0.1:25521", "10.0.0.1:9000", "10.0.0.1:25520"));
    nodes.sort(StatusFormatter.BY_NODE);
    assertEquals(List.of("10.0.0.1:9000", "10.0.0.1:25520", "10.0.0.1:25521", "10.0.0.2:1"), nodes);
  }
}
