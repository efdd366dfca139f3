package io.ringstore.bench.jmh;

import io.ringstore.ring.KeyHash;
import io.ringstore.storage.RocksDbSettings;
import io.ringstore.storage.RocksDbStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link RocksDbStorage} with the node's default settings (64 MiB block cache, 32 MiB memtable,
 * lz4), in a fresh directory under {@code java.io.tmpdir} preloaded with {@code records} keys of
 * {@code valueSize} random (incompressible) bytes spread over 64 partitions: {@code get} and
 * overwrite {@code put} of uniformly random keys, the put without and with a WAL fsync.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RocksDbStorageBench {

  private static final int PARTITIONS = 64;

  @Param({"100000"})
  public int records;

  @Param({"1024"})
  public int valueSize;

  private Path directory;
  private RocksDbStorage storage;
  private byte[][] keys;
  private int[] partitions;
  private byte[] value;

  /** Per-thread key chooser. */
  @State(Scope.Thread)
  public static class Cursor {
    private final SplittableRandom random = new SplittableRandom(17);

    int next(int bound) {
      return random.nextInt(bound);
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    directory = Files.createTempDirectory("ringstore-jmh-rocksdb");
    storage = RocksDbStorage.open(RocksDbSettings.defaults(directory));
    keys = new byte[records][];
    partitions = new int[records];
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < records; i++) {
      keys[i] = ("user" + (random.nextLong() & Long.MAX_VALUE)).getBytes(StandardCharsets.UTF_8);
      partitions[i] = KeyHash.partitionOf(keys[i], PARTITIONS);
      storage.put(partitions[i], keys[i], BenchData.bytes(valueSize, i), false);
    }
    value = BenchData.bytes(valueSize, -1);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (storage != null) {
      storage.close();
    }
    BenchData.deleteRecursively(directory);
  }

  @Benchmark
  public Optional<byte[]> get(Cursor cursor) {
    int i = cursor.next(records);
    return storage.get(partitions[i], keys[i]);
  }

  @Benchmark
  public void putNoSync(Cursor cursor) {
    int i = cursor.next(records);
    storage.put(partitions[i], keys[i], value, false);
  }

  @Benchmark
  public void putSync(Cursor cursor) {
    int i = cursor.next(records);
    storage.put(partitions[i], keys[i], value, true);
  }
}
