package io.ringstore.bench.jmh;

import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The binary form of a key's object ({@link StoredObjectCodec}: the {@code DvvSetCodec} framing
 * around the sibling value codec), which is both the RocksDB value and the payload of every replica
 * message: encode and decode of an object with a 3-actor history and {@code siblings} values of
 * {@code valueSize} bytes. {@code copyEncoded} (one {@code Arrays.copyOf} of the encoded bytes) is
 * the floor a codec that copies the value once could reach.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StoredObjectCodecBench {

  @Param({"100", "1024", "65536"})
  public int valueSize;

  @Param({"1", "3"})
  public int siblings;

  private DvvSet<Sibling> object;
  private byte[] encoded;

  @Setup
  public void setUp() {
    object = BenchData.object(BenchData.actors(3, 7), siblings, valueSize);
    encoded = StoredObjectCodec.encode(object);
    if (!StoredObjectCodec.decode(encoded).equals(object)) {
      throw new IllegalStateException("object does not round-trip");
    }
  }

  @Benchmark
  public byte[] encode() {
    return StoredObjectCodec.encode(object);
  }

  @Benchmark
  public DvvSet<Sibling> decode() {
    return StoredObjectCodec.decode(encoded);
  }

  @Benchmark
  public byte[] copyEncoded() {
    return Arrays.copyOf(encoded, encoded.length);
  }
}
