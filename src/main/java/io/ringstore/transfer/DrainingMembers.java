package io.ringstore.transfer;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Members that are leaving with their data (POST /admin/leave): the leaving node announces itself
 * to every data node every few seconds, and each node keeps it out of its ring ({@link
 * io.ringstore.cluster.RingView}) while the announcements keep coming, so sharding moves the node's
 * replicas away before it leaves the cluster. An announcement expires: a leaving node that crashed
 * comes back into the ring on its own.
 *
 * <p>The TTL is measured per receiver: an announcement carries no time, each node notes when it
 * received it on its own monotonic clock and compares only with later readings of that clock, so no
 * two nodes' clocks need to agree (issue 10, item 5), and a step of the wall clock neither ends nor
 * extends a drain.
 */
public final class DrainingMembers {
  private final long ttlMillis;
  private final LongSupplier clockMillis;
  private final Map<String, Long> lastHeard = new ConcurrentHashMap<>();

  /** On this node's monotonic clock. */
  public DrainingMembers(long ttlMillis) {
    this(ttlMillis, () -> System.nanoTime() / 1_000_000);
  }

  /** On {@code clockMillis}, a monotonic clock of this node in millis (any origin). */
  public DrainingMembers(long ttlMillis, LongSupplier clockMillis) {
    this.ttlMillis = ttlMillis;
    this.clockMillis = clockMillis;
  }

  /** {@code node} announced that it is leaving; the announcement just reached this node. */
  public void announced(String node) {
    announced(node, clockMillis.getAsLong());
  }

  /** The members whose announcement is still fresh now. */
  public Set<String> draining() {
    return draining(clockMillis.getAsLong());
  }

  /**
   * {@code node}'s announcement reached this node at {@code nowMillis}, a reading of the clock that
   * {@link #draining(long)} is given (never a time from another node).
   */
  public void announced(String node, long nowMillis) {
    lastHeard.put(node, nowMillis);
  }

  /** The members whose announcement is still fresh at {@code nowMillis} (same clock as above). */
  public Set<String> draining(long nowMillis) {
    if (lastHeard.isEmpty()) {
      return Set.of(); // the usual case, on every ring lookup
    }
    lastHeard.values().removeIf(t -> nowMillis - t > ttlMillis * 10);
    return lastHeard.entrySet().stream()
        .filter(e -> nowMillis - e.getValue() <= ttlMillis)
        .map(Map.Entry::getKey)
        .collect(Collectors.toUnmodifiableSet());
  }
}
