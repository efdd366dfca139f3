package io.ringstore.storage;

import io.ringstore.version.DvvSet;
import io.ringstore.version.DvvSetCodec;
import io.ringstore.version.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The binary form of a key's versioned object (a {@code DvvSet} of {@link Sibling}s): the RocksDB
 * value, and the payload of every replica message that carries an object between nodes. A written
 * object is encoded once, by the replica that coordinates the write: the bytes it stores are the
 * bytes it replies with, and the coordinator sends them on to the other replicas and hint holders
 * unchanged, with the client's context computed beside them, not decoded back. A replica decodes an
 * object it is sent only to merge it into its own.
 */
public final class StoredObjectCodec {
  private static final int TOMBSTONE = 1;

  private static final ValueCodec<Sibling> SIBLING =
      new ValueCodec<>() {
        @Override
        public void write(Sibling value, DataOutput out) throws IOException {
          out.writeByte(value.tombstone() ? TOMBSTONE : 0);
          out.writeUTF(value.contentType());
          out.writeInt(value.data().length);
          out.write(value.data());
        }

        @Override
        public Sibling read(DataInput in) throws IOException {
          int flags = in.readUnsignedByte();
          if ((flags & ~TOMBSTONE) != 0) {
            throw new IOException("unknown sibling flags " + flags);
          }
          String contentType = in.readUTF();
          int length = in.readInt();
          if (length < 0 || length > 256 * 1024 * 1024) {
            throw new IOException("corrupt sibling length " + length);
          }
          byte[] data = new byte[length];
          in.readFully(data);
          return new Sibling(data, contentType, flags == TOMBSTONE);
        }
      };

  private static final DvvSetCodec<Sibling> CODEC = new DvvSetCodec<>(SIBLING);

  private StoredObjectCodec() {}

  public static byte[] encode(DvvSet<Sibling> object) {
    return CODEC.encode(object);
  }

  /** Decodes an object; throws IllegalArgumentException if the bytes are not one. */
  public static DvvSet<Sibling> decode(byte[] bytes) {
    return CODEC.decode(bytes);
  }
}
