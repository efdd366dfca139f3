package io.ringstore.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keeps a ring member's place for a short grace period while it is being replaced by a new
 * incarnation of itself (a node restarted on its data directory, same {@code host:port}): Pekko
 * downs and removes the old incarnation when the new one asks to join, and the new one is Up a few
 * seconds later. Without the grace the ring would shrink to the other members for those seconds,
 * every partition's replica set would change twice, and replicas would be re-created elsewhere and
 * moved back while requests need them. During the grace the member counts as a ring member that is
 * not available (like an unreachable one): coordinators use the other replicas and hint it.
 *
 * <p>Only a member that left the ring because it was downed, removed or is joining again (not one
 * that is leaving or draining) gets the grace; it ends when the member is Up again or after {@code
 * graceMillis}. Pure: fed the previous ring and the membership, with the time passed in.
 */
public final class RejoiningMembers {
  private final long graceMillis;

  /** Members kept in the ring, with when they left it. */
  private final Map<String, Long> leftAt = new HashMap<>();

  public RejoiningMembers(long graceMillis) {
    this.graceMillis = graceMillis;
  }

  /**
   * The members to keep in the ring at {@code nowMillis} besides the {@code up} ones: {@code
   * previousRing} members that are not Up now but {@code replaced} (downed, removed or joining
   * again), within the grace.
   *
   * @param previousRing the ring's members as last computed
   * @param up the Up data members now
   * @param replaced the members of {@code previousRing} that are now Down, Joining or WeaklyUp, or
   *     no longer members at all
   */
  public synchronized Set<String> kept(
      Set<String> previousRing, Set<String> up, Set<String> replaced, long nowMillis) {
    // an entry stays until the member is Up again or stops being replaced, so that a grace that
    // ended is not started again by the next ring computation
    leftAt.keySet().removeIf(m -> up.contains(m) || !replaced.contains(m));
    for (String member : previousRing) {
      if (!up.contains(member) && replaced.contains(member)) {
        leftAt.putIfAbsent(member, nowMillis);
      }
    }
    Set<String> kept = new TreeSet<>();
    leftAt.forEach(
        (member, at) -> {
          if (nowMillis - at < graceMillis) {
            kept.add(member);
          }
        });
    return Set.copyOf(kept);
  }

  /** When the next grace ends after {@code nowMillis} (epoch millis), or {@code Long.MAX_VALUE}. */
  public synchronized long nextExpiry(long nowMillis) {
    return leftAt.values().stream()
        .mapToLong(at -> at + graceMillis)
        .filter(end -> end > nowMillis)
        .min()
        .orElse(Long.MAX_VALUE);
  }
}
