package io.ringstore.handoff;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.math.Ordering;

/**
 * The hints queued for one target replica: an immutable map from key to {@link Hint}, sorted by key,
 * at most one hint per key. Adding a hint for a key already queued merges the two objects with
 * {@link DvvSet#sync} (a pure, deterministic function of the two objects), so the queue never holds
 * less than any hint it was given (DESIGN invariant 1) and delivering the merged object brings the
 * target up to date with all of them (invariant 4).
 *
 * <p>Backed by Scala's persistent red-black tree, so an update costs O(log n) instead of copying a
 * map of up to {@code max-hints-per-target} entries on every event. Serialized (in snapshots) as the
 * list of its hints in key order.
 */
public final class HintQueue {
  private static final Ordering<String> BY_KEY = Ordering.String$.MODULE$;
  private static final HintQueue EMPTY =
      new HintQueue(scala.collection.immutable.TreeMap$.MODULE$.empty(BY_KEY), 0);

  /**
   * One queued hint: the key's encoded object (see {@link StoredObjectCodec}) and the creation time
   * of its newest part. Compares the object bytes by content.
   */
  public record Hint(String key, byte[] object, long createdAtMillis) {
    public Hint {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(object, "object");
    }

    /** SHA-256 of the object bytes, hex: names exactly this version of the queued object. */
    public String digest() {
      return HintQueue.digest(object);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Hint h && key.equals(h.key) && createdAtMillis == h.createdAtMillis
          && Arrays.equals(object, h.object);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * key.hashCode() + Arrays.hashCode(object)) + Long.hashCode(createdAtMillis);
    }

    @Override
    public String toString() {
      return "Hint[" + key + ", " + object.length + " bytes, created " + createdAtMillis + "]";
    }
  }

  private final scala.collection.immutable.TreeMap<String, Hint> hints;
  /** Sum of the queued objects' lengths. */
  private final long bytes;

  private HintQueue(scala.collection.immutable.TreeMap<String, Hint> hints, long bytes) {
    this.hints = hints;
    this.bytes = bytes;
  }

  public static HintQueue empty() {
    return EMPTY;
  }

  /** Rebuilds a queue from its serialized form; a key given twice is merged as by {@link #add}. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static HintQueue of(List<Hint> hints) {
    HintQueue queue = EMPTY;
    for (Hint hint : hints) {
      queue = queue.add(hint);
    }
    return queue;
  }

  /** The hints in key order (the serialized form). */
  @JsonValue
  public List<Hint> toList() {
    List<Hint> list = new ArrayList<>(hints.size());
    CollectionConverters.asJava(hints.valuesIterator()).forEachRemaining(list::add);
    return list;
  }

  public int size() {
    return hints.size();
  }

  /** Bytes of the queued objects (what the hint budget counts). */
  public long bytes() {
    return bytes;
  }

  public boolean isEmpty() {
    return hints.isEmpty();
  }

  public boolean contains(String key) {
    return hints.contains(key);
  }

  public Optional<Hint> get(String key) {
    scala.Option<Hint> hint = hints.get(key);
    return hint.isDefined() ? Optional.of(hint.get()) : Optional.empty();
  }

  /**
   * This queue with {@code hint} added: queued as is for a new key; for a key already queued, the
   * merge ({@code DvvSet.sync}) of the queued and the new object, created at the later of the two
   * times. Throws IllegalArgumentException if an object is not a valid encoded object.
   */
  public HintQueue add(Hint hint) {
    scala.Option<Hint> queued = hints.get(hint.key());
    Hint next = hint;
    long replaced = 0;
    if (queued.isDefined()) {
      Hint old = queued.get();
      replaced = old.object().length;
      DvvSet<Sibling> merged =
          StoredObjectCodec.decode(old.object()).sync(StoredObjectCodec.decode(hint.object()));
      next = new Hint(hint.key(), StoredObjectCodec.encode(merged),
          Math.max(old.createdAtMillis(), hint.createdAtMillis()));
    }
    return new HintQueue(hints.updated(hint.key(), next), bytes - replaced + next.object().length);
  }

  /** This queue without the key's hint, if the queued hint is still the object named by {@code digest}. */
  public HintQueue removeIfCurrent(String key, String digest) {
    return get(key).filter(h -> h.digest().equals(digest)).isPresent() ? remove(key) : this;
  }

  public HintQueue remove(String key) {
    scala.Option<Hint> queued = hints.get(key);
    return queued.isDefined()
        ? new HintQueue(hints.removed(key), bytes - queued.get().object().length) : this;
  }

  /** Keys whose hint was created before {@code cutoffMillis}, in key order. */
  public List<String> createdBefore(long cutoffMillis) {
    List<String> keys = new ArrayList<>();
    CollectionConverters.asJava(hints.valuesIterator()).forEachRemaining(h -> {
      if (h.createdAtMillis() < cutoffMillis) {
        keys.add(h.key());
      }
    });
    return keys;
  }

  /** Creation time of the oldest hint, or -1 when the queue is empty. */
  public long oldestCreatedAtMillis() {
    long oldest = Long.MAX_VALUE;
    Iterator<Hint> it = CollectionConverters.asJava(hints.valuesIterator());
    while (it.hasNext()) {
      oldest = Math.min(oldest, it.next().createdAtMillis());
    }
    return oldest == Long.MAX_VALUE ? -1 : oldest;
  }

  /**
   * Every hint once, starting with the first key after {@code cursor} (all keys when it is null) and
   * wrapping around: delivery rounds go on where the last one stopped, so no key is starved.
   */
  public List<Hint> startingAfter(String cursor, int limit) {
    List<Hint> out = new ArrayList<>(Math.min(limit, hints.size()));
    if (cursor != null) {
      Iterator<Tuple2<String, Hint>> tail = CollectionConverters.asJava(hints.iteratorFrom(cursor));
      while (tail.hasNext() && out.size() < limit) {
        Tuple2<String, Hint> e = tail.next();
        if (!e._1().equals(cursor)) {
          out.add(e._2());
        }
      }
    }
    Iterator<Hint> head = CollectionConverters.asJava(hints.valuesIterator());
    while (head.hasNext() && out.size() < limit) {
      Hint h = head.next();
      if (cursor != null && h.key().compareTo(cursor) > 0) {
        break;
      }
      out.add(h);
    }
    return out;
  }

  static String digest(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HintQueue q && toList().equals(q.toList());
  }

  @Override
  public int hashCode() {
    return toList().hashCode();
  }

  @Override
  public String toString() {
    return "HintQueue" + toList();
  }
}
