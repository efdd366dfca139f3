package io.ringstore.version;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes a {@link VersionVector} as the opaque causal context handed to clients, and decodes and
 * validates what clients send back.
 *
 * <p>Format (version 1): byte {@code 0x01}; varint entry count; per entry, sorted strictly by actor
 * id: varint byte length + UTF-8 actor id, varint counter ({@code >= 1}). Varints are canonical
 * unsigned LEB128. The bytes are then base64url-encoded without padding. Every vector has exactly
 * one encoding, and the empty vector encodes to a non-empty string ({@code "AQA"}).
 *
 * <p>Role: the context is what lets a client's next write supersede exactly the values it has seen;
 * decoding is strict so that a damaged context is rejected rather than silently weakened or
 * widened. That way it helps uphold DESIGN invariant 3: concurrent writes are never silently
 * dropped; they become siblings until a write whose context covers them resolves them. Its limits
 * keep every context, sent or handed out ({@link #contextOf}), within one request header
 * (invariants 5 and 6).
 *
 * <p>Stateless and thread-safe; the methods are static (an instance may be created for callers that
 * prefer injecting a codec).
 */
public final class CausalContextCodec {

  /** The format version byte written first. */
  public static final int FORMAT_VERSION = 1;

  /**
   * Maximum length of an encoded context string: 7 KiB, so that any context this codec accepts or
   * produces fits in one request header (Pekko HTTP's {@code max-header-value-length}, 8 KiB by
   * default) with 1 KiB to spare. {@code ringstore.requests.max-context-size} may not exceed it.
   */
  public static final int MAX_STRING_LENGTH = 7 * 1024;

  /**
   * Maximum size of the decoded binary form (the base64url of it is {@link #MAX_STRING_LENGTH}).
   */
  public static final int MAX_ENCODED_BYTES = MAX_STRING_LENGTH / 4 * 3;

  /** Maximum number of actors in a context (an entry takes at least 3 bytes). */
  public static final int MAX_ENTRIES = 1024;

  /** Maximum UTF-8 length of one actor id (a node uid is 8 to 64 characters of base64url). */
  public static final int MAX_ACTOR_BYTES = 64;

  /**
   * The largest context the server hands out and accepts back: at most {@code maxActors} actors and
   * {@code maxChars} characters (the settings {@code max-context-actors} and {@code
   * max-context-size}).
   */
  public record Limits(int maxActors, int maxChars) {
    /** The defaults of {@code reference.conf}. */
    public static final Limits DEFAULT = new Limits(64, 4 * 1024);

    public Limits {
      if (maxActors < 1 || maxActors > MAX_ENTRIES) {
        throw new IllegalArgumentException(
            "maxActors must be in 1.." + MAX_ENTRIES + ", was " + maxActors);
      }
      if (maxChars < 64 || maxChars > MAX_STRING_LENGTH) {
        throw new IllegalArgumentException(
            "maxChars must be in 64.." + MAX_STRING_LENGTH + ", was " + maxChars);
      }
    }
  }

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  public CausalContextCodec() {}

  /**
   * Encodes {@code vv}.
   *
   * @throws IllegalArgumentException if the vector exceeds the decoder's limits (too many actors,
   *     an actor id longer than {@link #MAX_ACTOR_BYTES}, or more than {@link #MAX_ENCODED_BYTES})
   */
  public static String encode(VersionVector vv) {
    if (vv == null) {
      throw new NullPointerException("version vector");
    }
    if (vv.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException(
          "version vector has " + vv.size() + " actors, more than " + MAX_ENTRIES);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(2 + vv.size() * 16);
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeByte(FORMAT_VERSION);
      Varints.write(out, vv.size());
      for (Map.Entry<String, Long> e : vv.entries().entrySet()) {
        byte[] actor = e.getKey().getBytes(StandardCharsets.UTF_8);
        if (actor.length > MAX_ACTOR_BYTES) {
          throw new IllegalArgumentException(
              "actor id of " + actor.length + " UTF-8 bytes is longer than " + MAX_ACTOR_BYTES);
        }
        Varints.write(out, actor.length);
        out.write(actor);
        Varints.write(out, e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen with a ByteArrayOutputStream
    }
    if (bytes.size() > MAX_ENCODED_BYTES) {
      throw new IllegalArgumentException(
          "encoded context of " + bytes.size() + " bytes is larger than " + MAX_ENCODED_BYTES);
    }
    return ENCODER.encodeToString(bytes.toByteArray());
  }

  /**
   * The context handed to a client for {@code object}: its whole causal history ({@link
   * DvvSet#join}) when that fits {@code limits}, so that every context the server hands out is one
   * it accepts back.
   *
   * <p>A key's stored clock names every node that ever coordinated one of its writes, which over a
   * long life (nodes replaced, replicas moved) can be more than a header carries. Then the context
   * names only the actors that hold one of the object's values: that still supersedes every sibling
   * the client saw. An actor without values has nothing left to supersede, and a replica whose
   * clock covers the narrowed context (the only one that may apply it, see {@code WriteAdmission})
   * also holds every event those values' writes had seen, so no superseded value comes back. If
   * even those actors do not fit, the ones holding the most values are named, the rest stay
   * siblings until the next read and write: a write resolves less, nothing is lost (DESIGN
   * invariant 3). An actor id longer than {@link #MAX_ACTOR_BYTES} (never a node uid) is left out
   * the same way: a read never fails for the context it hands out.
   */
  public static String contextOf(DvvSet<?> object, Limits limits) {
    VersionVector full = object.join();
    boolean carried = true;
    for (String actor : full.entries().keySet()) {
      carried &= actorBytes(actor) <= MAX_ACTOR_BYTES;
    }
    if (carried
        && full.size() <= limits.maxActors()
        && encodedChars(full.entries()) <= limits.maxChars()) {
      return encode(full);
    }
    List<DvvSet.Entry<?>> dotted = new ArrayList<>();
    for (DvvSet.Entry<?> e : object.entries()) {
      if (!e.values().isEmpty() && actorBytes(e.actor()) <= MAX_ACTOR_BYTES) {
        dotted.add(e);
      }
    }
    dotted.sort(
        Comparator.<DvvSet.Entry<?>>comparingInt(e -> e.values().size())
            .reversed()
            .thenComparing(DvvSet.Entry::actor));
    TreeMap<String, Long> named = new TreeMap<>();
    for (DvvSet.Entry<?> e : dotted) {
      if (named.size() == limits.maxActors()) {
        break;
      }
      named.put(e.actor(), e.counter());
      if (encodedChars(named) > limits.maxChars()) {
        named.remove(e.actor());
      }
    }
    return encode(VersionVector.of(named));
  }

  private static int actorBytes(String actor) {
    return actor.getBytes(StandardCharsets.UTF_8).length;
  }

  /** The length of {@link #encode}'s output for these entries. */
  static int encodedChars(Map<String, Long> entries) {
    long bytes = 1L + Varints.size(entries.size());
    for (Map.Entry<String, Long> e : entries.entrySet()) {
      int actor = actorBytes(e.getKey());
      bytes += Varints.size(actor) + actor + Varints.size(e.getValue());
    }
    return (int) Math.min(Integer.MAX_VALUE, (bytes * 4 + 2) / 3);
  }

  /**
   * Decodes and validates a context produced by {@link #encode}.
   *
   * @throws InvalidContextException for any malformed input; never any other exception
   */
  public static VersionVector decode(String context) {
    try {
      return decodeChecked(context);
    } catch (InvalidContextException e) {
      throw e;
    } catch (RuntimeException e) { // defensive: nothing else may escape on garbage input
      throw new InvalidContextException("malformed causal context: " + e, e);
    }
  }

  private static VersionVector decodeChecked(String context) {
    if (context == null) {
      throw new InvalidContextException("causal context is missing (null)");
    }
    if (context.isBlank()) {
      throw new InvalidContextException("causal context is empty");
    }
    if (context.length() > MAX_STRING_LENGTH) {
      throw new InvalidContextException(
          "causal context is too long: "
              + context.length()
              + " characters, at most "
              + MAX_STRING_LENGTH
              + " allowed");
    }
    for (int i = 0; i < context.length(); i++) {
      char c = context.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        throw new InvalidContextException(
            "causal context is not base64url without padding:"
                + " illegal character at index "
                + i);
      }
    }
    byte[] data;
    try {
      data = DECODER.decode(context);
    } catch (IllegalArgumentException e) {
      throw new InvalidContextException("causal context is not valid base64url: " + e.getMessage());
    }
    if (!ENCODER.encodeToString(data).equals(context)) {
      throw new InvalidContextException(
          "causal context is not canonical base64url (non-zero trailing bits)");
    }
    return decodeBytes(data);
  }

  private static VersionVector decodeBytes(byte[] data) {
    if (data.length == 0) {
      throw new InvalidContextException("causal context is empty");
    }
    int version = data[0] & 0xFF;
    if (version != FORMAT_VERSION) {
      throw new InvalidContextException(
          "causal context has unknown format version "
              + version
              + " (expected "
              + FORMAT_VERSION
              + ")");
    }
    ByteArrayInputStream bin = new ByteArrayInputStream(data, 1, data.length - 1);
    DataInputStream in = new DataInputStream(bin);
    try {
      int count = Varints.readBounded(in, MAX_ENTRIES, "entry count");
      TreeMap<String, Long> map = new TreeMap<>();
      String previous = null;
      for (int i = 0; i < count; i++) {
        int len = Varints.readBounded(in, MAX_ACTOR_BYTES, "actor id length of entry " + i);
        if (len == 0) {
          throw new InvalidContextException("causal context has an empty actor id in entry " + i);
        }
        byte[] raw = new byte[len];
        in.readFully(raw);
        String actor;
        try {
          actor = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
          throw new InvalidContextException(
              "causal context has an actor id that is not valid UTF-8 in entry " + i);
        }
        long counter = Varints.read(in);
        if (counter < 1) {
          throw new InvalidContextException(
              "causal context has counter "
                  + counter
                  + " for actor '"
                  + actor
                  + "' (must be >= 1)");
        }
        if (previous != null) {
          int cmp = previous.compareTo(actor);
          if (cmp == 0) {
            throw new InvalidContextException("causal context has duplicate actor '" + actor + "'");
          }
          if (cmp > 0) {
            throw new InvalidContextException(
                "causal context actors are not sorted: '" + previous + "' before '" + actor + "'");
          }
        }
        previous = actor;
        map.put(actor, counter);
      }
      if (bin.available() > 0) {
        throw new InvalidContextException(
            "causal context has " + bin.available() + " trailing bytes");
      }
      try {
        return VersionVector.of(map);
      } catch (IllegalArgumentException e) {
        throw new InvalidContextException("causal context is invalid: " + e.getMessage(), e);
      }
    } catch (EOFException e) {
      throw new InvalidContextException("causal context is truncated");
    } catch (Varints.MalformedVarintException e) {
      throw new InvalidContextException("causal context is malformed: " + e.getMessage());
    } catch (IOException e) {
      throw new InvalidContextException("causal context is malformed: " + e.getMessage(), e);
    }
  }
}
