package io.ringstore.coordinator;

import io.ringstore.CborSerializable;
import java.util.List;

/**
 * The outcome of a write or delete: mapped to an HTTP status in one place ({@code http.KvRoutes}).
 */
public sealed interface WriteResult extends CborSerializable
    permits WriteResult.Written, Outcome.Unavailable, Outcome.Rejected {

  /**
   * The write reached W: {@code replicas} are the nodes whose replica stored it, {@code hints} the
   * fallback members that persisted a hint for a replica that did not ack in time (as {@code "node
   * for p:r"}), {@code sloppy} whether those hints counted toward W. {@code context} covers the
   * write.
   */
  record Written(String context, List<String> replicas, List<String> hints, boolean sloppy)
      implements WriteResult {
    public Written {
      replicas = List.copyOf(replicas);
      hints = List.copyOf(hints);
    }

    public Written(String context, List<String> replicas) {
      this(context, replicas, List.of(), false);
    }
  }
}
