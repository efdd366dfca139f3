package io.ringstore.coordinator;

import io.ringstore.storage.Sibling;
import io.ringstore.version.DvvSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which replicas a read must repair: those that answered with no object or with one the merged
 * object strictly supersedes. Replicas that did not answer are left to anti-entropy. Pure.
 */
public final class ReadRepairPlan {
  private ReadRepairPlan() {}

  public static List<String> staleReplicas(
      DvvSet<Sibling> merged, Map<String, Optional<DvvSet<Sibling>>> replies) {
    if (merged.isEmpty()) {
      return List.of();
    }
    return replies.entrySet().stream()
        .filter(e -> e.getValue().isEmpty() || !e.getValue().get().equalClocks(merged))
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }
}
