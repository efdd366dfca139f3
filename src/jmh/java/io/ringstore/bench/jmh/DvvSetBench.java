package io.ringstore.bench.jmh;

import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import io.ringstore.version.VersionVector;
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
 * The dotted-version-vector operations of the write and replication paths, on a stored object whose
 * history holds {@code actors} actors and which has {@code siblings} concurrent values (100 B each;
 * the operations never look inside a value except to compare anonymous ones).
 *
 * <ul>
 *   <li>{@code updateWithContext}: the coordinator applies a client write that read the object
 *       first (its context covers every sibling, so the result has one value);
 *   <li>{@code updateBlind}: a write without context (the value becomes one more sibling);
 *   <li>{@code syncNewer}: a replica merges the newer object the coordinator sends;
 *   <li>{@code syncEqual}: merge of an equal object (read repair / anti-entropy that finds
 *       nothing);
 *   <li>{@code join}: the causal context a read returns.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DvvSetBench {

  @Param({"1", "3"})
  public int siblings;

  @Param({"3", "12"})
  public int actors;

  private String coordinator;
  private DvvSet<Sibling> current;
  private DvvSet<Sibling> equalCopy;
  private DvvSet<Sibling> newer;
  private VersionVector context;
  private Sibling value;

  @Setup
  public void setUp() {
    List<String> ids = BenchData.actors(actors, 7);
    coordinator = ids.get(0);
    current = BenchData.object(ids, siblings, 100);
    equalCopy = StoredObjectCodec.decode(StoredObjectCodec.encode(current));
    context = current.join();
    value = BenchData.sibling(100, 99);
    newer = current.update(DvvSet.of(context, value), ids.get(ids.size() - 1));
  }

  @Benchmark
  public DvvSet<Sibling> updateWithContext() {
    return current.update(DvvSet.of(context, value), coordinator);
  }

  @Benchmark
  public DvvSet<Sibling> updateBlind() {
    return current.update(DvvSet.of(value), coordinator);
  }

  @Benchmark
  public DvvSet<Sibling> syncNewer() {
    return current.sync(newer);
  }

  @Benchmark
  public DvvSet<Sibling> syncEqual() {
    return current.sync(equalCopy);
  }

  @Benchmark
  public VersionVector join() {
    return current.join();
  }
}
