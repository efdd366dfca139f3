package io.ringstore.version;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable version vector: a map from actor id to a counter (always {@code >= 1}), sorted by
 * actor id ({@link String#compareTo natural String order}). Actors that are absent have the
 * implicit counter 0.
 *
 * <p>Role: this is the causal context a client receives with a read ({@link DvvSet#join()}) and
 * sends back with its next write ({@link DvvSet#of(VersionVector, Object)}). Because a write only
 * discards the values its context covers, this type is part of how the store upholds DESIGN
 * invariant 3: concurrent writes are never silently dropped; they become siblings until a write
 * whose context covers them resolves them.
 *
 * <p>Actor ids must be non-empty, well-formed UTF-16 strings (no unpaired surrogates), so that they
 * round-trip through UTF-8 codecs exactly.
 */
public final class VersionVector {

  private static final VersionVector EMPTY = new VersionVector(new TreeMap<>());

  private final SortedMap<String, Long> entries;

  @SuppressWarnings("NonApiType") // private: a fresh TreeMap (natural key order) it takes over
  private VersionVector(TreeMap<String, Long> owned) {
    this.entries = Collections.unmodifiableSortedMap(owned);
  }

  /** The empty version vector (no history). */
  public static VersionVector empty() {
    return EMPTY;
  }

  /**
   * A version vector with the given entries.
   *
   * @throws IllegalArgumentException if an actor id is invalid or a counter is {@code < 1}
   * @throws NullPointerException if the map, a key or a value is null
   */
  public static VersionVector of(Map<String, Long> counters) {
    Objects.requireNonNull(counters, "counters");
    if (counters.isEmpty()) {
      return EMPTY;
    }
    TreeMap<String, Long> copy = new TreeMap<>();
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      String actor = requireValidActor(e.getKey());
      Long counter = Objects.requireNonNull(e.getValue(), () -> "counter of actor " + actor);
      if (counter < 1) {
        throw new IllegalArgumentException(
            "counter of actor '" + actor + "' must be >= 1 but was " + counter);
      }
      copy.put(actor, counter);
    }
    return new VersionVector(copy);
  }

  /** The counter of {@code actor}, or 0 if the actor is absent. */
  public long get(String actor) {
    Long c = entries.get(actor);
    return c == null ? 0L : c;
  }

  /** All entries, sorted by actor id; unmodifiable. */
  public SortedMap<String, Long> entries() {
    return entries;
  }

  /** Number of actors with a non-zero counter. */
  public int size() {
    return entries.size();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** True iff {@code this >= other} pointwise (every event in {@code other} is known here). */
  public boolean descends(VersionVector other) {
    Objects.requireNonNull(other, "other");
    if (other.entries.size() > entries.size()) {
      return false;
    }
    for (Map.Entry<String, Long> e : other.entries.entrySet()) {
      if (get(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Pointwise maximum of both vectors (the least upper bound). */
  @SuppressWarnings("ReferenceEquality") // the same instance: a shortcut, not a value test
  public VersionVector merge(VersionVector other) {
    Objects.requireNonNull(other, "other");
    if (other.entries.isEmpty() || this == other) {
      return this;
    }
    if (entries.isEmpty()) {
      return other;
    }
    TreeMap<String, Long> copy = new TreeMap<>(entries);
    for (Map.Entry<String, Long> e : other.entries.entrySet()) {
      copy.merge(e.getKey(), e.getValue(), Math::max);
    }
    return new VersionVector(copy);
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof VersionVector vv && entries.equals(vv.entries));
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "VersionVector" + entries;
  }

  /**
   * Checks that {@code actor} is a usable actor id: non-null, non-empty and well-formed UTF-16.
   *
   * @return {@code actor}
   */
  static String requireValidActor(String actor) {
    Objects.requireNonNull(actor, "actor id");
    if (actor.isEmpty()) {
      throw new IllegalArgumentException("actor id must not be empty");
    }
    for (int i = 0, n = actor.length(); i < n; i++) {
      char c = actor.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(actor.charAt(i + 1))) {
          i++;
          continue;
        }
        throw new IllegalArgumentException("actor id has an unpaired surrogate at index " + i);
      }
      if (Character.isLowSurrogate(c)) {
        throw new IllegalArgumentException("actor id has an unpaired surrogate at index " + i);
      }
    }
    return actor;
  }
}
