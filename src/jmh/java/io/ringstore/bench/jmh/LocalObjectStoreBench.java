package io.ringstore.bench.jmh;

import io.ringstore.antientropy.PartitionTrees;
import io.ringstore.antientropy.TreeShape;
import io.ringstore.replica.LocalObjectStore;
import io.ringstore.ring.KeyHash;
import io.ringstore.storage.RocksDbSettings;
import io.ringstore.storage.RocksDbStorage;
import io.ringstore.storage.Sibling;
import io.ringstore.version.DvvSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
 * The per-write storage path of a replica, {@link LocalObjectStore} over {@link RocksDbStorage}
 * (default settings, a fresh directory under {@code java.io.tmpdir}), on one hot key with a {@code
 * valueSize}-byte value:
 *
 * <ul>
 *   <li>{@code coordinate}: the coordinating replica's read-modify-write (get, decode, DVV update
 *       with the context of the previous write, encode, put), as a client that reads before
 *       writing;
 *   <li>{@code merge}: another replica merging the newer object the coordinator sends (the DVV
 *       update that makes it is included);
 *   <li>{@code read}: get + decode.
 * </ul>
 *
 * {@code sync}: {@code true} fsyncs the WAL per write ({@code ringstore.storage.sync = per-write}),
 * {@code false} never ({@code sync = off}; the default {@code periodic} adds one fsync a second on
 * another thread, nothing per write); {@code listener = trees} keeps the node's anti-entropy trees
 * in step as production does, {@code none} leaves them out to show their cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LocalObjectStoreBench {

  private static final int PARTITIONS = 64;
  private static final String KEY = "user6284781860667377211";

  @Param({"false", "true"})
  public boolean sync;

  @Param({"trees", "none"})
  public String listener;

  @Param({"1024"})
  public int valueSize;

  private Path directory;
  private RocksDbStorage storage;
  private LocalObjectStore store;
  private String otherReplica;
  private int partition;
  private Sibling value;
  private DvvSet<Sibling> last;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    directory = Files.createTempDirectory("ringstore-jmh-store");
    storage =
        RocksDbStorage.open(
            RocksDbSettings.defaults(directory)
                .withWalSync(
                    sync ? RocksDbSettings.WalSync.PER_WRITE : RocksDbSettings.WalSync.OFF));
    List<String> uids = BenchData.actors(2, 11);
    otherReplica = uids.get(1);
    store = new LocalObjectStore(storage, uids.get(0));
    switch (listener) {
      case "trees" ->
          store.setListener(PartitionTrees.rebuild(storage, PARTITIONS, TreeShape.defaultShape()));
      case "none" -> {}
      default -> throw new IllegalArgumentException("listener must be trees or none: " + listener);
    }
    partition = KeyHash.partitionOf(KEY, PARTITIONS);
    value = BenchData.sibling(valueSize, 3);
    last = store.coordinate(partition, KEY, value, Optional.empty(), false);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (last.size() != 1) {
      throw new IllegalStateException("the object grew to " + last.size() + " siblings");
    }
    if (storage != null) {
      storage.close();
    }
    BenchData.deleteRecursively(directory);
  }

  @Benchmark
  public DvvSet<Sibling> coordinate() {
    last = store.coordinate(partition, KEY, value, Optional.of(last.join()), false);
    return last;
  }

  @Benchmark
  public DvvSet<Sibling> merge() {
    DvvSet<Sibling> remote = last.update(DvvSet.of(last.join(), value), otherReplica);
    last = store.merge(partition, KEY, remote);
    return last;
  }

  @Benchmark
  public Optional<DvvSet<Sibling>> read() {
    return store.read(partition, KEY);
  }
}
