package io.ringstore.bench;

import java.util.SplittableRandom;

/**
 * Picks record numbers in {@code 0..records-1} for reads and updates. Implementations are immutable
 * and thread-safe: the randomness comes from the caller's generator, so a seeded generator gives a
 * reproducible sequence.
 */
public interface KeyChooser {

  /** The next record number, in {@code 0..records()-1}. */
  long next(SplittableRandom random);

  /** How many records the keys range over. */
  long records();

  /** The key of record {@code n}, as YCSB names it. */
  static String key(long n) {
    return "user" + n;
  }

  /** The distributions {@code --distribution} accepts. */
  enum Distribution {
    ZIPFIAN,
    UNIFORM;

    public KeyChooser over(long records) {
      return this == ZIPFIAN ? new ScrambledZipfian(records) : new Uniform(records);
    }
  }

  /** Every record equally likely. */
  record Uniform(long records) implements KeyChooser {
    public Uniform {
      if (records < 1) {
        throw new IllegalArgumentException("records must be at least 1, got " + records);
      }
    }

    @Override
    public long next(SplittableRandom random) {
      return random.nextLong(records);
    }
  }
}
