package io.ringstore.storage;

import io.ringstore.version.DvvSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an object too large for one internode message into parts that each travel alone, and joins
 * them again (DESIGN invariant 6: a message dropped for size is impossible).
 *
 * <p>An object grows past {@code max-object-size} only by merges: replicas (or a replica that moved
 * while cut off, writing under a second actor) that each took writes apart. A client write keeps
 * the object it makes under the limit, so each actor's entry of the clock, which only that actor's
 * writes fill, is never larger than the limit itself; the merge of many actors' entries is
 * unbounded. A part is the object restricted to some of its actors' entries, with their counters
 * and values exactly as they are. Riak's {@code sync} merges entry by entry, actor by actor, so
 * merging the parts one after another, in any order and any number of times, gives exactly what
 * merging the whole object gives: a replica that gets only some parts (the rest were lost and are
 * sent again) holds a valid object with less news, never a wrong one. Stored objects have no
 * anonymous values (those exist only in a client's write before it is applied); an object with any
 * is never split.
 *
 * <p>Parts are packed greedily in actor order up to {@link #partBytes} each; an entry larger than
 * that (only after {@code max-object-size} was lowered under objects already stored) goes alone.
 * Pure.
 */
public final class ObjectParts {
  private ObjectParts() {}

  /**
   * The largest encoded object one internode message carries whole, for objects capped at {@code
   * maxObjectBytes}: two objects' worth. The large-message frame always holds that much ({@code
   * InternodeFrames} refuses a configuration whose frame is under {@code max(2, N)} objects plus
   * the key and the message), and one actor's entry is at most one object.
   */
  public static long partBytes(long maxObjectBytes) {
    return maxObjectBytes >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * maxObjectBytes;
  }

  /**
   * {@code encoded} itself when it is at most {@code maxPartBytes} long (or cannot be split), else
   * the encodings of its parts, in actor order, each at most {@code maxPartBytes} unless one
   * actor's entry alone is larger.
   */
  public static List<byte[]> split(byte[] encoded, long maxPartBytes) {
    if (encoded.length <= maxPartBytes) {
      return List.of(encoded);
    }
    DvvSet<Sibling> object = StoredObjectCodec.decode(encoded);
    if (!object.anonymous().isEmpty() || object.entries().size() < 2) {
      return List.of(encoded);
    }
    List<byte[]> parts = new ArrayList<>();
    List<DvvSet.Entry<Sibling>> part = new ArrayList<>();
    long bytes = 0;
    for (DvvSet.Entry<Sibling> entry : object.entries()) {
      long size = entryBytes(entry);
      if (!part.isEmpty() && bytes + size > maxPartBytes) {
        parts.add(StoredObjectCodec.encode(DvvSet.fromParts(part, List.of())));
        part = new ArrayList<>();
        bytes = 0;
      }
      part.add(entry);
      bytes += size;
    }
    parts.add(StoredObjectCodec.encode(DvvSet.fromParts(part, List.of())));
    return List.copyOf(parts);
  }

  /** The merge of parts of one object (or of any objects of one key): their {@code sync}. */
  public static byte[] join(List<byte[]> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    DvvSet<Sibling> joined = DvvSet.empty();
    for (byte[] part : parts) {
      joined = joined.sync(StoredObjectCodec.decode(part));
    }
    return StoredObjectCodec.encode(joined);
  }

  /**
   * An upper bound of what {@code entry} adds to an encoded object: its actor, counter and value
   * count, and per value its framing, flags, content type and length besides the data (codecs in
   * {@link StoredObjectCodec} and {@code DvvSetCodec}; varints and modified UTF-8 never longer than
   * counted here).
   */
  static long entryBytes(DvvSet.Entry<Sibling> entry) {
    long bytes = 2L + 3L * entry.actor().length() + 20;
    for (Sibling value : entry.values()) {
      bytes += 16 + 3L * value.contentType().length() + value.data().length;
    }
    return bytes;
  }
}
