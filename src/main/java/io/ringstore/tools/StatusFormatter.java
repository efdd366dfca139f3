package io.ringstore.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders what {@code bin/ringstore status} and {@code leave} print, as plain text, from the parsed
 * {@code /admin} answers: pure, deterministic (members sorted by host, then port), no I/O. A member
 * counts as leaving when {@code /admin/transfers} lists it or its status is Leaving or Exiting.
 */
final class StatusFormatter {
  /** At most this many not-done transfers are listed; the rest are counted. */
  static final int MAX_TRANSFER_ROWS = 20;

  /** Member statuses of a node on its way out, whatever {@code /admin/transfers} says. */
  private static final Set<String> LEAVING_STATUSES = Set.of("Leaving", "Exiting");

  /** Active states first, so that what moves and what broke is on top. */
  private static final List<String> STATE_ORDER =
      List.of("failed", "copying", "syncing", "pending");

  /**
   * Nodes sorted by host, then numerically by port ({@code 127.0.0.1:9000} before {@code :25520}).
   */
  static final Comparator<String> BY_NODE =
      Comparator.comparing(StatusFormatter::hostOf)
          .thenComparingLong(StatusFormatter::portOf)
          .thenComparing(Comparator.naturalOrder());

  private StatusFormatter() {}

  /** An optional part of the report: fetched, or the reason it is missing. */
  sealed interface Part<T> permits Available, Unavailable {}

  record Available<T>(T value) implements Part<T> {}

  record Unavailable<T>(String reason) implements Part<T> {}

