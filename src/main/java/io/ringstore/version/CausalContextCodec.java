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
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes a {@link VersionVector} as the opaque causal context handed to clients, and decodes and
 * validates what clients send back.
 *
 * <p>Format (version 1): byte {@code 0x01}; varint entry count; per entry, sorted strictly by actor
 * id: varint byte length + UTF-8 actor id, varint counter ({@code >= 1}). Varints are canonical
 * unsigned LEB128. The bytes are then base64url-encoded without padding. Every vector has exactly one
 * encoding, and the empty vector encodes to a non-empty string ({@code "AQA"}).
 *
 * <p>Role: the context is what lets a client's next write supersede exactly the values it has seen;
 * decoding is strict so that a damaged context is rejected rather than silently weakened or widened.
 * That way it helps uphold DESIGN invariant 3: concurrent writes are never silently dropped; they
 * become siblings until a write whose context covers them resolves them.
 *
 * <p>Stateless and thread-safe; the methods are static (an instance may be created for callers that
 * prefer injecting a codec).
 */
public final class CausalContextCodec {

    /** The format version byte written first. */
    public static final int FORMAT_VERSION = 1;
    /** Maximum size of the decoded binary form. */
    public static final int MAX_ENCODED_BYTES = 64 * 1024;
    /** Maximum number of actors in a context. */
    public static final int MAX_ENTRIES = 4096;
    /** Maximum UTF-8 length of one actor id. */
    public static final int MAX_ACTOR_BYTES = 1024;
    /** Maximum length of an encoded context string (base64url of {@link #MAX_ENCODED_BYTES}). */
    public static final int MAX_STRING_LENGTH = (MAX_ENCODED_BYTES * 4 + 2) / 3;

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
                    throw new IllegalArgumentException("actor id of " + actor.length
                            + " UTF-8 bytes is longer than " + MAX_ACTOR_BYTES);
                }
                Varints.write(out, actor.length);
                out.write(actor);
                Varints.write(out, e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen with a ByteArrayOutputStream
        }
        if (bytes.size() > MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("encoded context of " + bytes.size()
                    + " bytes is larger than " + MAX_ENCODED_BYTES);
        }
        return ENCODER.encodeToString(bytes.toByteArray());
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
            throw new InvalidContextException("causal context is too long: " + context.length()
                    + " characters, at most " + MAX_STRING_LENGTH + " allowed");
        }
        for (int i = 0; i < context.length(); i++) {
            char c = context.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_';
            if (!ok) {
                throw new InvalidContextException("causal context is not base64url without padding:"
                        + " illegal character at index " + i);
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
            throw new InvalidContextException("causal context has unknown format version " + version
                    + " (expected " + FORMAT_VERSION + ")");
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
                            "causal context has counter " + counter + " for actor '" + actor + "' (must be >= 1)");
                }
                if (previous != null) {
                    int cmp = previous.compareTo(actor);
                    if (cmp == 0) {
                        throw new InvalidContextException("causal context has duplicate actor '" + actor + "'");
                    }
                    if (cmp > 0) {
                        throw new InvalidContextException("causal context actors are not sorted: '"
                                + previous + "' before '" + actor + "'");
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
