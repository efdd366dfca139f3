package io.ringstore.coordinator;

import io.ringstore.replica.ReplicaId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which replica coordinates one write, part of a {@link WriteCore}: the candidates not asked yet
 * (in the plan's order: reachable members first), the one asked now, those that refused while
 * catching up after a move (asked again later), and those that stayed silent and were replaced
 * (hinted once the object exists). Pure; copied, never shared, by each new core.
 */
final class WriteCandidates {
  private final Deque<ReplicaId> waiting;
  private final List<ReplicaId> syncing;
  private final Set<ReplicaId> silent;
  private ReplicaId current;

  WriteCandidates(List<ReplicaId> candidates) {
    this.waiting = new ArrayDeque<>(candidates);
    this.syncing = new ArrayList<>();
    this.silent = new HashSet<>();
  }

  private WriteCandidates(WriteCandidates from) {
    this.waiting = new ArrayDeque<>(from.waiting);
    this.syncing = new ArrayList<>(from.syncing);
    this.silent = new HashSet<>(from.silent);
    this.current = from.current;
  }

  WriteCandidates copy() {
    return new WriteCandidates(this);
  }

  /** What {@link #next} found. */
  enum Next {
    /** {@link #current()} is the replica to ask. */
    FOUND,
    /** No candidate is left. */
    NONE_LEFT,
    /** No candidate is left, and some were passed over because their node's bound was reached. */
    NONE_UNDER_BOUND
  }

  /**
   * Takes the next candidate whose node may be sent {@code bytes} more (counted as queued if so),
   * passing over the others for good.
   */
  Next next(long bytes, WriteLinks links) {
    boolean passedOver = false;
    while (true) {
      current = waiting.pollFirst();
      if (current == null) {
        return passedOver ? Next.NONE_UNDER_BOUND : Next.NONE_LEFT;
      }
      if (links.mayQueueTo(current, bytes)) {
        return Next.FOUND;
      }
      passedOver = true;
    }
  }

  /** The replica asked to coordinate now, or null. */
  ReplicaId current() {
    return current;
  }

  boolean anyWaiting() {
    return !waiting.isEmpty();
  }

  /** No other replica is asked to coordinate (one has applied the write). */
  void clearWaiting() {
    waiting.clear();
  }

  /** The current replica refused while catching up: to be asked again. */
  void currentSyncing() {
    syncing.add(current);
  }

  boolean anySyncing() {
    return !syncing.isEmpty();
  }

  /** Those that refused while catching up become candidates again. */
  void retrySyncing() {
    waiting.addAll(syncing);
    syncing.clear();
  }

  /** The current replica stayed silent and is replaced: it is owed a hint. */
  void currentSilent() {
    silent.add(current);
  }

  Set<ReplicaId> silent() {
    return silent;
  }
}
