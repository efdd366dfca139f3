package io.ringstore.version;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Serializes single sibling values for {@link DvvSetCodec}. Implementations must be self-delimiting
 * ({@code read} consumes exactly what {@code write} wrote), must write at least one byte per value,
 * and should throw an {@link IOException} (or any runtime exception; the codec wraps it) when the
 * input is corrupt.
 *
 * @param <V> the value type
 */
public interface ValueCodec<V> {

  void write(V value, DataOutput out) throws IOException;

  V read(DataInput in) throws IOException;
}
