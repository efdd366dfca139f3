package io.ringstore.antientropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TicTacTreeTest {

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<Map.Entry<byte[], byte[]>> entries(Map<ByteKey, byte[]> contents) {
    List<Map.Entry<byte[], byte[]>> list = new ArrayList<>();
    contents.forEach((k, v) -> list.add(new SimpleImmutableEntry<>(k.bytes(), v)));
    return list;
  }

  static byte[] randomBytes(Random random, int maxLength) {
    byte[] b = new byte[random.nextInt(maxLength + 1)];
    random.nextBytes(b);
    return b;
  }

  // ---- shape ----

  static Stream<Arguments> shapes() {
    return Stream.of(
        Arguments.of(1, 1, 1),
        Arguments.of(2, 1, 2),
        Arguments.of(4, 2, 2),
        Arguments.of(8, 2, 4),
        Arguments.of(256, 16, 16),
        Arguments.of(1024, 32, 32),
        Arguments.of(2048, 32, 64),
        Arguments.of(1 << 20, 1024, 1024));
  }

  @ParameterizedTest(name = "{0} segments = {1} branches x {2}")
  @MethodSource("shapes")
  void shapeGroupsSegmentsIntoEqualContiguousBranches(int segments, int branches, int width) {
    TicTacTree tree = new TicTacTree(segments);
    assertEquals(segments, tree.segmentCount(), "segment count");
    assertEquals(branches, tree.branchCount(), () -> "branch count of " + segments);
    assertEquals(width, tree.shape().segmentsPerBranch(), () -> "branch width of " + segments);
    int[] all =
        IntStream.range(0, branches).flatMap(b -> IntStream.of(tree.segmentsOfBranch(b))).toArray();
    assertArrayEquals(
        IntStream.range(0, segments).toArray(), all, "branches in order cover every segment once");
    for (int s = 0; s < segments; s += Math.max(1, segments / 64)) {
      int segment = s;
      assertEquals(
          segment / width, tree.shape().branchOf(segment), () -> "branch of segment " + segment);
    }
  }

  @ParameterizedTest(name = "segments = {0} is rejected")
  @ValueSource(ints = {0, -1, -1024, 3, 1000, 1023, (1 << 20) + 1, 1 << 21, Integer.MIN_VALUE})
  void invalidSegmentCountsAreRejected(int segments) {
    assertThrows(
        IllegalArgumentException.class,
        () -> new TicTacTree(segments),
        () -> "segments " + segments);
  }

  @Test
  void defaultTreeHas1024SegmentsIn32Branches() {
    TicTacTree tree = new TicTacTree();
    assertEquals(1024, TicTacTree.DEFAULT_SEGMENTS, "documented default");
    assertEquals(1024, tree.segmentCount(), "default segments");
    assertEquals(32, tree.branchCount(), "default branches");
    assertEquals(0L, tree.root(), "empty root");
  }

  @Test
  void outOfRangeIdsAreRejected() {
    TicTacTree tree = new TicTacTree(16);
    assertThrows(IllegalArgumentException.class, () -> tree.segmentsOfBranch(4), "branch 4 of 4");
    assertThrows(IllegalArgumentException.class, () -> tree.segmentsOfBranch(-1), "branch -1");
    assertThrows(
        IllegalArgumentException.class, () -> tree.segmentHashes(new int[] {16}), "segment 16");
    assertThrows(
        IllegalArgumentException.class,
        () -> tree.snapshot().segmentHashes(new int[] {-1}),
        "snapshot segment -1");
  }

  // ---- hashing ----

  /** Key hashes are the independent vectors of KeyHashTest; the segment is their low bits. */
  static Stream<Arguments> segmentVectors() {
    return Stream.of(
        Arguments.of("hello", 0xcbd8a7b341bd9b02L),
        Arguments.of("a", 0x85555565f6597889L),
        Arguments.of("The quick brown fox jumps over the lazy dog", 0xe34bbc7bbc071b6cL),
        Arguments.of("ключ-ü-€", 0x0083ac5c43eb19f7L));
  }

  @ParameterizedTest(name = "segmentOf({0})")
  @MethodSource("segmentVectors")
  void segmentIsTheLowBitsOfTheKeyHash(String key, long keyHash) {
    for (int segments : new int[] {1, 16, 1024, 1 << 20}) {
      int expected = (int) (keyHash & (segments - 1));
      assertEquals(
          expected,
          new TicTacTree(segments).segmentOf(utf8(key)),
          () -> "segment of '" + key + "' with " + segments + " segments");
    }
  }

  /**
   * Pinned so a change of the entry hash (which peers must agree on) cannot go unnoticed. The
   * values were reproduced by a separate Python implementation of the documented formula over a
   * MurmurHash3 that matches KeyHashTest's vectors.
   */
  @Test
  void entryHashIsFixed() {
    assertEquals(
        0xaa1d2904fcdbda07L, TicTacTree.entryHash(utf8("hello"), utf8("world")), "hello=world");
    assertEquals(
        0xc25abb1cbd5e0221L, TicTacTree.entryHash(new byte[0], new byte[0]), "empty key, object");
  }

  static Stream<Arguments> entryHashChanges() {
    return Stream.of(
        Arguments.of("k", "v", "k", "w", "value changed"),
        Arguments.of("k", "v", "j", "v", "key changed"),
        Arguments.of("ab", "c", "a", "bc", "bytes moved from value to key"),
        Arguments.of("k", "", "k", "\0", "empty vs one zero byte"),
        Arguments.of("k", "v", "v", "k", "key and value swapped"),
        Arguments.of("", "v", "v", "", "empty key vs empty value"));
  }

  @ParameterizedTest(name = "{4}")
  @MethodSource("entryHashChanges")
  void entryHashChangesWhenKeyOrValueChanges(
      String key1, String value1, String key2, String value2, String why) {
    assertNotEquals(
        TicTacTree.entryHash(utf8(key1), utf8(value1)),
        TicTacTree.entryHash(utf8(key2), utf8(value2)),
        why);
  }

  // ---- updates ----

  @Test
  void addThenRemoveLeavesAnEmptyTree() {
    TicTacTree tree = new TicTacTree(64);
    tree.update(utf8("k1"), null, utf8("v1"));
    tree.update(utf8("k2"), null, utf8("v2"));
    assertNotEquals(0L, tree.root(), "root after two inserts");
    tree.update(utf8("k1"), utf8("v1"), utf8("v1b"));
    tree.update(utf8("k1"), utf8("v1b"), null);
    tree.update(utf8("k2"), utf8("v2"), null);
    assertEquals(new TicTacTree(64).snapshot(), tree.snapshot(), "all segments back to zero");
  }

  @Test
  void noOpUpdatesChangeNothing() {
    TicTacTree tree =
        TicTacTree.rebuild(64, List.of(new SimpleImmutableEntry<>(utf8("k"), utf8("v"))));
    TreeSnapshot before = tree.snapshot();
    tree.update(utf8("k"), utf8("v"), utf8("v"));
    tree.update(utf8("other"), null, null);
    assertEquals(before, tree.snapshot(), "rewriting the same object, or null to null");
  }

  @Test
  void anUpdateTouchesOnlyTheKeysSegmentAndBranch() {
    TicTacTree tree = new TicTacTree(256);
    TreeSnapshot before = tree.snapshot();
    byte[] key = utf8("only-me");
    tree.add(key, utf8("v"));
    int segment = tree.segmentOf(key);
    assertArrayEquals(
        new int[] {segment},
        TicTacTree.differingSegments(
            IntStream.range(0, 256).toArray(), before.segments(), tree.snapshot().segments()),
        "changed segments");
    assertArrayEquals(
        new int[] {tree.shape().branchOf(segment)},
        TicTacTree.differingBranches(before.branchHashes(), tree.branchHashes()),
        "changed branches");
    assertEquals(TicTacTree.entryHash(key, utf8("v")), tree.root(), "root of a single entry");
  }

  static Stream<Arguments> randomHistories() {
    return Stream.of(
        Arguments.of(1L, 1, 500),
        Arguments.of(2L, 8, 2_000),
        Arguments.of(3L, 1024, 5_000),
        Arguments.of(4L, 1024, 20_000),
        Arguments.of(5L, 4096, 10_000),
        Arguments.of(42L, 32, 10_000));
  }

  @ParameterizedTest(name = "seed {0}: {2} ops on {1} segments")
  @MethodSource("randomHistories")
  void incrementalUpdatesEqualARebuildFromScratch(long seed, int segments, int operations) {
    Random random = new Random(seed);
    TicTacTree tree = new TicTacTree(segments);
    Map<ByteKey, byte[]> contents = new HashMap<>();
    List<ByteKey> keys = new ArrayList<>();
    for (int op = 1; op <= operations; op++) {
      int kind = random.nextInt(10);
      if (kind < 5 || keys.isEmpty()) {
        ByteKey key = new ByteKey(randomBytes(random, 24));
        byte[] value = randomBytes(random, 64);
        tree.update(key.bytes(), contents.put(key, value), value);
        if (!keys.contains(key)) {
          keys.add(key);
        }
      } else {
        ByteKey key = keys.get(random.nextInt(keys.size()));
        if (kind < 8) {
          byte[] value = randomBytes(random, 64);
          tree.update(key.bytes(), contents.put(key, value), value);
        } else {
          tree.update(key.bytes(), contents.remove(key), null);
          keys.remove(key);
        }
      }
      if (op % (operations / 5) == 0) {
        int step = op;
        TreeSnapshot rebuilt = TicTacTree.rebuild(segments, entries(contents)).snapshot();
        assertEquals(rebuilt, tree.snapshot(), () -> "seed " + seed + " after op " + step);
      }
    }
    TicTacTree rebuilt = TicTacTree.rebuild(segments, entries(contents));
    assertEquals(rebuilt.root(), tree.root(), "root");
    assertArrayEquals(rebuilt.branchHashes(), tree.branchHashes(), "branches");
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 8, 9, 10})
  void insertionOrderDoesNotMatter(long seed) {
    Random random = new Random(seed);
    List<Map.Entry<byte[], byte[]>> entries = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      entries.add(new SimpleImmutableEntry<>(utf8("key-" + i), randomBytes(random, 32)));
    }
    TreeSnapshot inOrder = TicTacTree.rebuild(1024, entries).snapshot();
    Collections.shuffle(entries, random);
    TreeSnapshot shuffled = TicTacTree.rebuild(1024, entries).snapshot();
    assertEquals(inOrder, shuffled, () -> "shuffled with seed " + seed);
    assertEquals(inOrder.hashCode(), shuffled.hashCode(), "hashCode follows equals");
  }

  @Test
  void identicalContentsReachedByDifferentHistoriesGiveIdenticalTrees() {
    Random random = new Random(11);
    TicTacTree direct = new TicTacTree();
    TicTacTree churned = new TicTacTree();
    for (int i = 0; i < 1_000; i++) {
      byte[] key = utf8("k" + i);
      byte[] value = utf8("v" + i);
      direct.add(key, value);
      byte[] interim = randomBytes(random, 16);
      churned.add(key, interim);
      if (i % 3 == 0) {
        churned.update(key, interim, null);
        churned.add(key, value);
      } else {
        churned.update(key, interim, value);
      }
    }
    for (int i = 0; i < 200; i++) {
      churned.add(utf8("transient" + i), utf8("x"));
      churned.update(utf8("transient" + i), utf8("x"), null);
    }
    assertEquals(direct.root(), churned.root(), "roots");
    assertArrayEquals(direct.branchHashes(), churned.branchHashes(), "branches");
    int[] all = IntStream.range(0, 1024).toArray();
    assertArrayEquals(direct.segmentHashes(all), churned.segmentHashes(all), "segments");
    assertEquals(direct.snapshot(), churned.snapshot(), "snapshots");
  }

  @Test
  void levelsAreConsistentXorsOfEachOther() {
    Random random = new Random(12);
    TicTacTree tree = new TicTacTree(512);
    for (int i = 0; i < 2_000; i++) {
      tree.add(randomBytes(random, 20), randomBytes(random, 20));
    }
    TreeSnapshot snapshot = tree.snapshot();
    long[] branches = tree.branchHashes();
    long xorOfBranches = 0L;
    for (int b = 0; b < branches.length; b++) {
      long xorOfSegments = 0L;
      for (long h : tree.segmentHashes(tree.segmentsOfBranch(b))) {
        xorOfSegments ^= h;
      }
      assertEquals(branches[b], xorOfSegments, "branch " + b + " = XOR of its segments");
      xorOfBranches ^= branches[b];
    }
    assertEquals(tree.root(), xorOfBranches, "root = XOR of branches");
    assertEquals(tree.root(), snapshot.root(), "snapshot root");
    assertArrayEquals(branches, snapshot.branchHashes(), "snapshot branches");
    int[] asked = {511, 0, 37, 37};
    assertArrayEquals(
        tree.segmentHashes(asked), snapshot.segmentHashes(asked), "asked segments, in order asked");
    assertEquals(snapshot.segments()[37], tree.segmentHashes(asked)[2], "segment 37");
  }

  @Test
  void snapshotIsImmutableAndEqualByContent() {
    TicTacTree tree = new TicTacTree(16);
    tree.add(utf8("k"), utf8("v"));
    TreeSnapshot snapshot = tree.snapshot();
    long[] copy = snapshot.segments();
    copy[tree.segmentOf(utf8("k"))] = 0L;
    tree.add(utf8("k2"), utf8("v2"));
    assertNotEquals(0L, snapshot.root(), "mutating the returned array does not reach the snapshot");
    assertEquals(
        TicTacTree.entryHash(utf8("k"), utf8("v")), snapshot.root(), "later updates do not either");
    long[] source = snapshot.segments();
    TreeSnapshot rebuiltFromArray = new TreeSnapshot(source);
    source[0] ^= 1L;
    assertEquals(snapshot, rebuiltFromArray, "equal by content, constructor copies");
    assertThrows(IllegalArgumentException.class, () -> new TreeSnapshot(new long[3]), "3 segments");
  }

  // ---- comparison helpers ----

  static Stream<Arguments> branchDiffs() {
    return Stream.of(
        Arguments.of(new long[] {}, new long[] {}, new int[] {}, "empty"),
        Arguments.of(new long[] {1, 2, 3}, new long[] {1, 2, 3}, new int[] {}, "equal"),
        Arguments.of(new long[] {1, 2, 3}, new long[] {1, 9, 3}, new int[] {1}, "middle"),
        Arguments.of(new long[] {0, 2, 3}, new long[] {1, 2, 4}, new int[] {0, 2}, "ends"),
        Arguments.of(new long[] {-1, 0}, new long[] {0, -1}, new int[] {0, 1}, "all"));
  }

  @ParameterizedTest(name = "differingBranches: {3}")
  @MethodSource("branchDiffs")
  void differingBranchesListsTheDifferingIndices(
      long[] mine, long[] theirs, int[] expected, String why) {
    assertArrayEquals(expected, TicTacTree.differingBranches(mine, theirs), why);
  }

  @Test
  void differingSegmentsReturnsTheAskedIdsThatDiffer() {
    int[] ids = {40, 41, 7, 1000};
    assertArrayEquals(
        new int[] {41, 1000},
        TicTacTree.differingSegments(ids, new long[] {5, 6, 7, 8}, new long[] {5, 0, 7, 9}),
        "ids of differing positions");
    assertArrayEquals(
        new int[] {},
        TicTacTree.differingSegments(ids, new long[] {5, 6, 7, 8}, new long[] {5, 6, 7, 8}),
        "none differ");
  }

  @Test
  void comparingArraysOfDifferentLengthsIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> TicTacTree.differingBranches(new long[2], new long[3]),
        "branches");
    assertThrows(
        IllegalArgumentException.class,
        () -> TicTacTree.differingSegments(new int[2], new long[2], new long[1]),
        "segments");
  }
}
