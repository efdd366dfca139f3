package io.ringstore.check;

import java.util.Objects;

/**
 * A time window during which a fault was active (a killed, paused or partitioned node), on the
 * checker's monotonic clock: operations that overlap it count toward availability during faults. A
 * window is either marked by whoever caused the fault (a test's or {@link Nemesis}'s action) or
 * observed by the {@link HealthMonitor}.
 *
 * @param name what the fault was, e.g. {@code "kill node-2"}
 * @param node the node ({@code host:port}, the HTTP endpoint requests go to) that the fault took
 *     down or paused, when it was one node; null otherwise. Requests sent to that node during the
 *     window are not requests to an up node
 * @param startNanos when the fault began
 * @param endNanos when it ended
 */
public record FaultWindow(String name, String node, long startNanos, long endNanos) {
  public FaultWindow {
    Objects.requireNonNull(name, "name");
    if (endNanos < startNanos) {
      throw new IllegalArgumentException("fault '" + name + "' ends before it starts");
    }
  }

  /** A window that did not take down one particular node (or whose node is not known). */
  public FaultWindow(String name, long startNanos, long endNanos) {
    this(name, null, startNanos, endNanos);
  }

  boolean overlaps(Op op) {
    return op.overlaps(startNanos, endNanos);
  }

  /** Whether {@code op} was sent to this window's node while the window was open. */
  boolean downAt(Op op) {
    return node != null && node.equals(op.node()) && overlaps(op);
  }
}
