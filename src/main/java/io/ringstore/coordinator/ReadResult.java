package io.ringstore.coordinator;

import io.ringstore.CborSerializable;
import io.ringstore.storage.Sibling;
import java.util.List;

/** The outcome of a read: mapped to an HTTP status in one place ({@code http.KvRoutes}). */
public sealed interface ReadResult extends CborSerializable
    permits ReadResult.Found, ReadResult.NotFound, Outcome.Unavailable, Outcome.Rejected {

  /**
   * The key's live values (one, or several concurrent siblings) and the causal context covering
   * them, to hand back on the next write; {@code replicas} are the nodes that answered.
   */
  record Found(List<Sibling> values, String context, List<String> replicas) implements ReadResult {
    public Found {
      values = List.copyOf(values);
      replicas = List.copyOf(replicas);
    }

    public boolean hasSiblings() {
      return values.size() > 1;
    }
  }

  /** No live value; {@code context} (nullable) covers a known tombstone. */
  record NotFound(String context, List<String> replicas) implements ReadResult {
    public NotFound {
      replicas = List.copyOf(replicas);
    }
  }
}
