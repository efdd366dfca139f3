package io.ringstore.cluster;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Members that are leaving with their data (POST /admin/leave): the leaving node announces itself to
 * every data node every few seconds, and each node keeps it out of its {@link RingView}'s ring while
 * the announcements keep coming, so sharding moves the node's replicas away before it leaves the
 * cluster. An announcement expires: a leaving node that crashed comes back into the ring on its own.
 */
public final class DrainingMembers {
  private final long ttlMillis;
  private final Map<String, Long> lastHeard = new ConcurrentHashMap<>();

  public DrainingMembers(long ttlMillis) {
    this.ttlMillis = ttlMillis;
  }

  /** {@code node} announced at {@code nowMillis} that it is leaving. */
  public void announced(String node, long nowMillis) {
    lastHeard.put(node, nowMillis);
  }

  /** The members whose announcement is still fresh at {@code nowMillis}. */
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
