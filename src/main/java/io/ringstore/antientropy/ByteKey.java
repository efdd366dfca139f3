package io.ringstore.antientropy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A key's bytes with content equality and unsigned lexicographic order (the order of RocksDB's
 * default comparator), so keys can be map keys and set members when {@link KeyHashes} of two
 * replicas are compared on the way to DESIGN invariant 4 (replicas converge). Immutable: the array
 * is copied in and out.
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the contents
public record ByteKey(byte[] bytes) implements Comparable<ByteKey> {

  /** Copies {@code bytes}. */
  public ByteKey {
    Objects.requireNonNull(bytes, "bytes");
    bytes = bytes.clone();
  }

  /** The key of a string's UTF-8 bytes. */
  public static ByteKey of(String utf8) {
    return new ByteKey(utf8.getBytes(StandardCharsets.UTF_8));
  }

  /** A copy of the key's bytes. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public int compareTo(ByteKey other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ByteKey other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The key as UTF-8 text when it decodes cleanly, otherwise as hex. */
  @Override
  public String toString() {
    String text = new String(bytes, StandardCharsets.UTF_8);
    return Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes)
        ? "ByteKey[" + text + "]"
        : "ByteKey[0x" + HexFormat.of().formatHex(bytes) + "]";
  }
}
