package io.ringstore.coordinator;

import io.ringstore.CborSerializable;
import java.util.List;

/** The outcome of a write or delete: mapped to an HTTP status in one place ({@code http.KvRoutes}). */
public sealed interface WriteResult extends CborSerializable
    permits WriteResult.Written, Outcome.Unavailable, Outcome.Rejected {

  /** W replicas (the nodes in {@code replicas}) stored the write; {@code context} covers it. */
  record Written(String context, List<String> replicas) implements WriteResult {
    public Written {
      replicas = List.copyOf(replicas);
    }
  }
}