  /** The whole {@code status} report of the node at {@code endpoint} (its HTTP address). */
  static String status(
      String endpoint,
      AdminViews.Cluster cluster,
      Part<AdminViews.Ring> ring,
      Part<AdminViews.Transfers> transfers) {
    StringBuilder out = new StringBuilder();
    out.append("node ").append(cluster.self()).append(" (http ").append(endpoint).append(")\n");
    out.append("cluster ")
        .append(cluster.clusterId() == null ? "(id not known yet)" : cluster.clusterId())
        .append(", leader ")
        .append(cluster.leader() == null ? "none" : cluster.leader())
        .append('\n');
    if (!cluster.sameIdElsewhere().isEmpty()) {
      out.append("WARNING: the cluster runs as two: ")
          .append(String.join(", ", cluster.sameIdElsewhere()))
          .append(" belong to another cluster with the same id (see the node's log)\n");
    }
    out.append('\n');
    members(out, cluster, transfers);
    out.append('\n');
    if (ring instanceof Available<AdminViews.Ring> r) {
      ownership(out, r.value());
    } else if (ring instanceof Unavailable<AdminViews.Ring> u) {
      out.append("ring: not available (").append(u.reason()).append(")\n");
    }
    out.append('\n');
    if (transfers instanceof Available<AdminViews.Transfers> t) {
      transfers(out, t.value());
    } else if (transfers instanceof Unavailable<AdminViews.Transfers> u) {
      out.append("transfers: not available");
      if (u.reason() != null) {
        out.append(" (").append(u.reason()).append(')');
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static void members(
      StringBuilder out, AdminViews.Cluster cluster, Part<AdminViews.Transfers> transfers) {
    Set<String> leaving = new TreeSet<>();
    if (transfers instanceof Available<AdminViews.Transfers> t) {
      leaving.addAll(t.value().leaving());
    }
    List<AdminViews.Member> sorted =
        cluster.members().stream()
            .sorted(Comparator.comparing(AdminViews.Member::node, BY_NODE))
            .toList();
    out.append("members: ").append(sorted.size()).append('\n');
    Table table = new Table("NODE", "STATUS", "REACHABLE", "ROLES", "LEAVING");
    for (AdminViews.Member m : sorted) {
      String roles =
          String.join(",", m.roles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList());
      table.row(
          m.node().equals(cluster.self()) ? m.node() + " *" : m.node(),
          String.valueOf(m.status()),
          m.reachable() ? "yes" : "NO",
          roles.isEmpty() ? "-" : roles,
          leaving.contains(m.node()) || LEAVING_STATUSES.contains(m.status()) ? "yes" : "no");
    }
    table.render(out);
    out.append("  (* = the node asked)\n");
  }

  private static void ownership(StringBuilder out, AdminViews.Ring ring) {
    Map<String, int[]> counts = new TreeMap<>(BY_NODE);
    ring.members().forEach(m -> counts.put(m, new int[2]));
    long slots = 0;
    for (AdminViews.Partition p : ring.partitions()) {
      slots += p.replicas().size();
      for (int i = 0; i < p.replicas().size(); i++) {
        int[] c = counts.computeIfAbsent(p.replicas().get(i), k -> new int[2]);
        c[0]++;
        if (i == 0) {
          c[1]++;
        }
      }
    }
    out.append("ring: ")
        .append(ring.partitionCount())
        .append(" partitions, N=")
        .append(ring.replicationFactor())
        .append(", ")
        .append(slots)
        .append(" replica slots\n");
    Table table = new Table("NODE", "PARTITIONS", "FIRST", "SHARE").rightAligned(1, 2, 3);
    for (Map.Entry<String, int[]> e : counts.entrySet()) {
      int[] c = e.getValue();
      table.row(
          e.getKey(),
          Integer.toString(c[0]),
          Integer.toString(c[1]),
          slots == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * c[0] / slots));
    }
    table.render(out);
  }

  private static void transfers(StringBuilder out, AdminViews.Transfers t) {
    out.append("transfers: ").append(summary(t.summary())).append('\n');
    if (!t.unreachable().isEmpty()) {
      out.append("  unreachable: ")
          .append(String.join(", ", t.unreachable().stream().sorted(BY_NODE).toList()))
          .append('\n');
    }
    List<AdminViews.Transfer> open =
        t.transfers().stream()
            .filter(x -> !"done".equals(x.state()))
            .sorted(
                Comparator.comparingInt((AdminViews.Transfer x) -> stateRank(x.state()))
                    .thenComparingInt(AdminViews.Transfer::partition)
                    .thenComparing(x -> String.valueOf(x.replica()))
                    .thenComparing(x -> String.valueOf(x.node())))
            .toList();
    if (open.isEmpty()) {
      return;
    }
    boolean anyError = open.stream().anyMatch(x -> x.error() != null);
    Table table =
        anyError
            ? new Table("REPLICA", "TO", "FROM", "STATE", "KEYS", "BYTES", "RATE", "ETA", "ERROR")
            : new Table("REPLICA", "TO", "FROM", "STATE", "KEYS", "BYTES", "RATE", "ETA");
    table.rightAligned(4, 5, 6, 7);
    for (AdminViews.Transfer x : open.subList(0, Math.min(MAX_TRANSFER_ROWS, open.size()))) {
      List<String> row =
          new ArrayList<>(
              List.of(
                  String.valueOf(x.replica()),
                  String.valueOf(x.node()),
                  x.source() == null ? "-" : x.source(),
                  String.valueOf(x.state()),
                  Long.toString(x.keys()),
                  bytes(x.bytes()),
                  rate(x),
                  eta(x.etaSeconds())));
      if (anyError) {
        row.add(x.error() == null ? "" : x.error());
      }
      table.row(row.toArray(String[]::new));
    }
    table.render(out);
    if (open.size() > MAX_TRANSFER_ROWS) {
      out.append("  ... and ").append(open.size() - MAX_TRANSFER_ROWS).append(" more\n");
    }
  }

  /** One line of {@code leave} progress: the transfer counts and what was copied so far. */
  static String progress(Duration elapsed, AdminViews.Transfers t) {
    return clock(elapsed)
        + "  "
        + summary(t.summary())
        + "; "
        + t.keys()
        + " keys ("
        + bytes(t.bytes())
        + ") copied";
  }

  static String summary(AdminViews.Summary s) {
    return "pending "
        + s.pending()
        + ", copying "
        + s.copying()
        + ", syncing "
        + s.syncing()
        + ", done "
        + s.done()
        + ", failed "
        + s.failed();
  }

  /** {@code m:ss} (or {@code h:mm:ss}) since the command started. */
  static String clock(Duration elapsed) {
    long s = elapsed.toSeconds();
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  /** Binary units with one decimal: {@code 512 B}, {@code 1.5 KiB}, {@code 3.0 GiB}. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  static String eta(Double seconds) {
    if (seconds == null || seconds.isNaN() || seconds < 0) {
      return "-";
    }
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh %02dm", s / 3600, s / 60 % 60);
  }

  private static String rate(AdminViews.Transfer x) {
    if (x.keysPerSecond() <= 0) {
      return "-";
    }
    return x.keysPerSecond() >= 10
        ? String.format(Locale.ROOT, "%.0f keys/s", x.keysPerSecond())
        : String.format(Locale.ROOT, "%.1f keys/s", x.keysPerSecond());
  }

  private static int stateRank(String state) {
    int i = STATE_ORDER.indexOf(state);
    return i < 0 ? STATE_ORDER.size() : i;
  }

  private static String hostOf(String node) {
    int colon = node.lastIndexOf(':');
    return colon < 0 ? node : node.substring(0, colon);
  }

  private static long portOf(String node) {
    int colon = node.lastIndexOf(':');
    try {
      return colon < 0 ? -1 : Long.parseLong(node.substring(colon + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * A text table indented by two spaces, columns separated by two spaces, sized to their content.
   */
  private static final class Table {
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();
    private final Set<Integer> right = new TreeSet<>();

    Table(String... header) {
      this.header = header;
    }

    Table rightAligned(int... columns) {
      for (int c : columns) {
        right.add(c);
      }
      return this;
    }

    void row(String... cells) {
      rows.add(cells);
    }

    void render(StringBuilder out) {
      int[] width = new int[header.length];
      for (int c = 0; c < header.length; c++) {
        width[c] = header[c].length();
        for (String[] row : rows) {
          width[c] = Math.max(width[c], row[c].length());
        }
      }
      line(out, header, width);
      for (String[] row : rows) {
        line(out, row, width);
      }
    }

    private void line(StringBuilder out, String[] cells, int[] width) {
      StringBuilder line = new StringBuilder("  ");
      for (int c = 0; c < cells.length; c++) {
        String pad = " ".repeat(width[c] - cells[c].length());
        line.append(right.contains(c) ? pad + cells[c] : cells[c] + pad);
        if (c < cells.length - 1) {
          line.append("  ");
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
