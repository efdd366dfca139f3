package io.ringstore.version;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Unsigned LEB128 varints for non-negative longs (at most 9 bytes), canonical form only. */
final class Varints {

  private Varints() {}

  /** Malformed varint (overlong, too long); decoders turn it into their own exception. */
  static final class MalformedVarintException extends IOException {
    MalformedVarintException(String message) {
      super(message);
    }
  }

  static void write(DataOutput out, long value) throws IOException {
    if (value < 0) {
      throw new IllegalArgumentException("varint must be non-negative: " + value);
    }
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  /** The number of bytes {@link #write} takes for {@code value} (non-negative). */
  static int size(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }

  /** Reads a canonical varint; throws EOFException when the input ends inside it. */
  static long read(DataInput in) throws IOException {
    long result = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      int b = in.readUnsignedByte();
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) {
          throw new MalformedVarintException("non-canonical (overlong) varint");
        }
        return result;
      }
    }
    throw new MalformedVarintException("varint longer than 9 bytes (exceeds 63 bits)");
  }

  /** Reads a varint that must lie in {@code [0, max]}. */
  static int readBounded(DataInput in, int max, String what) throws IOException {
    long v = read(in);
    if (v > max) {
      throw new MalformedVarintException(what + " " + v + " exceeds the limit of " + max);
    }
    return (int) v;
  }
}
