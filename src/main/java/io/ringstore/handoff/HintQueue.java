package io.ringstore.handoff;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.TreeMap;
import scala.collection.immutable.TreeMap$;
import scala.jdk.javaapi.CollectionConverters;
import scala.math.Ordering;

/**
 * The index of the hints queued for one target replica: an immutable map from key to {@link Hint},
 * sorted by key, at most one hint per key. A hint here names its object by digest and size; the
 * object itself is on disk ({@link HintValues}), so the queue's memory does not grow with the
 * values (DESIGN invariant 6). A second hint for a key already queued is merged with the queued
 * object by {@link #merge} (a pure, deterministic {@link DvvSet#sync}) before the merged object
 * replaces the entry, so the queue never holds less than any hint it was given (invariant 1) and
 * delivering the merged object brings the target up to date with all of them (invariant 4).
 *
 * <p>Backed by Scala's persistent red-black tree, so an update costs O(log n) instead of copying a
 * map of up to {@code max-hints-per-target} entries on every event. Serialized (in snapshots) as
 * the list of its hints in key order.
 */
public final class HintQueue {
  private static final Ordering<String> BY_KEY = Ordering.String$.MODULE$;
  private static final HintQueue EMPTY = new HintQueue(TreeMap$.MODULE$.empty(BY_KEY), 0);

  /**
   * One queued hint: the key, the SHA-256 {@code digest} (hex) and {@code bytes} of its encoded
   * object (see {@link StoredObjectCodec}), the creation time of the object's newest part, and
   * {@code ref}, which stored copy of the object holds it ({@link HintValues.ValueId}).
   */
  public record Hint(String key, String digest, long bytes, long createdAtMillis, long ref) {
    public Hint {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(digest, "digest");
      if (bytes < 0) {
        throw new IllegalArgumentException("bytes must be >= 0 but was " + bytes);
      }
    }

    /**
     * Reads an entry, or one of a snapshot written before the values moved out of the state (it
     * carried the {@code object} itself): that one becomes the index entry of its object, whose
     * value is then missing, so the store drops the hint loudly after recovery.
     */
    @JsonCreator
    static Hint fromJson(
        @JsonProperty("key") String key,
        @JsonProperty("digest") String digest,
        @JsonProperty("bytes") long bytes,
        @JsonProperty("createdAtMillis") long createdAtMillis,
        @JsonProperty("ref") long ref,
        @JsonProperty("object") byte[] object) {
      return digest == null && object != null
          ? of(key, object, createdAtMillis, 0)
          : new Hint(key, digest, bytes, createdAtMillis, ref);
    }

    /** The index entry of {@code object} queued for {@code key}, stored as copy {@code ref}. */
    public static Hint of(String key, byte[] object, long createdAtMillis, long ref) {
      return new Hint(key, HintQueue.digest(object), object.length, createdAtMillis, ref);
    }
  }

  private final TreeMap<String, Hint> hints;

  /** Sum of the queued objects' sizes. */
  private final long bytes;

  private HintQueue(TreeMap<String, Hint> hints, long bytes) {
    this.hints = hints;
    this.bytes = bytes;
  }

  public static HintQueue empty() {
    return EMPTY;
  }

  /** Rebuilds a queue from its serialized form; of a key given twice the last entry is kept. */
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

  /** Bytes of the queued objects, on disk (what the hint budget counts). */
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
    Option<Hint> hint = hints.get(key);
    return hint.isDefined() ? Optional.of(hint.get()) : Optional.empty();
  }

  /**
   * This queue with {@code hint} as its key's entry: added for a new key, replacing the queued
   * entry for a key already queued (the caller merged the objects, see {@link #merge}).
   */
  public HintQueue add(Hint hint) {
    Option<Hint> queued = hints.get(hint.key());
    long replaced = queued.isDefined() ? queued.get().bytes() : 0;
    return new HintQueue(hints.updated(hint.key(), hint), bytes - replaced + hint.bytes());
  }

  /**
   * The merge of a queued object and a new one for the same key ({@code DvvSet.sync}, encoded):
   * holds every sibling either holds that the other does not supersede. Throws
   * IllegalArgumentException if an object is not a valid encoded object.
   */
  public static byte[] merge(byte[] queued, byte[] incoming) {
    DvvSet<Sibling> merged =
        StoredObjectCodec.decode(queued).sync(StoredObjectCodec.decode(incoming));
    return StoredObjectCodec.encode(merged);
  }

  /**
   * This queue without the key's hint, if the queued hint is still the object named by {@code
   * digest}.
   */
  public HintQueue removeIfCurrent(String key, String digest) {
    return get(key).filter(h -> h.digest().equals(digest)).isPresent() ? remove(key) : this;
  }

  public HintQueue remove(String key) {
    Option<Hint> queued = hints.get(key);
    return queued.isDefined()
        ? new HintQueue(hints.removed(key), bytes - queued.get().bytes())
        : this;
  }

  /** Keys whose hint was created before {@code cutoffMillis}, in key order. */
  public List<String> createdBefore(long cutoffMillis) {
    List<String> keys = new ArrayList<>();
    CollectionConverters.asJava(hints.valuesIterator())
        .forEachRemaining(
            h -> {
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
   * Every hint once, starting with the first key after {@code cursor} (all keys when it is null)
   * and wrapping around: delivery rounds go on where the last one stopped, so no key is starved.
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
