package io.ringstore.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bin/ringstore leave}: asks one node to leave ({@code POST /admin/leave}), prints its
 * transfer progress until it stops answering HTTP (a node exits once it has left), then polls
 * another member's {@code /admin/cluster} until the node is no longer listed (or is
 * Exiting/Removed).
 *
 * <p>Members are named by their cluster address, not their HTTP address, so the member to confirm
 * with is {@code --via} when given; otherwise each other Up member's HTTP port is derived with the
 * leaving node's offset between its cluster and HTTP ports (the layout of {@code bin/ringstore
 * cluster start}) and used only if that address answers {@code /admin/cluster} with that member as
 * {@code self}.
 */
final class LeaveCommand {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  private static final Set<String> GONE = Set.of("Exiting", "Removed");

  private final NodeEndpoint node;
  private final AdminOptions options;
  private final PrintStream out;
  private final PrintStream err;
  private final Duration pollInterval;
  private final long startNanos = System.nanoTime();

  LeaveCommand(
      NodeEndpoint node,
      AdminOptions options,
      PrintStream out,
      PrintStream err,
      Duration pollInterval) {
    this.node = node;
    this.options = options;
    this.out = out;
    this.err = err;
    this.pollInterval = pollInterval;
  }

  int run() throws InterruptedException {
    AdminViews.Cluster cluster;
    NodeEndpoint.Reply reply;
    try {
      NodeEndpoint.Reply clusterReply = node.get("/admin/cluster");
      if (AdminCommand.refused(err, node, clusterReply, "leave", "admin")) {
        return AdminCommand.FAILED;
      }
      if (!clusterReply.ok()) {
        err.println(
            "ringstore: "
                + node.address()
                + " answered /admin/cluster with HTTP "
                + clusterReply.status()
                + ": "
                + clusterReply.errorMessage()
                + "; nothing was sent");
        return AdminCommand.FAILED;
      }
      cluster = clusterReply.as(AdminViews.Cluster.class);
      reply = node.post("/admin/leave");
    } catch (IOException e) {
      err.println(AdminCommand.unreachable(node, e));
      return AdminCommand.FAILED;
    }
    String name = cluster.self();
    if (AdminCommand.refused(err, node, reply, "leave", "admin")) {
      return AdminCommand.FAILED;
    }
    if (reply.status() == 404 || reply.status() == 405) {
      err.println(
          "ringstore: "
              + name
              + " has no POST /admin/leave (HTTP "
              + reply.status()
              + "; an older node?); nothing was changed");
      return AdminCommand.FAILED;
    }
    if (!reply.ok()) {
      err.println(
          "ringstore: "
              + name
              + " refused to leave (HTTP "
              + reply.status()
              + "): "
              + reply.errorMessage());
      return AdminCommand.FAILED;
    }
    AdminViews.LeaveAccepted accepted = reply.as(AdminViews.LeaveAccepted.class);
    out.println(
        accepted.message() == null || accepted.message().isBlank()
            ? name + " is leaving"
            : accepted.message());
    out.flush();

    Optional<String> pending = waitUntilStopped();
    if (pending.isPresent()) {
      return timedOut(name + " still answers HTTP; transfers: " + pending.get());
    }
    out.println(
        StatusFormatter.clock(elapsed())
            + "  "
            + name
            + " (http "
            + node.address()
            + ") stopped answering");
    return confirm(name, cluster);
  }

  /**
   * Polls the node's transfers until it stops answering; empty when it did, else what is pending.
   */
  private Optional<String> waitUntilStopped() throws InterruptedException {
    String last = "not known yet";
    boolean reportedMissing = false;
    while (true) {
      try {
        NodeEndpoint.Reply reply = node.get("/admin/transfers");
        if (reply.ok()) {
          AdminViews.Transfers transfers = reply.as(AdminViews.Transfers.class);
          last = StatusFormatter.summary(transfers.summary());
          out.println(StatusFormatter.progress(elapsed(), transfers));
        } else if (reply.status() == 404) {
          last = "not available";
          if (!reportedMissing) {
            out.println(
                StatusFormatter.clock(elapsed()) + "  transfers: not available on this node");
            reportedMissing = true;
          }
        } else {
          out.println(
              StatusFormatter.clock(elapsed())
                  + "  transfers: HTTP "
                  + reply.status()
                  + " "
                  + reply.errorMessage());
        }
        out.flush();
      } catch (IOException e) {
        return Optional.empty();
      } catch (NodeEndpoint.BadAnswer e) {
        out.println(StatusFormatter.clock(elapsed()) + "  " + e.getMessage());
      }
      if (!sleepBeforeNextPoll()) {
        return Optional.of(last);
      }
    }
  }

