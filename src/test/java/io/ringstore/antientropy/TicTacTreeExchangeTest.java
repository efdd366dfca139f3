package io.ringstore.antientropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Level-by-level exchanges between two in-memory replicas, and the key-level helpers. */
class TicTacTreeExchangeTest {

  /** One replica of a partition: its objects and its incrementally maintained tree. */
  static final class Replica {
    final TreeMap<ByteKey, byte[]> data = new TreeMap<>();
    final TicTacTree tree;

    Replica(int segments) {
      tree = new TicTacTree(segments);
    }

    void put(ByteKey key, byte[] object) {
      tree.update(key.bytes(), data.put(key, object), object);
    }

    void delete(ByteKey key) {
      tree.update(key.bytes(), data.remove(key), null);
    }

    /** What a storage scan filtered by segment would produce. */
    KeyHashes keyHashes(int[] segments) {
      KeyHashes.Builder builder = KeyHashes.builder(tree.shape(), segments);
      data.forEach((key, object) -> builder.add(key.bytes(), object));
      return builder.build();
    }
  }

  /** The outcome of one exchange, level by level. */
  record Exchange(int[] branches, int[] segments, List<byte[]> keys) {
    Exchange {
      keys = List.copyOf(keys);
    }

    TreeSet<ByteKey> keySet() {
      return keys.stream().map(ByteKey::new).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /**
   * Walks down as an exchange session would: root, branches, the segments of differing branches,
   * then the key hashes of differing segments. The peer is only seen through a shipped snapshot.
   */
  static Exchange exchange(Replica mine, Replica theirs) {
    TreeSnapshot peer = theirs.tree.snapshot();
    if (mine.tree.root() == peer.root()) {
      return new Exchange(new int[0], new int[0], List.of());
    }
    int[] branches = TicTacTree.differingBranches(mine.tree.branchHashes(), peer.branchHashes());
    int[] candidates = mine.tree.shape().segmentsOfBranches(branches);
    int[] segments =
        TicTacTree.differingSegments(
            candidates, mine.tree.segmentHashes(candidates), peer.segmentHashes(candidates));
    List<byte[]> keys = mine.keyHashes(segments).differingKeys(theirs.keyHashes(segments));
    return new Exchange(branches, segments, keys);
  }

  /** Repairs the given keys on both replicas: the present object wins, else the larger one. */
  static void repair(Replica a, Replica b, List<byte[]> keys) {
    for (byte[] raw : keys) {
      ByteKey key = new ByteKey(raw);
      byte[] x = a.data.get(key);
      byte[] y = b.data.get(key);
      byte[] winner = x == null ? y : y == null ? x : Arrays.compareUnsigned(x, y) >= 0 ? x : y;
      a.put(key, winner);
      b.put(key, winner);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static void fill(Random random, int count, Replica... replicas) {
    for (int i = 0; i < count; i++) {
      ByteKey key = ByteKey.of("user:" + random.nextInt(1_000_000_000) + ":" + i);
      byte[] object = new byte[1 + random.nextInt(40)];
      random.nextBytes(object);
      for (Replica r : replicas) {
        r.put(key, object);
      }
    }
  }

  static void assertConverged(Replica a, Replica b, String why) {
    assertEquals(a.tree.root(), b.tree.root(), () -> why + ": roots");
    assertEquals(a.tree.snapshot(), b.tree.snapshot(), () -> why + ": snapshots");
    assertEquals(a.data.keySet(), b.data.keySet(), () -> why + ": key sets");
    a.data.forEach(
        (key, object) ->
            assertArrayEquals(object, b.data.get(key), () -> why + ": object of " + key));
  }

  // ---- one difference ----

  static Stream<Arguments> singleDifferences() {
    BiConsumer<Replica, Replica> missingOnMine = (mine, theirs) -> mine.delete(ByteKey.of("odd"));
    BiConsumer<Replica, Replica> missingOnTheirs =
        (mine, theirs) -> theirs.delete(ByteKey.of("odd"));
    BiConsumer<Replica, Replica> differentObject =
        (mine, theirs) -> theirs.put(ByteKey.of("odd"), utf8("newer"));
    BiConsumer<Replica, Replica> oneByteFlipped =
        (mine, theirs) -> mine.put(ByteKey.of("odd"), utf8("older!"));
    return Stream.of(
        Arguments.of(1024, "missing on mine", missingOnMine),
        Arguments.of(1024, "missing on theirs", missingOnTheirs),
        Arguments.of(1024, "different object", differentObject),
        Arguments.of(1024, "one byte changed", oneByteFlipped),
        Arguments.of(16, "different object", differentObject),
        Arguments.of(1, "missing on theirs", missingOnTheirs),
        Arguments.of(1 << 16, "missing on mine", missingOnMine));
  }

  @ParameterizedTest(name = "{0} segments, {1}")
  @MethodSource("singleDifferences")
  void aSingleDifferingKeyShowsInExactlyOneBranchSegmentAndKey(
      int segments, String why, BiConsumer<Replica, Replica> diverge) {
    Replica mine = new Replica(segments);
    Replica theirs = new Replica(segments);
    fill(new Random(segments), 500, mine, theirs);
    ByteKey odd = ByteKey.of("odd");
    mine.put(odd, utf8("older"));
    theirs.put(odd, utf8("older"));
    assertConverged(mine, theirs, "before diverging");

    diverge.accept(mine, theirs);

    assertNotEquals(mine.tree.root(), theirs.tree.root(), why + ": roots differ");
    int segment = mine.tree.segmentOf(odd.bytes());
    Exchange found = exchange(mine, theirs);
    assertArrayEquals(
        new int[] {mine.tree.shape().branchOf(segment)}, found.branches(), why + ": branches");
    assertArrayEquals(new int[] {segment}, found.segments(), why + ": segments");
    assertEquals(List.of(odd), List.copyOf(found.keySet()), why + ": keys");
    assertEquals(found.keySet(), exchange(theirs, mine).keySet(), why + ": symmetric");
  }

  @Test
  void replicasWithEqualContentsExchangeNothing() {
    Replica mine = new Replica(1024);
    Replica theirs = new Replica(1024);
    fill(new Random(5), 2_000, mine, theirs);
    Exchange found = exchange(mine, theirs);
    assertEquals(0, found.branches().length, "branches");
    assertEquals(0, found.segments().length, "segments");
    assertTrue(found.keys().isEmpty(), "keys");
  }

  // ---- many differences, full exchange and repair ----

  static Stream<Arguments> divergences() {
    return Stream.of(
        Arguments.of(1L, 1024, 3_000, 1),
        Arguments.of(2L, 1024, 3_000, 5),
        Arguments.of(3L, 1024, 3_000, 20),
        Arguments.of(4L, 256, 2_000, 40),
        Arguments.of(5L, 64, 1_000, 100),
        Arguments.of(6L, 4096, 5_000, 12),
        Arguments.of(7L, 1024, 0, 10));
  }

  @ParameterizedTest(name = "seed {0}: {3} differences in {2} keys, {1} segments")
  @MethodSource("divergences")
  void anExchangeFindsEveryDifferenceAndRepairConverges(
      long seed, int segments, int common, int differences) {
    Random random = new Random(seed);
    Replica mine = new Replica(segments);
    Replica theirs = new Replica(segments);
    fill(random, common, mine, theirs);
    List<ByteKey> shared = List.copyOf(mine.data.keySet());
    TreeSet<ByteKey> injected = new TreeSet<>();
    while (injected.size() < differences) {
      int kind = shared.isEmpty() ? random.nextInt(2) : random.nextInt(4);
      ByteKey key =
          kind < 2
              ? ByteKey.of("fresh:" + random.nextLong())
              : shared.get(random.nextInt(shared.size()));
      if (!injected.add(key)) {
        continue;
      }
      byte[] object = ("v" + random.nextInt()).getBytes(StandardCharsets.UTF_8);
      switch (kind) {
        case 0 -> mine.put(key, object);
        case 1 -> theirs.put(key, object);
        case 2 -> theirs.put(key, object);
        default -> mine.delete(key);
      }
    }

    Exchange found = exchange(mine, theirs);

    assertEquals(injected, found.keySet(), () -> "seed " + seed + ": differing keys");
    TreeSet<Integer> expectedSegments = new TreeSet<>();
    injected.forEach(key -> expectedSegments.add(mine.tree.segmentOf(key.bytes())));
    assertEquals(
        expectedSegments,
        IntStream.of(found.segments()).boxed().collect(Collectors.toCollection(TreeSet::new)),
        () -> "seed " + seed + ": exactly the segments of the differing keys");
    assertEquals(
        found.keySet(), exchange(theirs, mine).keySet(), () -> "seed " + seed + ": symmetric");

    repair(mine, theirs, found.keys());

    assertConverged(mine, theirs, "seed " + seed + " after repair");
    assertTrue(exchange(mine, theirs).keys().isEmpty(), "nothing left to repair");
  }

  // ---- key level ----

  static Map<ByteKey, Long> hashes(Object... keyAndHash) {
    Map<ByteKey, Long> map = new HashMap<>();
    for (int i = 0; i < keyAndHash.length; i += 2) {
      map.put(ByteKey.of((String) keyAndHash[i]), (Long) keyAndHash[i + 1]);
    }
    return map;
  }

  static Stream<Arguments> keyDiffs() {
    return Stream.of(
        Arguments.of(hashes(), hashes(), List.of(), "both empty"),
        Arguments.of(hashes("a", 1L, "b", 2L), hashes("a", 1L, "b", 2L), List.of(), "equal"),
        Arguments.of(hashes("a", 1L), hashes(), List.of("a"), "missing on theirs"),
        Arguments.of(hashes(), hashes("z", 1L), List.of("z"), "missing on mine"),
        Arguments.of(hashes("a", 1L, "b", 2L), hashes("a", 1L, "b", 3L), List.of("b"), "hash"),
        Arguments.of(
            hashes("c", 1L, "a", 5L, "b", 2L),
            hashes("b", 2L, "d", 4L, "a", 6L),
            List.of("a", "c", "d"),
            "mixed, sorted"));
  }

  @ParameterizedTest(name = "differingKeys: {3}")
  @MethodSource("keyDiffs")
  void differingKeysListsMissingAndChangedKeysInOrder(
      Map<ByteKey, Long> mine, Map<ByteKey, Long> theirs, List<String> expected, String why) {
    List<String> found =
        KeyHashes.differingKeys(mine, theirs).stream()
            .map(b -> new String(b, StandardCharsets.UTF_8))
            .toList();
    assertEquals(expected, found, why);
  }

  @Test
  void keyHashesBuilderKeepsOnlyTheAskedSegments() {
    TreeShape shape = new TreeShape(16);
    KeyHashes.Builder builder = KeyHashes.builder(shape, new int[] {3, 9});
    int kept = 0;
    for (int i = 0; i < 400; i++) {
      byte[] key = utf8("k" + i);
      int segment = shape.segmentOf(key);
      boolean wanted = segment == 3 || segment == 9;
      assertEquals(wanted, builder.add(key, utf8("v" + i)), "k" + i + " in segment " + segment);
      kept += wanted ? 1 : 0;
    }
    KeyHashes built = builder.build();
    assertEquals(kept, built.size(), "kept keys");
    built
        .hashes()
        .forEach(
            (key, hash) -> {
              int segment = shape.segmentOf(key.bytes());
              assertTrue(segment == 3 || segment == 9, key + " is in an asked segment");
              String value = "v" + new String(key.bytes(), StandardCharsets.UTF_8).substring(1);
              assertEquals(
                  TicTacTree.entryHash(key.bytes(), utf8(value)), hash, key + ": its entry hash");
            });
  }

  // ---- ByteKey ----

  static Stream<Arguments> byteOrder() {
    return Stream.of(
        Arguments.of(new byte[] {}, new byte[] {0}, "prefix first"),
        Arguments.of(new byte[] {1}, new byte[] {(byte) 0xff}, "0xff is the largest byte"),
        Arguments.of(new byte[] {0x7f}, new byte[] {(byte) 0x80}, "unsigned, not signed"),
        Arguments.of(new byte[] {1, 2}, new byte[] {1, 3}, "last byte decides"),
        Arguments.of(new byte[] {1, 2, 3}, new byte[] {2}, "first byte decides"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("byteOrder")
  void byteKeysOrderUnsignedLexicographically(byte[] smaller, byte[] larger, String why) {
    ByteKey a = new ByteKey(smaller);
    ByteKey b = new ByteKey(larger);
    assertTrue(a.compareTo(b) < 0, why + ": a < b");
    assertTrue(b.compareTo(a) > 0, why + ": b > a");
    assertNotEquals(a, b, why + ": not equal");
  }

  @Test
  void byteKeysCompareByContentAndCopyTheirBytes() {
    byte[] raw = utf8("key");
    ByteKey key = new ByteKey(raw);
    raw[0] = 'X';
    assertEquals(ByteKey.of("key"), key, "constructor copies");
    assertEquals(ByteKey.of("key").hashCode(), key.hashCode(), "hashCode by content");
    assertEquals(0, key.compareTo(ByteKey.of("key")), "compareTo by content");
    key.bytes()[0] = 'Y';
    assertArrayEquals(utf8("key"), key.bytes(), "accessor copies");
    assertEquals("ByteKey[key]", key.toString(), "text keys print as text");
    assertEquals("ByteKey[0xff00]", new ByteKey(new byte[] {(byte) 0xff, 0}).toString(), "hex");
  }
}
