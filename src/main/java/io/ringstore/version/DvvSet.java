package io.ringstore.version;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * An immutable Dotted Version Vector Set: the sibling values of one key together with their compact
 * causal history, with exactly the semantics of Riak 2.x {@code dvvset.erl} (Ricardo Gonçalves and
 * Paulo Sérgio Almeida).
 *
 * <p>Structure: a list of {@link Entry entries} sorted by actor id, each holding a counter {@code
 * n} (the actor's events {@code 1..n} are in the causal history) and the values of that actor's
 * most recent dots, newest first (value {@code i} of the list belongs to dot {@code n - i}); plus
 * <em>anonymous</em> values, which have no dot yet (a client write built with {@link #of}).
 *
 * <p>Role: each replica keeps one {@code DvvSet} per key. A client write is applied with {@link
 * #update(DvvSet, String)}, replicas reconcile with {@link #sync(DvvSet)}, and clients receive
 * {@link #join()} as their causal context. This upholds DESIGN invariant 3: concurrent writes are
 * never silently dropped; they become siblings until a write whose context covers them resolves
 * them.
 *
 * <p>Values are compared with {@link Object#equals}; they must not be null. Equality of two {@code
 * DvvSet}s compares the entries exactly and the anonymous values as a multiset (Riak's {@code sync}
 * keeps anonymous values as a set, in no defined order).
 *
 * @param <V> the value type
 */
public final class DvvSet<V> {

  /**
   * One actor's part of a {@link DvvSet}: the actor id, its counter, and the values of its most
   * recent dots, newest first. Invariants (checked): valid actor id, {@code counter >= 1}, {@code
   * counter >= values.size()}, no null values.
   *
   * @param <V> the value type
   */
  public record Entry<V>(String actor, long counter, List<V> values) {
    public Entry {
      VersionVector.requireValidActor(actor);
      Objects.requireNonNull(values, "values");
      values = List.copyOf(values); // also rejects null values
      if (counter < 1) {
        throw new IllegalArgumentException(
            "counter of actor '" + actor + "' must be >= 1 but was " + counter);
      }
      if (counter < values.size()) {
        throw new IllegalArgumentException(
            "counter of actor '"
                + actor
                + "' is "
                + counter
                + " but it holds "
                + values.size()
                + " values");
      }
    }

    @Override
    public String toString() {
      return "(" + actor + "," + counter + "," + values + ")";
    }
  }

  private static final DvvSet<?> EMPTY = new DvvSet<>(List.of(), List.of());

  private final List<Entry<V>> entries;
  private final List<V> anonymous;

  /** Trusted constructor: lists must be immutable and valid. */
  private DvvSet(List<Entry<V>> entries, List<V> anonymous) {
    this.entries = entries;
    this.anonymous = anonymous;
  }

  // ------------------------------------------------------------------ construction

  /** The empty clock: no history, no values. */
  @SuppressWarnings("unchecked")
  public static <V> DvvSet<V> empty() {
    return (DvvSet<V>) EMPTY;
  }

  /** Riak {@code new/1}: a single anonymous value without causal context (a blind write). */
  public static <V> DvvSet<V> of(V value) {
    return new DvvSet<>(List.of(), List.of(Objects.requireNonNull(value, "value")));
  }

  /**
   * Riak {@code new/2}: a single anonymous value written with the causal context {@code context}
   * (which should be the {@link #join()} of what the client read).
   */
  public static <V> DvvSet<V> of(VersionVector context, V value) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(value, "value");
    List<Entry<V>> es = new ArrayList<>(context.size());
    for (Map.Entry<String, Long> e : context.entries().entrySet()) {
      es.add(new Entry<>(e.getKey(), e.getValue(), List.of()));
    }
    return new DvvSet<>(List.copyOf(es), List.of(value));
  }

  /**
   * Rebuilds a clock from its parts (for codecs).
   *
   * @throws IllegalArgumentException if the actors are not strictly increasing (sorted, unique) or
   *     an entry is invalid
   * @throws NullPointerException if a list or an element is null
   */
  public static <V> DvvSet<V> fromParts(List<Entry<V>> entries, List<V> anonymous) {
    List<Entry<V>> es = List.copyOf(Objects.requireNonNull(entries, "entries"));
    List<V> anon = List.copyOf(Objects.requireNonNull(anonymous, "anonymous"));
    for (int i = 1; i < es.size(); i++) {
      String prev = es.get(i - 1).actor();
      String cur = es.get(i).actor();
      int cmp = prev.compareTo(cur);
      if (cmp == 0) {
        throw new IllegalArgumentException("duplicate actor '" + cur + "' in entries");
      }
      if (cmp > 0) {
        throw new IllegalArgumentException(
            "entries not sorted by actor: '" + prev + "' before '" + cur + "'");
      }
    }
    if (es.isEmpty() && anon.isEmpty()) {
      return empty();
    }
    return new DvvSet<>(es, anon);
  }

  // ------------------------------------------------------------------ accessors

  /** The entries, sorted by actor id; unmodifiable. */
  public List<Entry<V>> entries() {
    return entries;
  }

  /** The anonymous values (values without a dot); unmodifiable. */
  public List<V> anonymous() {
    return anonymous;
  }

  /**
   * Riak {@code values/1}: all sibling values, anonymous ones first, then per entry newest first.
   */
  public List<V> values() {
    if (entries.isEmpty()) {
      return anonymous;
    }
    List<V> out = new ArrayList<>(size());
    out.addAll(anonymous);
    for (Entry<V> e : entries) {
      out.addAll(e.values());
    }
    return Collections.unmodifiableList(out);
  }

  /** Riak {@code size/1}: the number of sibling values. */
  public int size() {
    int n = anonymous.size();
    for (Entry<V> e : entries) {
      n += e.values().size();
    }
    return n;
  }

  /** True iff this clock has neither causal history nor values (it equals {@link #empty()}). */
  public boolean isEmpty() {
    return entries.isEmpty() && anonymous.isEmpty();
  }

  /** Riak {@code join/1}: the causal history as a version vector (the client's context). */
  public VersionVector join() {
    if (entries.isEmpty()) {
      return VersionVector.empty();
    }
    Map<String, Long> m = new HashMap<>(entries.size() * 2);
    for (Entry<V> e : entries) {
      m.put(e.actor(), e.counter());
    }
    return VersionVector.of(m);
  }

  // ------------------------------------------------------------------ operations

  /**
   * Riak {@code update(incoming, this, actorId)}: applies a client write at this replica.
   *
   * <p>{@code this} is the replica's current clock, {@code incoming} the client's write built with
   * {@link #of(Object)} or {@link #of(VersionVector, Object)} (exactly one anonymous value). Both
   * histories are synced (without the new value), which discards every value covered by the
   * client's context while keeping concurrent ones as siblings; then the new value gets the next
   * dot of {@code actorId}. {@code DvvSet.empty().update(incoming, id)} is Riak's {@code update/2}.
   *
   * @throws IllegalArgumentException if {@code incoming} does not hold exactly one anonymous value
   *     or {@code actorId} is invalid
   */
  public DvvSet<V> update(DvvSet<V> incoming, String actorId) {
    Objects.requireNonNull(incoming, "incoming");
    VersionVector.requireValidActor(actorId);
    if (incoming.anonymous.size() != 1) {
      throw new IllegalArgumentException(
          "incoming clock must hold exactly one anonymous value"
              + " (build it with DvvSet.of), but holds "
              + incoming.anonymous.size());
    }
    V value = incoming.anonymous.get(0);
    DvvSet<V> synced = new DvvSet<V>(incoming.entries, List.of()).sync(this);
    return new DvvSet<>(event(synced.entries, actorId, value), synced.anonymous);
  }

  /**
   * Riak {@code sync/2}: merges two replicas' clocks, discarding causally outdated values and
   * keeping concurrent ones. Commutative, associative and idempotent for clocks produced by {@link
   * #update} (server clocks). For anonymous values it follows Riak exactly: if one clock is
   * strictly older ({@link #lessThan}) the other's anonymous values are kept, otherwise the union.
   */
  @SuppressWarnings("ReferenceEquality") // the same instance: a shortcut, not a value test
  public DvvSet<V> sync(DvvSet<V> other) {
    Objects.requireNonNull(other, "other");
    if (this == other && !hasDuplicates(anonymous)) {
      return this;
    }
    List<V> anon;
    if (this.lessThan(other)) {
      anon = other.anonymous;
    } else if (other.lessThan(this)) {
      anon = this.anonymous;
    } else if (this.anonymous.isEmpty() && other.anonymous.isEmpty()) {
      anon = List.of();
    } else {
      LinkedHashSet<V> union = new LinkedHashSet<>(this.anonymous);
      union.addAll(other.anonymous);
      anon = List.copyOf(union);
    }
    List<Entry<V>> merged = syncEntries(this.entries, other.entries);
    if (merged.isEmpty() && anon.isEmpty()) {
      return empty();
    }
    return new DvvSet<>(merged, anon);
  }

  /**
   * Riak {@code less/2}: true iff this clock's causal history is strictly older than {@code
   * other}'s (its values are outdated). Values are ignored.
   */
  public boolean lessThan(DvvSet<V> other) {
    Objects.requireNonNull(other, "other");
    return greater(other.entries, this.entries);
  }

  /**
   * Riak {@code equal/2}: true iff both clocks have the same causal history: the same actors and
   * counters, and the same number of values per actor. Value contents and anonymous values are
   * ignored.
   */
  public boolean equalClocks(DvvSet<V> other) {
    Objects.requireNonNull(other, "other");
    List<Entry<V>> a = entries;
    List<Entry<V>> b = other.entries;
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      Entry<V> x = a.get(i);
      Entry<V> y = b.get(i);
      if (!x.actor().equals(y.actor())
          || x.counter() != y.counter()
          || x.values().size() != y.values().size()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Riak {@code map/2}: the same clock with {@code f} applied to every value; f must not return
   * null.
   */
  public <W> DvvSet<W> map(Function<? super V, ? extends W> f) {
    Objects.requireNonNull(f, "f");
    List<Entry<W>> es = new ArrayList<>(entries.size());
    for (Entry<V> e : entries) {
      List<W> vs = new ArrayList<>(e.values().size());
      for (V v : e.values()) {
        vs.add(f.apply(v));
      }
      es.add(new Entry<>(e.actor(), e.counter(), vs));
    }
    List<W> anon = new ArrayList<>(anonymous.size());
    for (V v : anonymous) {
      anon.add(f.apply(v));
    }
    if (es.isEmpty() && anon.isEmpty()) {
      return empty();
    }
    return new DvvSet<>(List.copyOf(es), List.copyOf(anon));
  }

  // ------------------------------------------------------------------ internals

  /** Riak {@code sync2/2}: merge of two sorted entry lists. */
  private static <V> List<Entry<V>> syncEntries(List<Entry<V>> a, List<Entry<V>> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    List<Entry<V>> out = new ArrayList<>(a.size() + b.size());
    int i = 0;
    int j = 0;
    while (i < a.size() && j < b.size()) {
      Entry<V> x = a.get(i);
      Entry<V> y = b.get(j);
      int cmp = x.actor().compareTo(y.actor());
      if (cmp < 0) {
        out.add(x);
        i++;
      } else if (cmp > 0) {
        out.add(y);
        j++;
      } else {
        out.add(mergeEntry(x, y));
        i++;
        j++;
      }
    }
    while (i < a.size()) {
      out.add(a.get(i++));
    }
    while (j < b.size()) {
      out.add(b.get(j++));
    }
    return List.copyOf(out);
  }

  /**
   * Riak {@code merge/5}: the entry with the larger counter wins, but it keeps only the values
   * whose dots the other side has not already seen superseded.
   */
  private static <V> Entry<V> mergeEntry(Entry<V> x, Entry<V> y) {
    long n1 = x.counter();
    long n2 = y.counter();
    int l1 = x.values().size();
    int l2 = y.values().size();
    if (n1 >= n2) {
      if (n1 - l1 >= n2 - l2) {
        return x;
      }
      // here n1 - n2 + l2 < l1, so it fits in an int
      return new Entry<>(x.actor(), n1, x.values().subList(0, (int) (n1 - n2 + l2)));
    }
    if (n2 - l2 >= n1 - l1) {
      return y;
    }
    return new Entry<>(y.actor(), n2, y.values().subList(0, (int) (n2 - n1 + l1)));
  }

  /** Riak {@code event/3}: adds a new dot for {@code actor} holding {@code value}. */
  private static <V> List<Entry<V>> event(List<Entry<V>> es, String actor, V value) {
    List<Entry<V>> out = new ArrayList<>(es.size() + 1);
    boolean done = false;
    for (Entry<V> e : es) {
      if (!done) {
        int cmp = e.actor().compareTo(actor);
        if (cmp == 0) {
          List<V> vs = new ArrayList<>(e.values().size() + 1);
          vs.add(value);
          vs.addAll(e.values());
          out.add(new Entry<>(actor, Math.addExact(e.counter(), 1), vs));
          done = true;
          continue;
        }
        if (cmp > 0) {
          out.add(new Entry<>(actor, 1, List.of(value)));
          done = true;
        }
      }
      out.add(e);
    }
    if (!done) {
      out.add(new Entry<>(actor, 1, List.of(value)));
    }
    return List.copyOf(out);
  }

  /**
   * Riak {@code greater/3} with Strict=false: is history {@code a} strictly greater than {@code b}?
   */
  private static <V> boolean greater(List<Entry<V>> a, List<Entry<V>> b) {
    boolean strict = false;
    int i = 0;
    int j = 0;
    while (true) {
      if (i == a.size()) {
        return j == b.size() && strict;
      }
      if (j == b.size()) {
        return true; // a has actors b lacks
      }
      Entry<V> x = a.get(i);
      Entry<V> y = b.get(j);
      int cmp = x.actor().compareTo(y.actor());
      if (cmp == 0) {
        if (x.counter() > y.counter()) {
          strict = true;
        } else if (x.counter() < y.counter()) {
          return false;
        }
        i++;
        j++;
      } else if (cmp < 0) {
        strict = true; // actor only in a
        i++;
      } else {
        return false; // actor only in b
      }
    }
  }

  private static boolean hasDuplicates(List<?> list) {
    if (list.size() < 2) {
      return false;
    }
    return new HashSet<>(list).size() != list.size();
  }

  private static boolean sameMultiset(List<?> a, List<?> b) {
    if (a.size() != b.size()) {
      return false;
    }
    if (a.equals(b)) {
      return true;
    }
    Map<Object, Integer> counts = new HashMap<>();
    for (Object o : a) {
      counts.merge(o, 1, Integer::sum);
    }
    for (Object o : b) {
      Integer c = counts.get(o);
      if (c == null) {
        return false;
      }
      if (c == 1) {
        counts.remove(o);
      } else {
        counts.put(o, c - 1);
      }
    }
    return counts.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof DvvSet<?> other
        && entries.equals(other.entries)
        && sameMultiset(anonymous, other.anonymous);
  }

  @Override
  public int hashCode() {
    int anonHash = 0;
    for (V v : anonymous) {
      anonHash += v.hashCode(); // order-insensitive
    }
    return entries.hashCode() * 31 + anonHash;
  }

  @Override
  public String toString() {
    return "DvvSet{entries=" + entries + ", anonymous=" + anonymous + "}";
  }
}