  private int confirm(String name, AdminViews.Cluster cluster) throws InterruptedException {
    List<NodeEndpoint> candidates = candidates(name, cluster);
    if (candidates.isEmpty()) {
      out.println(
          "left (not confirmed: no other member known; pass --via HOST:HTTP_PORT to confirm)");
      return AdminCommand.OK;
    }
    String lastSeen = "no other member answered";
    NodeEndpoint confirmedBy = null;
    while (true) {
      for (NodeEndpoint other : candidates) {
        Optional<AdminViews.Cluster> view = clusterOf(other);
        if (view.isEmpty()) {
          continue;
        }
        if (confirmedBy != other) {
          out.println(
              StatusFormatter.clock(elapsed())
                  + "  confirming with "
                  + view.get().self()
                  + " (http "
                  + other.address()
                  + ")");
          confirmedBy = other;
        }
        Optional<AdminViews.Member> member =
            view.get().members().stream().filter(m -> name.equals(m.node())).findFirst();
        if (member.isEmpty() || GONE.contains(member.get().status())) {
          out.println("left");
          return AdminCommand.OK;
        }
        lastSeen = view.get().self() + " still lists " + name + " as " + member.get().status();
        break;
      }
      if (!sleepBeforeNextPoll()) {
        return timedOut(lastSeen);
      }
    }
  }

  /** The members to confirm with, in order: {@code --via}, then derived addresses of Up members. */
  private List<NodeEndpoint> candidates(String name, AdminViews.Cluster cluster)
      throws InterruptedException {
    Map<String, NodeEndpoint> result = new LinkedHashMap<>();
    options.via().map(v -> endpoint(v.host(), v.port())).ifPresent(v -> result.put(v.address(), v));
    Optional<Integer> clusterPort = portOf(name);
    if (clusterPort.isPresent()) {
      int offset = node.port() - clusterPort.get();
      List<AdminViews.Member> others = new ArrayList<>(cluster.members());
      others.sort((a, b) -> StatusFormatter.BY_NODE.compare(a.node(), b.node()));
      for (AdminViews.Member m : others) {
        Optional<Integer> port = portOf(m.node());
        if (m.node().equals(name) || !"Up".equals(m.status()) || !m.reachable() || port.isEmpty()) {
          continue;
        }
        int http = port.get() + offset;
        if (http < 1 || http > 65535) {
          continue;
        }
        NodeEndpoint candidate = endpoint(hostOf(m.node()), http);
        Optional<AdminViews.Cluster> view = clusterOf(candidate);
        if (view.isPresent() && m.node().equals(view.get().self())) {
          result.putIfAbsent(candidate.address(), candidate);
        }
      }
    }
    return List.copyOf(result.values());
  }

  private NodeEndpoint endpoint(String host, int port) {
    return node.at(host, port).withTimeout(PROBE_TIMEOUT);
  }

  private Optional<AdminViews.Cluster> clusterOf(NodeEndpoint other) throws InterruptedException {
    try {
      NodeEndpoint.Reply reply = other.get("/admin/cluster");
      return reply.ok() ? Optional.of(reply.as(AdminViews.Cluster.class)) : Optional.empty();
    } catch (IOException | NodeEndpoint.BadAnswer e) {
      return Optional.empty();
    }
  }

  private int timedOut(String pending) {
    err.println(
        "ringstore: leave timed out after "
            + options.timeout().toString().substring(2).toLowerCase(Locale.ROOT)
            + ": "
            + pending);
    return AdminCommand.FAILED;
  }

  /** Sleeps one poll interval; false when the timeout would be passed. */
  private boolean sleepBeforeNextPoll() throws InterruptedException {
    if (elapsed().plus(pollInterval).compareTo(options.timeout()) > 0) {
      return false;
    }
    Thread.sleep(pollInterval.toMillis());
    return true;
  }

  private Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  private static Optional<Integer> portOf(String node) {
    int colon = node == null ? -1 : node.lastIndexOf(':');
    try {
      return colon < 0
          ? Optional.empty()
          : Optional.of(Integer.parseInt(node.substring(colon + 1)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String hostOf(String node) {
    return node.substring(0, node.lastIndexOf(':'));
  }
}
