package io.ringstore.storage;

import java.nio.file.Path;

/**
 * A data file of the node failed its integrity check at start-up (DESIGN invariant 8: a damaged
 * file is never silent): a RocksDB write-ahead log with a bad record before its tail, an SST file
 * whose checksum does not match, or a hint journal that cannot be opened. Says which file, what it
 * is, what its damage puts at risk and what the check reported, so that the node can refuse to
 * start with one message naming all of it and the command that continues ({@code --repair}).
 */
public class DamagedFileException extends StorageException {
  private static final long serialVersionUID = 1L;

  /** Which part of the data directory is damaged. */
  public enum Part {
    ROCKSDB_WAL("RocksDB write-ahead log"),
    ROCKSDB_SST("RocksDB table file (SST)"),
    HINT_JOURNAL("hint journal");

    private final String description;

    Part(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  private final transient Path file;
  private final Part part;
  private final String atRisk;
  private final String detail;

  public DamagedFileException(Path file, Part part, String atRisk, String detail, Throwable cause) {
    super(part.description() + " " + file + " is damaged: " + detail, cause);
    this.file = file;
    this.part = part;
    this.atRisk = atRisk;
    this.detail = detail;
  }

  /** The damaged file (or, when the check could not tell which one, its directory). */
  public Path file() {
    return file;
  }

  public Part part() {
    return part;
  }

  /** What the damage puts at risk, in a sentence for the operator. */
  public String atRisk() {
    return atRisk;
  }

  /** What the integrity check reported. */
  public String detail() {
    return detail;
  }
}
