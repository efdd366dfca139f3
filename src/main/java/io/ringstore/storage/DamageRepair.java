package io.ringstore.storage;

import java.util.List;

/**
 * One damaged part of the data directory that {@code --repair} moved aside at this start: which
 * part, the file, where its copy went and what was dropped with it. The node counts these in {@code
 * /metrics} ({@code ringstore_storage_repairs_total}) and, having lost data, brings its partitions
 * back from the other replicas before it reports ready (DESIGN invariant 8).
 *
 * @param part what was damaged
 * @param file the damaged file, as the check named it
 * @param movedTo where the damaged file (or its copy) now is
 * @param dropped what is gone from this node's copy, in a sentence for the log
 */
public record DamageRepair(
    DamagedFileException.Part part, String file, String movedTo, String dropped) {

  /**
   * The repairs of one start; empty when nothing was damaged (or {@code --repair} was not given).
   */
  public record Report(List<DamageRepair> repairs) {
    public static final Report NONE = new Report(List.of());

    public Report {
      repairs = List.copyOf(repairs);
    }

    public boolean isEmpty() {
      return repairs.isEmpty();
    }

    /** Repairs of {@code part} at this start. */
    public long count(DamagedFileException.Part part) {
      return repairs.stream().filter(r -> r.part() == part).count();
    }

    /** Whether this node's copy of its partitions lost data (its RocksDB was repaired). */
    public boolean storageLostData() {
      return count(DamagedFileException.Part.ROCKSDB_WAL)
              + count(DamagedFileException.Part.ROCKSDB_SST)
          > 0;
    }
  }
}
