package io.ringstore.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The pure core of the {@link HealthMonitor} (no I/O, no clock): rounds of observations of the
 * nodes, one round per poll, become fault windows.
 *
 * <ul>
 *   <li>an <b>observed window</b> opens at the first round in which a node does not answer {@code
 *       /health/ready}, answers it not ready, or is seen unreachable by another node, and closes at
 *       the first round after it in which every node answered ready and none saw a member
 *       unreachable. Its name lists what was seen, per node, each problem once with its details,
 *       e.g. {@code "127.0.0.1:8082 not answering (connection-refused, timeout), not ready (503),
 *       unreachable"} (a member seen unreachable is named by its HTTP endpoint once a node has
 *       reported its cluster address as its own, by its cluster address before);
 *   <li>a <b>node-down window</b> per node, from the first round in which that node did not answer
 *       ready to the next round in which it did: the operations sent to it then were not sent to an
 *       up node.
 * </ul>
 *
 * The precision is the poll interval: a fault that starts and ends between two rounds is not seen.
 * Not thread-safe: the monitor's one thread feeds it, and reads it after it stopped.
 */
final class FaultWindowTracker {

  /** What a node's answer to a poll was. */
  enum Status {
    READY,
    NOT_READY,
    NO_ANSWER
  }

  /**
   * One node's answer to one poll.
   *
   * @param node the node polled ({@code host:port}, its HTTP endpoint)
   * @param status ready (200), not ready (any other status), or no answer (refused, timed out)
   * @param detail the status code, or the failure (e.g. {@code "timeout"}); null for ready
   * @param self the cluster address the node reported as its own; null when not known
   * @param unreachable the members (cluster addresses) the node sees unreachable; empty when not
   *     known
   */
  record Observation(
      String node, Status status, String detail, String self, List<String> unreachable) {
    Observation {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(status, "status");
      unreachable = List.copyOf(unreachable);
    }

    static Observation ready(String node, String self, List<String> unreachable) {
      return new Observation(node, Status.READY, null, self, unreachable);
    }

    static Observation notReady(String node, String detail) {
      return new Observation(node, Status.NOT_READY, detail, null, List.of());
    }

    static Observation noAnswer(String node, String detail) {
      return new Observation(node, Status.NO_ANSWER, detail, null, List.of());
    }
  }

  private final Map<String, String> endpointByAddress = new HashMap<>();
  private final List<FaultWindow> windows = new ArrayList<>();
  private final List<FaultWindow> nodesDown = new ArrayList<>();
  private final Map<String, Long> downSince = new LinkedHashMap<>();

  /**
   * What the open window has seen so far: per node, each problem ("not answering", "not ready",
   * "unreachable") with its details (failures, status codes); null when no window is open.
   */
  private Map<String, Map<String, Set<String>>> seen;

  private long openedAt;
  private long last = Long.MIN_VALUE;
  private boolean finished;

  /**
   * A round of polls sent at {@code nanos} (rounds in time order), one observation per node polled.
   */
  void observe(long nanos, List<Observation> round) {
    if (finished) {
      throw new IllegalStateException("the tracker has finished");
    }
    if (nanos < last) {
      throw new IllegalArgumentException("rounds go forward in time: " + nanos + " < " + last);
    }
    last = nanos;
    for (Observation o : round) {
      if (o.self() != null) {
        endpointByAddress.put(o.self(), o.node());
      }
    }
    Map<String, Map<String, Set<String>>> problems = new LinkedHashMap<>();
    for (Observation o : round) {
      switch (o.status()) {
        case READY -> {
          Long since = downSince.remove(o.node());
          if (since != null) {
            nodesDown.add(new FaultWindow(o.node() + " down or not ready", o.node(), since, nanos));
          }
        }
        case NOT_READY -> {
          downSince.putIfAbsent(o.node(), nanos);
          problem(problems, o.node(), "not ready", o.detail());
        }
        case NO_ANSWER -> {
          downSince.putIfAbsent(o.node(), nanos);
          problem(problems, o.node(), "not answering", o.detail());
        }
      }
      for (String member : o.unreachable()) {
        problem(problems, endpointByAddress.getOrDefault(member, member), "unreachable", null);
      }
    }
    if (!problems.isEmpty()) {
      if (seen == null) {
        seen = new LinkedHashMap<>();
        openedAt = nanos;
      }
      problems.forEach(
          (node, what) ->
              what.forEach(
                  (problem, details) ->
                      seen.computeIfAbsent(node, n -> new LinkedHashMap<>())
                          .computeIfAbsent(problem, p -> new LinkedHashSet<>())
                          .addAll(details)));
    } else if (seen != null) {
      close(nanos);
    }
  }

  /** The monitor stopped at {@code nanos}: every open window closes then. Idempotent. */
  void finish(long nanos) {
    if (finished) {
      return;
    }
    finished = true;
    long end = Math.max(nanos, last == Long.MIN_VALUE ? nanos : last);
    if (seen != null) {
      close(end);
    }
    downSince.forEach(
        (node, since) ->
            nodesDown.add(new FaultWindow(node + " down or not ready", node, since, end)));
    downSince.clear();
  }

  /** The observed windows closed so far, in time order. */
  List<FaultWindow> windows() {
    return List.copyOf(windows);
  }

  /** The node-down windows closed so far, in the order they closed. */
  List<FaultWindow> nodesDown() {
    return List.copyOf(nodesDown);
  }

  /** Whether an observed window is open now (some node was not healthy at the last round). */
  boolean faultOpen() {
    return seen != null;
  }

  private void close(long nanos) {
    String name =
        seen.entrySet().stream()
            .map(
                node ->
                    node.getKey()
                        + " "
                        + node.getValue().entrySet().stream()
                            .map(
                                p ->
                                    p.getKey()
                                        + (p.getValue().isEmpty()
                                            ? ""
                                            : " (" + String.join(", ", p.getValue()) + ")"))
                            .collect(Collectors.joining(", ")))
            .collect(Collectors.joining("; "));
    windows.add(new FaultWindow(name, openedAt, nanos));
    seen = null;
  }

  private static void problem(
      Map<String, Map<String, Set<String>>> problems, String node, String problem, String detail) {
    Set<String> details =
        problems
            .computeIfAbsent(node, n -> new LinkedHashMap<>())
            .computeIfAbsent(problem, p -> new LinkedHashSet<>());
    if (detail != null && !detail.isBlank()) {
      details.add(detail);
    }
  }
}
