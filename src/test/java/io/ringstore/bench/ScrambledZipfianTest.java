package io.ringstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScrambledZipfianTest {

  @ParameterizedTest(name = "{0} over {1} records stays in range")
  @CsvSource({
    "ZIPFIAN, 1",
    "ZIPFIAN, 7",
    "ZIPFIAN, 1000",
    "ZIPFIAN, 100000",
    "ZIPFIAN, 1000000000",
    "UNIFORM, 1",
    "UNIFORM, 7",
    "UNIFORM, 100000"
  })
  void choicesStayInRange(KeyChooser.Distribution distribution, long records) {
    KeyChooser keys = distribution.over(records);
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 50_000; i++) {
      long n = keys.next(random);
      assertTrue(
          n >= 0 && n < records, distribution + " chose " + n + " outside 0.." + (records - 1));
    }
  }

  @Test
  void theHottestRecordGetsAboutOneOverZetaOfTheChoices() {
    KeyChooser keys = new ScrambledZipfian(100_000);
    SplittableRandom random = new SplittableRandom(7);
    int draws = 400_000;
    Map<Long, Integer> counts = new HashMap<>();
    for (int i = 0; i < draws; i++) {
      counts.merge(keys.next(random), 1, Integer::sum);
    }
    double hottest =
        counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow() / (double) draws;
    double expected = 1 / ScrambledZipfian.ZETAN; // ≈ 3.78 %
    long hottestKey =
        counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    assertEquals(
        Math.floorMod(ScrambledZipfian.fnv1a64(0), 100_000L),
        hottestKey,
        "the hottest record is zipfian item 0 scrambled by FNV, not record 0");
    assertTrue(
        hottest > expected * 0.85 && hottest < expected * 1.3,
        "hottest record's share " + hottest + ", expected about " + expected);
    long top10 =
        counts.values().stream()
            .sorted((a, b) -> b - a)
            .limit(10)
            .mapToLong(Integer::longValue)
            .sum();
    assertTrue(
        top10 / (double) draws > 0.08,
        "the 10 hottest records are skewed: " + top10 / (double) draws);
    assertTrue(counts.size() > 20_000, "the tail is spread over many records: " + counts.size());
  }

  @Test
  void theUnscrambledItemsFollowZipfsLaw() {
    ScrambledZipfian keys = new ScrambledZipfian(100_000);
    assertEquals(0, keys.zipfian(0.0), "the lowest draws are the most popular item");
    assertEquals(
        0, keys.zipfian(0.99 / ScrambledZipfian.ZETAN), "item 0 takes 1/zeta of the draws");
    assertEquals(1, keys.zipfian(1.01 / ScrambledZipfian.ZETAN), "item 1 comes next");
    assertTrue(keys.zipfian(0.999) > 1_000_000, "the top draws fall in the long tail");
  }

  @ParameterizedTest(name = "{0}: the same seed gives the same choices")
  @EnumSource(KeyChooser.Distribution.class)
  void aSeedMakesTheChoicesReproducible(KeyChooser.Distribution distribution) {
    KeyChooser keys = distribution.over(100_000);
    SplittableRandom a = new SplittableRandom(99);
    SplittableRandom b = new SplittableRandom(99);
    long[] first = LongStream.range(0, 1000).map(i -> keys.next(a)).toArray();
    long[] second = LongStream.range(0, 1000).map(i -> keys.next(b)).toArray();
    assertEquals(Arrays.toString(first), Arrays.toString(second));
  }

  @ParameterizedTest(name = "uniform over 10 records, seed {0}: every record about 10 %")
  @ValueSource(longs = {1, 2, 3})
  void uniformIsFlat(long seed) {
    KeyChooser keys = KeyChooser.Distribution.UNIFORM.over(10);
    SplittableRandom random = new SplittableRandom(seed);
    int[] counts = new int[10];
    for (int i = 0; i < 100_000; i++) {
      counts[(int) keys.next(random)]++;
    }
    for (int i = 0; i < 10; i++) {
      assertTrue(
          counts[i] > 9_000 && counts[i] < 11_000,
          "record " + i + " chosen " + counts[i] + " times");
    }
  }

  @Test
  void recordsMustBePositive() {
    Assertions.assertThrows(IllegalArgumentException.class, () -> new ScrambledZipfian(0));
  }
}
