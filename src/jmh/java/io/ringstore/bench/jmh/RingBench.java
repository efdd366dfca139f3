package io.ringstore.bench.jmh;

import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import java.util.List;
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
 * Ring lookup as every request does it: the key's partition (MurmurHash3 of its UTF-8 bytes) and
 * that partition's replica set or preference list, for random YCSB-style keys, on a default ring (Q
 * = 64, T = 32, N = 3). {@code build} is the once-per-membership-change cost of {@link Ring#of}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingBench {

  @Param({"3", "12"})
  public int members;

  private RingConfig config;
  private List<String> addresses;
  private Ring ring;
  private String[] keys;
  private int next;

  @Setup
  public void setUp() {
    config = RingConfig.defaults();
    addresses = BenchData.members(members);
    ring = Ring.of(config, addresses);
    keys = BenchData.keys(42);
  }

  private String nextKey() {
    return keys[next++ & (BenchData.KEY_COUNT - 1)];
  }

  @Benchmark
  public int partitionOf() {
    return ring.partitionOf(nextKey());
  }

  @Benchmark
  public List<String> replicas() {
    return ring.replicas(ring.partitionOf(nextKey()));
  }

  @Benchmark
  public List<String> preferenceList() {
    return ring.preferenceList(ring.partitionOf(nextKey()));
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Ring build() {
    return Ring.of(config, addresses);
  }
}
