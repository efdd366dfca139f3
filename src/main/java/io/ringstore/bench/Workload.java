package io.ringstore.bench;

import java.util.Locale;

/**
 * The YCSB core workloads ringstore's bench runs: the write-only load phase and the mixes A, B and
 * C, each with its share of reads in a run phase ({@link #readProportion()}; the rest are updates).
 */
public enum Workload {
  /**
   * Inserts every record {@code 0..records-1} once, then stops (or at the duration if that comes
   * first).
   */
  LOAD(0.0, 0),
  /** Update heavy: 50 % reads, 50 % updates. */
  A(0.5, 1),
  /** Read mostly: 95 % reads, 5 % updates. */
  B(0.95, 2),
  /** Read only. */
  C(1.0, 3);

  private final double readProportion;
  private final int seedOffset;

  Workload(double readProportion, int seedOffset) {
    this.readProportion = readProportion;
    this.seedOffset = seedOffset;
  }

  public double readProportion() {
    return readProportion;
  }

  /**
   * Added to a connection's random seed, so each workload draws its own sequence from one {@code
   * --random-seed}; fixed per workload (not its declaration order), so a seed keeps reproducing the
   * same run.
   */
  long seedOffset() {
    return seedOffset;
  }

  /**
   * The operation for a uniform draw {@code u} in [0, 1) of a run phase; the load phase only
   * inserts.
   */
  public Operation operation(double u) {
    if (this == LOAD) {
      return Operation.INSERT;
    }
    return u < readProportion ? Operation.READ : Operation.UPDATE;
  }

  static Workload parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "load" -> LOAD;
      case "a" -> A;
      case "b" -> B;
      case "c" -> C;
      default ->
          throw new IllegalArgumentException(
              "workload must be load, A, B or C, got '" + value + "'");
    };
  }

  String label() {
    return this == LOAD ? "load" : name();
  }
}
