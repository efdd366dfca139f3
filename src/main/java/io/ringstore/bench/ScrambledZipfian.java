package io.ringstore.bench;

import java.util.SplittableRandom;

/**
 * YCSB's scrambled zipfian distribution (zipfian constant 0.99): a zipfian choice over a fixed
 * space of ten billion items (zeta precomputed, as YCSB does), hashed with 64-bit FNV-1 and reduced
 * modulo the record count, so the popular records are spread over the key space instead of being
 * the lowest numbers. The hottest record gets about {@code 1 / zeta(10^10, 0.99)} ≈ 3.8 % of the
 * choices whatever the record count. Ported from YCSB's {@code ScrambledZipfianGenerator} and
 * {@code ZipfianGenerator} (Gray et al., "Quickly generating billion-record synthetic databases").
 */
public final class ScrambledZipfian implements KeyChooser {
  static final double ZIPFIAN_CONSTANT = 0.99;
  static final long ITEM_COUNT = 10_000_000_000L;

  /** zeta(ITEM_COUNT, 0.99), YCSB's precomputed constant. */
  static final double ZETAN = 26.46902820178302;

  private static final long FNV_OFFSET_BASIS_64 = 0xCBF29CE484222325L;
  private static final long FNV_PRIME_64 = 1099511628211L;

  private final long records;
  private final double theta = ZIPFIAN_CONSTANT;
  private final double alpha = 1.0 / (1.0 - theta);
  private final double eta;
  private final double half = Math.pow(0.5, theta);

  public ScrambledZipfian(long records) {
    if (records < 1) {
      throw new IllegalArgumentException("records must be at least 1, got " + records);
    }
    this.records = records;
    double zeta2theta = 1.0 + half;
    this.eta = (1 - Math.pow(2.0 / ITEM_COUNT, 1 - theta)) / (1 - zeta2theta / ZETAN);
  }

  @Override
  public long records() {
    return records;
  }

  @Override
  public long next(SplittableRandom random) {
    return Math.floorMod(fnv1a64(zipfian(random.nextDouble())), records);
  }

  /** The unscrambled zipfian item (0 most popular) for a uniform {@code u} in [0, 1). */
  long zipfian(double u) {
    double uz = u * ZETAN;
    if (uz < 1.0) {
      return 0;
    }
    if (uz < 1.0 + half) {
      return 1;
    }
    return (long) (ITEM_COUNT * Math.pow(eta * u - eta + 1, alpha));
  }

  /**
   * YCSB's {@code Utils.fnvhash64}: FNV over the eight bytes, low byte first, made non-negative.
   */
  static long fnv1a64(long value) {
    long hash = FNV_OFFSET_BASIS_64;
    long v = value;
    for (int i = 0; i < 8; i++) {
      hash ^= v & 0xff;
      v >>= 8;
      hash *= FNV_PRIME_64;
    }
    return hash & Long.MAX_VALUE;
  }
}
