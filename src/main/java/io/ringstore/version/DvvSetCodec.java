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
import java.util.List;
import java.util.Objects;

/**
 * Compact binary serialization of a whole {@link DvvSet}, used for RocksDB values and for clocks
 * sent between nodes. Values are written by a pluggable {@link ValueCodec}.
 *
 * <p>Format (version 1): byte {@code 0x01}; varint entry count; per entry (sorted by actor): varint
 * byte length + UTF-8 actor id, varint counter, varint value count, the values (newest first); then
 * varint anonymous value count and the anonymous values. Varints are canonical unsigned LEB128.
 *
 * <p>Role: a lossless round trip of every sibling and of the causal history is what keeps stored
 * and transferred clocks upholding DESIGN invariant 3: concurrent writes are never silently
 * dropped; they become siblings until a write whose context covers them resolves them. Decoding is
 * strict and rejects corrupt input with an {@link IllegalArgumentException} rather than returning a
 * clock that could lose or resurrect values.
 *
 * <p>Thread-safe if the {@link ValueCodec} is.
 *
 * @param <V> the value type
 */
public final class DvvSetCodec<V> {

  /** The format version byte written first. */
  public static final int FORMAT_VERSION = 1;

  private final ValueCodec<V> valueCodec;

  public DvvSetCodec(ValueCodec<V> valueCodec) {
    this.valueCodec = Objects.requireNonNull(valueCodec, "valueCodec");
  }

  /**
   * Serializes {@code set}.
   *
   * @throws IllegalArgumentException if the value codec writes nothing for a value
   * @throws UncheckedIOException if the value codec fails
   */
  public byte[] encode(DvvSet<V> set) {
    Objects.requireNonNull(set, "set");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeByte(FORMAT_VERSION);
      Varints.write(out, set.entries().size());
      for (DvvSet.Entry<V> e : set.entries()) {
        byte[] actor = e.actor().getBytes(StandardCharsets.UTF_8);
        Varints.write(out, actor.length);
        out.write(actor);
        Varints.write(out, e.counter());
        writeValues(e.values(), out);
      }
      writeValues(set.anonymous(), out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("value codec failed to write a value", e);
    }
    return bytes.toByteArray();
  }

  private void writeValues(List<V> values, DataOutputStream out) throws IOException {
    Varints.write(out, values.size());
    for (V v : values) {
      int before = out.size();
      valueCodec.write(v, out);
      if (out.size() == before) {
        throw new IllegalArgumentException("value codec wrote zero bytes for a value");
      }
    }
  }

  /**
   * Deserializes a clock written by {@link #encode}.
   *
   * @throws IllegalArgumentException if {@code data} is corrupt (truncated, trailing bytes, unknown
   *     version, invalid structure, or the value codec fails)
   */
  public DvvSet<V> decode(byte[] data) {
    Objects.requireNonNull(data, "data");
    if (data.length == 0) {
      throw new IllegalArgumentException("corrupt DvvSet: empty input");
    }
    int version = data[0] & 0xFF;
    if (version != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "corrupt DvvSet: unknown format version "
              + version
              + " (expected "
              + FORMAT_VERSION
              + ")");
    }
    ByteArrayInputStream bin = new ByteArrayInputStream(data, 1, data.length - 1);
    DataInputStream in = new DataInputStream(bin);
    try {
      // every entry takes at least 3 bytes, every value at least 1: bound counts by what is left
      int entryCount = Varints.readBounded(in, bin.available() / 3, "entry count");
      List<DvvSet.Entry<V>> entries = new ArrayList<>(entryCount);
      for (int i = 0; i < entryCount; i++) {
        int len = Varints.readBounded(in, bin.available(), "actor id length of entry " + i);
        byte[] raw = new byte[len];
        in.readFully(raw);
        String actor;
        try {
          actor = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
          throw new IllegalArgumentException(
              "corrupt DvvSet: actor id of entry " + i + " is not valid UTF-8");
        }
        long counter = Varints.read(in);
        List<V> values = readValues(in, bin, "entry " + i);
        entries.add(new DvvSet.Entry<>(actor, counter, values));
      }
      List<V> anonymous = readValues(in, bin, "anonymous values");
      if (bin.available() > 0) {
        throw new IllegalArgumentException(
            "corrupt DvvSet: " + bin.available() + " trailing bytes");
      }
      return DvvSet.fromParts(entries, anonymous);
    } catch (EOFException e) {
      throw new IllegalArgumentException("corrupt DvvSet: truncated input", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt DvvSet: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      String msg = String.valueOf(e.getMessage());
      if (msg.startsWith("corrupt DvvSet")) {
        throw e;
      }
      throw new IllegalArgumentException("corrupt DvvSet: " + msg, e);
    } catch (RuntimeException e) { // e.g. NPE from a null value, or a misbehaving value codec
      throw new IllegalArgumentException("corrupt DvvSet: " + e, e);
    }
  }

  private List<V> readValues(DataInputStream in, ByteArrayInputStream bin, String where)
      throws IOException {
    int count = Varints.readBounded(in, bin.available(), "value count of " + where);
    List<V> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      V v = valueCodec.read(in);
      if (v == null) {
        throw new IllegalArgumentException("corrupt DvvSet: value codec returned null in " + where);
      }
      values.add(v);
    }
    return values;
  }
}
