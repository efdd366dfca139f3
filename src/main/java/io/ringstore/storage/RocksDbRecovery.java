package io.ringstore.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.rocksdb.RocksDBException;
import org.rocksdb.WALRecoveryMode;

/**
 * The start-up integrity check of a node's RocksDB and its repair (DESIGN invariant 8: a damaged
 * file is never silent).
 *
 * <p>{@link #check}: opening replays the write-ahead log in {@code TolerateCorruptedTailRecords}
 * mode (a torn last record, a crash in the middle of a write, is dropped quietly; a bad record
 * before it fails), then every block of every table file is read and its checksum compared (as
 * costly as one scan of the data, which the start does anyway to build the anti-entropy trees).
 *
 * <p>{@link #repair}: a damaged log is copied aside and replayed skipping the bad records
 * (RocksDB's {@code SkipAnyCorruptedRecords}; every record it can read is kept, and the bytes it
 * drops are listed from RocksDB's own LOG); a damaged table file cannot be cut out of the LSM tree
 * safely, so the whole RocksDB directory is moved aside and the node starts with an empty one.
 * Either way this node's copy of its partitions has lost data, which the node then brings back from
 * the other replicas before it reports ready.
 */
public final class RocksDbRecovery {
  private static final Pattern FILE = Pattern.compile("([^\\s:,]*?(\\d+)\\.(sst|log))");

  private RocksDbRecovery() {}

  /**
   * Opens the database, verifies every table file's checksums and closes it.
   *
   * @throws DamagedFileException naming the damaged file
   */
  public static void check(RocksDbSettings settings) {
    try (RocksDbStorage storage = RocksDbStorage.open(settings)) {
      storage.verifyChecksums();
    }
  }

  /**
   * Checks the database and repairs what is damaged, keeping copies under {@code damagedDir}
   * (created when needed). Returns what was repaired (empty when nothing was damaged).
   */
  public static List<DamageRepair> repair(RocksDbSettings settings, Path damagedDir) {
    List<DamageRepair> repairs = new ArrayList<>();
    Path dir = settings.directory();
    try {
      try (RocksDbStorage storage = RocksDbStorage.open(settings)) {
        storage.verifyChecksums();
        return repairs;
      } catch (DamagedFileException e) {
        if (e.part() == DamagedFileException.Part.ROCKSDB_WAL) {
          repairs.add(repairLog(settings, damagedDir, e));
        } else {
          repairs.add(moveAside(dir, damagedDir, e));
          return repairs;
        }
      }
      // the log is replayed; a table file may still be damaged
      try {
        check(settings);
      } catch (DamagedFileException e) {
        repairs.add(moveAside(dir, damagedDir, e));
      }
      return repairs;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot move the damaged RocksDB files of " + dir + " to " + damagedDir, e);
    }
  }

  private static DamageRepair repairLog(
      RocksDbSettings settings, Path damagedDir, DamagedFileException damage) throws IOException {
    Path dir = settings.directory();
    Path copies = Files.createDirectories(damagedDir.resolve("rocksdb-wal"));
    for (Path log : logFiles(dir)) {
      Files.copy(log, copies.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
    try (RocksDbStorage storage =
        RocksDbStorage.open(settings, WALRecoveryMode.SkipAnyCorruptedRecords)) {
      // replayed: the readable records are in the memtable, and flushed by the open
      storage.flush();
    }
    List<String> dropped = droppedByLastOpen(dir);
    String what =
        dropped.isEmpty()
            ? "the records RocksDB could not read in " + damage.file().getFileName()
            : String.join("; ", dropped);
    return new DamageRepair(
        DamagedFileException.Part.ROCKSDB_WAL,
        damage.file().toString(),
        copies.toString(),
        "replayed the write-ahead log without its damaged records ("
            + what
            + "): the writes in them are gone from this node's copy");
  }

  private static DamageRepair moveAside(Path dir, Path damagedDir, DamagedFileException damage)
      throws IOException {
    Files.createDirectories(damagedDir);
    Path target = damagedDir.resolve("rocksdb");
    Files.move(dir, target);
    long bytes;
    try (Stream<Path> files = Files.walk(target)) {
      bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    return new DamageRepair(
        DamagedFileException.Part.ROCKSDB_SST,
        damage.file().toString(),
        target.toString(),
        "moved this node's whole RocksDB directory ("
            + bytes
            + " bytes) aside and"
            + " started an empty one: a damaged table file cannot be cut out of it safely, so this node's"
            + " copy of every partition is rebuilt from the other replicas");
  }

  /** Builds the exception for a corruption RocksDB reported in {@code dir}. */
  static DamagedFileException damage(Path dir, RocksDBException e, boolean tableCheck) {
    String message = String.valueOf(e.getMessage());
    Optional<Path> named = Optional.empty();
    Matcher m = FILE.matcher(message);
    DamagedFileException.Part part =
        tableCheck ? DamagedFileException.Part.ROCKSDB_SST : DamagedFileException.Part.ROCKSDB_WAL;
    if (m.find()) {
      Path p = Path.of(m.group(1));
      named = Optional.of(p.isAbsolute() ? p : dir.resolve(p.getFileName()));
      part =
          "sst".equals(m.group(3))
              ? DamagedFileException.Part.ROCKSDB_SST
              : DamagedFileException.Part.ROCKSDB_WAL;
    }
    Path file =
        named.isPresent()
            ? named.get()
            : part == DamagedFileException.Part.ROCKSDB_WAL ? onlyLogFile(dir).orElse(dir) : dir;
    String atRisk =
        part == DamagedFileException.Part.ROCKSDB_WAL
            ? "the writes this node stored after the damaged record and not yet flushed to a table file"
                + " (its copy of them, in any partition); the other replicas hold the writes they acknowledged"
            : "every key stored in this table file (this node's copy of them, in any partition); the other"
                + " replicas hold the writes they acknowledged";
    return new DamagedFileException(file, part, atRisk, message, e);
  }

  private static Optional<Path> onlyLogFile(Path dir) {
    try {
      List<Path> logs = logFiles(dir);
      return logs.size() == 1 ? Optional.of(logs.get(0)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static List<Path> logFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
    }
  }

  /** RocksDB's LOG lines of the last open that say which bytes of which log it dropped. */
  static List<String> droppedByLastOpen(Path dir) {
    Path log = dir.resolve("LOG");
    if (!Files.isRegularFile(log)) {
      return List.of();
    }
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      return lines
          .filter(l -> l.contains("dropping") && l.contains("bytes"))
          .map(
              l -> {
                int at = l.indexOf(dir.toString());
                String text =
                    at >= 0 ? l.substring(at + dir.toString().length()).replaceFirst("^/", "") : l;
                return text.trim();
              })
          .toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }
}
