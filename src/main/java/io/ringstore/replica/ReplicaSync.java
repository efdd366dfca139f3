package io.ringstore.replica;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;

/**
 * How a replica entity that starts on a node catches up before it counts toward R (DESIGN invariant
 * 2): a factory of the transfer actor that the entity runs as its child. The transfer ends by
 * telling the entity {@link ReplicaEntity.SyncCompleted}. Supplied by the node (the transfer lives
 * in {@code io.ringstore.transfer}, which uses this package and anti-entropy), so this package does
 * not depend on it.
 */
@FunctionalInterface
public interface ReplicaSync {
  /** Nothing to catch up: the entity serves at once (tests of the data path alone). */
  ReplicaSync NONE = (id, entity) -> null;

  /** The transfer behavior for entity {@code id}, or null when it has nobody to catch up with. */
  Behavior<?> transfer(ReplicaId id, ActorRef<ReplicaEntity.Command> entity);
}
