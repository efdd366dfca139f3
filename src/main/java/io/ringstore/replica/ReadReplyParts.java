package io.ringstore.replica;

import io.ringstore.storage.ObjectParts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Joins the parts of {@link ReplicaEntity.ReadReply}s: a replica answers a read of an object larger
 * than one message carries with several replies ({@link ObjectParts}), sent one after another on
 * the same lane, so they arrive in order. A receiver hands every reply to {@link #accept} and uses
 * only what it returns: a whole reply as it is, or the joined object once the last part is in.
 * Parts of a reply whose earlier parts were lost (a new first part, or one out of order) are
 * dropped: that answer never completes, as a lost message never arrives, and the receiver's timeout
 * covers it. Holds at most the parts of one answer per replica and key. Not thread-safe: one per
 * actor.
 */
public final class ReadReplyParts {
  private final Map<String, List<byte[]>> pending = new HashMap<>();

  /** The reply to use now, or empty while parts of it are still to come. */
  public Optional<ReplicaEntity.ReadReply> accept(ReplicaEntity.ReadReply reply) {
    String from = reply.replica() + '\n' + reply.node() + '\n' + reply.key();
    if (reply.parts() <= 1 || !reply.ok() || reply.object() == null) {
      pending.remove(from);
      return Optional.of(reply);
    }
    List<byte[]> parts = reply.part() == 0 ? new ArrayList<>() : pending.get(from);
    if (parts == null || parts.size() != reply.part()) {
      pending.remove(from);
      return Optional.empty();
    }
    parts.add(reply.object());
    if (parts.size() < reply.parts()) {
      pending.put(from, parts);
      return Optional.empty();
    }
    pending.remove(from);
    return Optional.of(
        new ReplicaEntity.ReadReply(
            reply.replica(),
            reply.node(),
            ObjectParts.join(parts),
            null,
            reply.key(),
            reply.syncing()));
  }

  /** Answers still missing parts. */
  public int incomplete() {
    return pending.size();
  }
}
