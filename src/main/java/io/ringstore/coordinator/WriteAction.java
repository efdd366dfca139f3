package io.ringstore.coordinator;

import io.ringstore.replica.ReplicaId;
import java.time.Duration;

/**
 * What a {@link WriteCore} asks its {@link WriteCoordinator} to do after an event, in order: send
 * to a replica or a hint holder, answer the client, arm or cancel a timer, log. Pure data.
 */
public sealed interface WriteAction {

  /** Ask {@code replica} to apply the write ({@code applyWithinMillis}: 0, or its budget). */
  record Coordinate(ReplicaId replica, long applyWithinMillis) implements WriteAction {}

  /** Send the coordinated object to {@code replica}. */
  record Replicate(ReplicaId replica) implements WriteAction {}

  /** Ask the hint manager on {@code holder} to keep the coordinated object for {@code target}. */
  record StoreHint(ReplicaId target, String holder) implements WriteAction {}

  /** Tell {@code replica} that every replica acked this delete's tombstone. */
  record MarkTombstone(ReplicaId replica) implements WriteAction {}

  /** Answer the client (once per write). */
  record Answer(WriteResult result) implements WriteAction {}

  /** (Re)arm the request timeout. */
  record ArmTimeout(Duration after) implements WriteAction {}

  /** (Re)arm the replica-ack timeout. */
  record ArmAckTimer(Duration after) implements WriteAction {}

  /** Cancel the replica-ack timeout. */
  enum CancelAckTimer implements WriteAction {
    INSTANCE
  }

  /** Ask the replicas that refused while catching up again after {@code after}. */
  record ArmRetry(Duration after) implements WriteAction {}

  /** A line for the coordinator's log, at warn level when {@code warn}, else info. */
  record Log(boolean warn, String text) implements WriteAction {}
}
