package io.ringstore.coordinator;

import io.ringstore.replica.ReplicaId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The hints one write owes, part of a {@link WriteCore}: which holder was asked to keep which
 * replica's hint, which stored it, which refused (never offered again), and which holder the next
 * one goes to. A holder is a fallback member this write has not used yet (so a sloppy write's hints
 * count on distinct members), else one it already used (a member may hold several replicas' hints,
 * counted once toward W), else this node itself, as Cassandra's coordinators keep hints: with four
 * members and N = 3 there is a single fallback, and a live replica slow to ack must not take it
 * from a paused one. Pure; copied, never shared, by each new core.
 */
final class WriteHints {
  private final List<String> fallbacks;
  private final Optional<String> selfNode;
  private final Map<ReplicaId, String> pending;
  private final Map<ReplicaId, String> stored;
  private final Set<String> used;
  private final Set<ReplicaId> refused;

  WriteHints(List<String> fallbacks, Optional<String> selfNode) {
    this.fallbacks = List.copyOf(fallbacks);
    this.selfNode = selfNode;
    this.pending = new HashMap<>();
    this.stored = new LinkedHashMap<>();
    this.used = new HashSet<>();
    this.refused = new HashSet<>();
  }

  private WriteHints(WriteHints from) {
    this.fallbacks = from.fallbacks;
    this.selfNode = from.selfNode;
    this.pending = new HashMap<>(from.pending);
    this.stored = new LinkedHashMap<>(from.stored);
    this.used = new HashSet<>(from.used);
    this.refused = new HashSet<>(from.refused);
  }

  WriteHints copy() {
    return new WriteHints(this);
  }

  /** Whether {@code target} has no hint on its way, stored or refused. */
  boolean unasked(ReplicaId target) {
    return !pending.containsKey(target) && !stored.containsKey(target) && !refused.contains(target);
  }

  /**
   * The holder for the next hint of {@code bytes}: the first fallback in ring order that {@code
   * links} lets hold it, among those not used yet, then among those used; else this node.
   */
  Optional<String> holder(long bytes, WriteLinks links) {
    return firstFallback(false, bytes, links)
        .or(() -> firstFallback(true, bytes, links))
        .or(() -> selfNode);
  }

  private Optional<String> firstFallback(boolean wasUsed, long bytes, WriteLinks links) {
    for (String fallback : fallbacks) {
      if (used.contains(fallback) == wasUsed && links.mayHoldHint(fallback, bytes)) {
        return Optional.of(fallback);
      }
    }
    return Optional.empty();
  }

  /** {@code holder} was asked to keep the hint of {@code target}. */
  void asked(ReplicaId target, String holder) {
    used.add(holder);
    pending.put(target, holder);
  }

  /** Whether a holder's answer about {@code target} is awaited. */
  boolean awaits(ReplicaId target) {
    return pending.containsKey(target);
  }

  /**
   * The holder of {@code target}'s hint answered: returns it. When it stored the hint it holds it;
   * when it refused, the hint is not offered again.
   */
  String answered(ReplicaId target, boolean accepted) {
    String holder = pending.remove(target);
    if (accepted) {
      stored.put(target, holder);
    } else {
      refused.add(target);
    }
    return holder;
  }

  /** Whether {@code holder} is one of the partition's fallback members (this node is not). */
  boolean isFallback(String holder) {
    return fallbacks.contains(holder);
  }

  boolean storedFor(ReplicaId target) {
    return stored.containsKey(target);
  }

  int pendingCount() {
    return pending.size();
  }

  /** The stored hints, in the order they were stored, as {@code "holder for p:r"}. */
  List<String> describe() {
    List<String> list = new ArrayList<>();
    stored.forEach((target, holder) -> list.add(holder + " for " + target.id()));
    return list;
  }
}
