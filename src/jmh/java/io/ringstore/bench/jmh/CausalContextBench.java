package io.ringstore.bench.jmh;

import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.VersionVector;
import java.util.Base64;
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
 * The causal context a read hands out and a write sends back ({@link CausalContextCodec}: binary
 * form + base64url), for vectors of {@code actors} actors with node-uid-shaped ids. The {@code
 * base64*} benchmarks time the base64url step alone on the same bytes, to show its share.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CausalContextBench {

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  @Param({"3", "12"})
  public int actors;

  private VersionVector vector;
  private String encoded;
  private byte[] raw;

  @Setup
  public void setUp() {
    vector = BenchData.object(BenchData.actors(actors, 7), 1, 16).join();
    encoded = CausalContextCodec.encode(vector);
    raw = DECODER.decode(encoded);
    if (!CausalContextCodec.decode(encoded).equals(vector)) {
      throw new IllegalStateException("context does not round-trip");
    }
  }

  @Benchmark
  public String encode() {
    return CausalContextCodec.encode(vector);
  }

  @Benchmark
  public VersionVector decode() {
    return CausalContextCodec.decode(encoded);
  }

  @Benchmark
  public String base64Encode() {
    return ENCODER.encodeToString(raw);
  }

  @Benchmark
  public byte[] base64Decode() {
    return DECODER.decode(encoded);
  }
}
