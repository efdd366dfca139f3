package io.ringstore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Behavioural contract of {@link StorageEngine}, run against every implementation through one
 * subclass each, so {@link InMemoryStorage} is a faithful stand-in for {@link RocksDbStorage}.
 */
abstract class StorageEngineContractTest {

  @TempDir Path tempDir;

  protected StorageEngine engine;

  /** A fresh, empty engine; {@link #tempDir} is available. */
  protected abstract StorageEngine newEngine();

  @BeforeEach
  void openEngine() {
    engine = newEngine();
  }

  @AfterEach
  void closeEngine() {
    engine.close();
  }

  // ---------------------------------------------------------------- helpers

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  static byte[] bytes(int... values) {
    byte[] r = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      r[i] = (byte) values[i];
    }
    return r;
  }

  static byte[] filled(int length, int value) {
    byte[] r = new byte[length];
    Arrays.fill(r, (byte) value);
    return r;
  }

  /** Entries of a scan, keyed by hex of the user key, in visit order. */
  static Map<String, byte[]> scanAll(StorageEngine e, int partition) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    e.scan(partition, (k, v) -> assertNull(out.put(hex(k), v), "key visited twice"));
    return out;
  }

  static List<String> scanKeys(StorageEngine e, int partition) {
    return new ArrayList<>(scanAll(e, partition).keySet());
  }

  static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder("x");
    for (byte x : bytes) {
      sb.append(String.format("%02x", x & 0xFF));
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- basic operations

  @Test
  void getOfMissingKeyIsEmpty() {
    assertTrue(engine.get(1, b("nope")).isEmpty());
  }

  @Test
  void putThenGet() {
    engine.put(1, b("k"), b("v"));
    assertArrayEquals(b("v"), engine.get(1, b("k")).orElseThrow());
  }

  @Test
  void overwriteReplacesValue() {
    engine.put(1, b("k"), b("first"));
    engine.put(1, b("k"), b("second, longer"));
    engine.put(1, b("k"), b("3"));
    assertArrayEquals(b("3"), engine.get(1, b("k")).orElseThrow());
    assertEquals(1, engine.countKeys(1));
  }

  @Test
  void deleteRemovesKeyAndDeletingMissingKeyIsNoOp() {
    engine.put(1, b("k"), b("v"));
    engine.put(1, b("other"), b("w"));
    engine.delete(1, b("k"));
    engine.delete(1, b("never-existed"));
    assertTrue(engine.get(1, b("k")).isEmpty());
    assertArrayEquals(b("w"), engine.get(1, b("other")).orElseThrow());
    engine.put(1, b("k"), b("again"));
    assertArrayEquals(b("again"), engine.get(1, b("k")).orElseThrow());
  }

  @Test
  void sameKeyInDifferentPartitionsIsIndependent() {
    engine.put(1, b("k"), b("one"));
    engine.put(2, b("k"), b("two"));
    engine.delete(1, b("k"));
    assertTrue(engine.get(1, b("k")).isEmpty());
    assertArrayEquals(b("two"), engine.get(2, b("k")).orElseThrow());
    assertTrue(engine.get(3, b("k")).isEmpty());
  }

  @Test
  void syncPutWorks() {
    engine.put(5, b("durable"), b("v1"), true);
    engine.put(5, b("lazy"), b("v2"), false);
    assertArrayEquals(b("v1"), engine.get(5, b("durable")).orElseThrow());
    assertArrayEquals(b("v2"), engine.get(5, b("lazy")).orElseThrow());
  }

  @Test
  void binaryKeysAndValues() {
    byte[][] keys = {
      new byte[0],
      bytes(0),
      bytes(0, 0, 0, 0),
      bytes(0xFF),
      filled(16, 0xFF),
      bytes(0x80, 0x00, 0x7F),
      b("ünïcødé 键")
    };
    for (int i = 0; i < keys.length; i++) {
      engine.put(7, keys[i], bytes(i, 0, 0xFF, i));
    }
    for (int i = 0; i < keys.length; i++) {
      assertArrayEquals(bytes(i, 0, 0xFF, i), engine.get(7, keys[i]).orElseThrow(), hex(keys[i]));
    }
    assertEquals(keys.length, engine.countKeys(7));
  }

  @Test
  void emptyValueIsStoredAndDistinctFromAbsent() {
    engine.put(1, b("empty"), new byte[0]);
    assertArrayEquals(new byte[0], engine.get(1, b("empty")).orElseThrow());
    Map<String, byte[]> all = scanAll(engine, 1);
    assertEquals(1, all.size());
    assertEquals(0, all.get(hex(b("empty"))).length);
  }

  @Test
  void oneMebibyteValue() {
    byte[] big = new byte[1024 * 1024];
    new Random(1).nextBytes(big);
    engine.put(1, b("big"), big);
    assertArrayEquals(big, engine.get(1, b("big")).orElseThrow());
    assertArrayEquals(big, scanAll(engine, 1).get(hex(b("big"))));
  }

  @Test
  void arraysAreNeverShared() {
    byte[] key = b("k");
    byte[] value = b("value");
    engine.put(1, key, value);
    key[0] = 'x';
    value[0] = 'X';
    byte[] read = engine.get(1, b("k")).orElseThrow();
    assertArrayEquals(b("value"), read);
    read[0] = 'Y';
    assertArrayEquals(b("value"), engine.get(1, b("k")).orElseThrow());
    engine.scan(
        1,
        (k, v) -> {
          k[0] = 'z';
          v[0] = 'Z';
        });
    assertArrayEquals(b("value"), engine.get(1, b("k")).orElseThrow());
    assertEquals(List.of(hex(b("k"))), scanKeys(engine, 1));
  }

  @Test
  void nullArgumentsAreRejected() {
    assertThrows(NullPointerException.class, () -> engine.get(1, null));
    assertThrows(NullPointerException.class, () -> engine.put(1, null, b("v")));
    assertThrows(NullPointerException.class, () -> engine.put(1, b("k"), null));
    assertThrows(NullPointerException.class, () -> engine.put(1, b("k"), null, true));
    assertThrows(NullPointerException.class, () -> engine.delete(1, null));
    assertThrows(NullPointerException.class, () -> engine.scan(1, null));
    assertThrows(NullPointerException.class, () -> engine.scanFrom(1, null, 10, null));
  }

  // ---------------------------------------------------------------- scans

  @Test
  void scanVisitsPartitionInUnsignedKeyOrder() {
    List<byte[]> expected =
        new ArrayList<>(
            List.of(
                new byte[0],
                bytes(0),
                bytes(0, 0),
                bytes(1),
                bytes(0x7F),
                bytes(0x80),
                bytes(0xFE, 0xFF),
                bytes(0xFF),
                bytes(0xFF, 0),
                filled(8, 0xFF)));
    List<byte[]> shuffled = new ArrayList<>(expected);
    Collections.shuffle(shuffled, new Random(3));
    for (byte[] k : shuffled) {
      engine.put(9, k, k);
    }
    List<byte[]> visitedKeys = new ArrayList<>();
    engine.scan(
        9,
        (k, v) -> {
          assertArrayEquals(k, v);
          visitedKeys.add(k);
        });
    assertEquals(expected.size(), visitedKeys.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), visitedKeys.get(i), "position " + i);
    }
  }

  @Test
  void scanOfEmptyPartitionVisitsNothing() {
    engine.put(1, b("a"), b("v"));
    engine.put(3, b("a"), b("v"));
    assertEquals(List.of(), scanKeys(engine, 2));
    assertEquals(0, engine.countKeys(2));
    assertNull(
        engine.scanFrom(
            2,
            null,
            10,
            (k, v) -> {
              throw new AssertionError("nothing to visit");
            }));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 255, 65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE, -2, -1})
  void scanNeverCrossesIntoNeighbourPartitions(int p) {
    // Extreme neighbours: the empty and 0xFF-heavy keys right next to p's range on both sides.
    int[] neighbours = {p - 1, p + 1};
    for (int n : neighbours) {
      engine.put(n, new byte[0], b("neighbour"));
      engine.put(n, bytes(0), b("neighbour"));
      engine.put(n, filled(32, 0xFF), b("neighbour"));
    }
    engine.put(p, new byte[0], b("mine-empty"));
    engine.put(p, filled(32, 0xFF), b("mine-ff"));
    engine.put(p, bytes(0xFF, 0xFF, 0xFF, 0xFF), b("mine-ff4"));

    Map<String, byte[]> mine = scanAll(engine, p);
    assertEquals(
        List.of(hex(new byte[0]), hex(bytes(0xFF, 0xFF, 0xFF, 0xFF)), hex(filled(32, 0xFF))),
        new ArrayList<>(mine.keySet()));
    mine.values().forEach(v -> assertTrue(new String(v, UTF_8).startsWith("mine")));
    assertEquals(3, engine.countKeys(p));

    List<String> batched = new ArrayList<>();
    byte[] last = null;
    do {
      last = engine.scanFrom(p, last, 1, (k, v) -> batched.add(hex(k)));
    } while (last != null);
    assertEquals(new ArrayList<>(mine.keySet()), batched);
  }

  @Test
  void partitionsZeroAnd65535AreIsolated() {
    engine.put(0, filled(10, 0xFF), b("p0"));
    engine.put(65535, new byte[0], b("p65535"));
    engine.put(65535, filled(10, 0xFF), b("p65535"));
    engine.put(65536, new byte[0], b("p65536"));
    assertEquals(1, engine.countKeys(0));
    assertEquals(2, engine.countKeys(65535));
    assertEquals(1, engine.countKeys(65536));
    engine.scan(65535, (k, v) -> assertArrayEquals(b("p65535"), v));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 50, 99, 100, 101, 1000})
  void scanFromBatchesCoverEveryKeyExactlyOnceInOrder(int limit) {
    Random random = new Random(limit);
    for (int i = 0; i < 100; i++) {
      byte[] key = new byte[random.nextInt(6)];
      random.nextBytes(key);
      engine.put(4, key, key);
    }
    engine.put(3, b("left"), b("x"));
    engine.put(5, new byte[0], b("x"));
    List<String> expected = scanKeys(engine, 4);

    List<String> seen = new ArrayList<>();
    byte[] last = null;
    int calls = 0;
    do {
      int[] inBatch = {0};
      byte[] previous = last;
      last =
          engine.scanFrom(
              4,
              last,
              limit,
              (k, v) -> {
                assertArrayEquals(k, v);
                seen.add(hex(k));
                inBatch[0]++;
              });
      assertTrue(inBatch[0] <= limit);
      if (last != null) {
        assertEquals(seen.get(seen.size() - 1), hex(last), "returns the last key visited");
        if (previous != null) {
          assertTrue(StorageKeys.UNSIGNED_LEXICOGRAPHIC.compare(previous, last) < 0);
        }
      } else {
        assertEquals(0, inBatch[0]);
      }
      calls++;
    } while (last != null);
    assertEquals(expected, seen);
    assertEquals(expected.size() / limit + 1 + (expected.size() % limit == 0 ? 0 : 1), calls);
  }

  @Test
  void scanFromStartsStrictlyAfterGivenKeyEvenIfAbsent() {
    for (String k : List.of("a", "b", "b\0", "c", "d")) {
      engine.put(1, b(k), b(k));
    }
    List<String> seen = new ArrayList<>();
    byte[] last = engine.scanFrom(1, b("b"), 2, (k, v) -> seen.add(new String(k, UTF_8)));
    assertEquals(List.of("b\0", "c"), seen);
    assertArrayEquals(b("c"), last);

    seen.clear();
    last = engine.scanFrom(1, b("bb"), 10, (k, v) -> seen.add(new String(k, UTF_8)));
    assertEquals(List.of("c", "d"), seen);
    assertArrayEquals(b("d"), last);

    assertNull(engine.scanFrom(1, b("d"), 10, (k, v) -> seen.add("unexpected")));
    assertNull(engine.scanFrom(1, filled(3, 0xFF), 10, (k, v) -> seen.add("unexpected")));
    assertEquals(List.of("c", "d"), seen);

    seen.clear();
    engine.scanFrom(1, new byte[0], 1, (k, v) -> seen.add(new String(k, UTF_8)));
    assertEquals(List.of("a"), seen, "the empty key is a valid start-after key");
  }

  @Test
  void scanFromRejectsNonPositiveLimit() {
    BiConsumer<byte[], byte[]> ignore = (k, v) -> {};
    assertThrows(IllegalArgumentException.class, () -> engine.scanFrom(1, null, 0, ignore));
    assertThrows(IllegalArgumentException.class, () -> engine.scanFrom(1, null, -5, ignore));
  }

  @Test
  void visitorExceptionPropagatesAndEngineStaysUsable() {
    engine.put(1, b("a"), b("1"));
    engine.put(1, b("b"), b("2"));
    IllegalStateException boom = new IllegalStateException("boom");
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                engine.scan(
                    1,
                    (k, v) -> {
                      throw boom;
                    }));
    assertSame(boom, thrown);
    assertEquals(2, engine.countKeys(1));
  }

  @Test
  void visitorMayWriteToTheEngine() {
    for (int i = 0; i < 20; i++) {
      engine.put(1, b("k" + i), b("v" + i));
    }
    // copy partition 1 into partition 2 from inside the scan, as a hand-off would
    engine.scan(1, (k, v) -> engine.put(2, k, v));
    assertEquals(scanKeys(engine, 1), scanKeys(engine, 2));
  }

  // ---------------------------------------------------------------- count and drop

  @Test
  void countKeysCountsOnlyThatPartition() {
    for (int i = 0; i < 250; i++) {
      engine.put(10, b("k" + i), b("v"));
    }
    for (int i = 0; i < 7; i++) {
      engine.put(11, b("k" + i), b("v"));
    }
    engine.delete(10, b("k0"));
    assertEquals(249, engine.countKeys(10));
    assertEquals(7, engine.countKeys(11));
    assertEquals(0, engine.countKeys(12));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 65535, Integer.MAX_VALUE, Integer.MIN_VALUE, -2, -1})
  void dropPartitionRemovesOnlyThatPartition(int p) {
    for (int n : new int[] {p - 1, p, p + 1}) {
      engine.put(n, new byte[0], b("v"));
      engine.put(n, b("middle"), b("v"));
      engine.put(n, filled(20, 0xFF), b("v"));
    }
    engine.dropPartition(p);
    assertEquals(0, engine.countKeys(p));
    assertTrue(engine.get(p, b("middle")).isEmpty());
    assertTrue(engine.get(p, filled(20, 0xFF)).isEmpty());
    assertEquals(List.of(), scanKeys(engine, p));
    for (int n : new int[] {p - 1, p + 1}) {
      if (n == p) {
        continue;
      }
      assertEquals(3, engine.countKeys(n), "neighbour " + Integer.toUnsignedString(n));
      assertArrayEquals(b("v"), engine.get(n, filled(20, 0xFF)).orElseThrow());
    }
    engine.put(p, b("after"), b("new"));
    assertEquals(1, engine.countKeys(p));
  }

  @Test
  void dropOfEmptyPartitionIsNoOp() {
    engine.put(1, b("k"), b("v"));
    engine.dropPartition(2);
    engine.dropPartition(-1);
    assertEquals(1, engine.countKeys(1));
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  void concurrentWritersAndReaders() throws Exception {
    int threads = 8;
    int perThread = 300;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                (Callable<Void>)
                    () -> {
                      start.await();
                      for (int i = 0; i < perThread; i++) {
                        byte[] key = b(thread + "-" + i);
                        engine.put(thread % 3, key, key, i % 50 == 0);
                        assertArrayEquals(key, engine.get(thread % 3, key).orElseThrow());
                        if (i % 10 == 0) {
                          engine.countKeys((thread + 1) % 3);
                        }
                      }
                      return null;
                    }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    long total = engine.countKeys(0) + engine.countKeys(1) + engine.countKeys(2);
    assertEquals((long) threads * perThread, total);
  }

  // ---------------------------------------------------------------- lifecycle

  @Test
  void everyOperationFailsAfterCloseAndCloseIsIdempotent() {
    engine.put(1, b("k"), b("v"));
    engine.close();
    engine.close();
    BiConsumer<byte[], byte[]> ignore = (k, v) -> {};
    assertThrows(IllegalStateException.class, () -> engine.get(1, b("k")));
    assertThrows(IllegalStateException.class, () -> engine.put(1, b("k"), b("v")));
    assertThrows(IllegalStateException.class, () -> engine.put(1, b("k"), b("v"), true));
    assertThrows(IllegalStateException.class, () -> engine.delete(1, b("k")));
    assertThrows(IllegalStateException.class, () -> engine.scan(1, ignore));
    assertThrows(IllegalStateException.class, () -> engine.scanFrom(1, null, 10, ignore));
    assertThrows(IllegalStateException.class, () -> engine.countKeys(1));
    assertThrows(IllegalStateException.class, () -> engine.dropPartition(1));
    assertFalse(Thread.currentThread().isInterrupted());
  }
}
