package io.ringstore;

import com.typesafe.config.Config;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.handoff.HintJournalCheck;
import io.ringstore.storage.DamageRepair;
import io.ringstore.storage.DamagedFileException;
import io.ringstore.storage.RocksDbRecovery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check of a data node's files, run by {@link Main} before the actor system exists
 * (DESIGN invariant 8: a damaged file is never silent): the RocksDB write-ahead log and table files
 * ({@link RocksDbRecovery}) and the hint journal ({@link HintJournalCheck}). Without repair a
 * damaged file is a {@link DamagedFileException} and the node exits with {@link #EXIT_DAMAGED};
 * with {@code --repair} the damaged parts go to {@code <data-dir>/damaged-<time>/}, each repair is
 * logged at ERROR, and the node gets a new uid when its RocksDB lost data (its DVV counters of
 * before may be gone from its copy, so it must never issue them again: DESIGN invariant 3).
 */
final class DataDirectoryCheck {
  /** Exit status of a node that refused to start on a damaged data file. */
  static final int EXIT_DAMAGED = 4;

  private static final Logger LOG = LoggerFactory.getLogger(DataDirectoryCheck.class);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  /** The zone of the node's log lines (logback's %d: the JVM's default), so times match them. */
  private static final ZoneId LOG_ZONE = ZoneId.systemDefault();

  private DataDirectoryCheck() {}

  /** Checks (and with {@code repair}, repairs) the node's files; see the class comment. */
  static DamageRepair.Report run(Config config, RingstoreSettings settings, boolean repair) {
    if (!settings.holdsData()) {
      return DamageRepair.Report.NONE;
    }
    long started = System.nanoTime();
    var rocksDb = RingstoreNode.rocksDbSettings(settings);
    if (!repair) {
      RocksDbRecovery.check(rocksDb);
      HintJournalCheck.check(config);
      LOG.info(
          "data files checked in {} ms: RocksDB (write-ahead log, table checksums) and the hint"
              + " journal are sound",
          (System.nanoTime() - started) / 1_000_000);
      return DamageRepair.Report.NONE;
    }
    Path damagedDir =
        settings.dataDir().resolve("damaged-" + LocalDateTime.now(LOG_ZONE).format(STAMP));
    List<DamageRepair> repairs = new ArrayList<>(RocksDbRecovery.repair(rocksDb, damagedDir));
    repairs.addAll(HintJournalCheck.repair(config, damagedDir));
    DamageRepair.Report report = new DamageRepair.Report(repairs);
    if (report.isEmpty()) {
      LOG.info("--repair: no damaged data file found; the node starts as usual");
      return report;
    }
    if (report.storageLostData()) {
      retireNodeUid(settings.dataDir(), damagedDir);
    }
    for (DamageRepair r : repairs) {
      LOG.error(
          "repaired the damaged {} {}: {}; the damaged file is kept in {}",
          r.part().description(),
          r.file(),
          r.dropped(),
          r.movedTo());
    }
    writeNote(damagedDir, repairs);
    if (report.storageLostData()) {
      LOG.error(
          "this node reports ready only after every partition it replicates has synced with"
              + " the other replicas (GET /admin/transfers shows the progress)");
    }
    return report;
  }

  /**
   * The message of a node that refuses to start: the file, what is at risk, the command to
   * continue.
   */
  static String refusal(DamagedFileException e, String[] args) {
    String command =
        "bin/ringstore start"
            + (args.length == 0
                ? ""
                : " "
                    + List.of(args).stream()
                        .map(
                            a ->
                                a.matches("[A-Za-z0-9_./:=@,+-]+")
                                    ? a
                                    : "'" + a.replace("'", "'\\''") + "'")
                        .collect(Collectors.joining(" ")))
            + " --repair";
    return "refusing to start: the "
        + e.part().description()
        + " "
        + e.file().toAbsolutePath()
        + " is damaged ("
        + e.detail()
        + ")."
        + System.lineSeparator()
        + "  At risk: "
        + e.atRisk()
        + "."
        + System.lineSeparator()
        + "  Nothing was changed. "
        + (e.part() == DamagedFileException.Part.HINT_JOURNAL
            ? "To move the damaged journal aside (to <data-dir>/damaged-<time>/) and start with an empty"
                + " one (its hints are lost; anti-entropy brings their writes to the replicas), run:"
            : "To move the damaged part aside (to <data-dir>/damaged-<time>/) and bring this node's"
                + " partitions back from the other replicas before it reports ready, run:")
        + System.lineSeparator()
        + "    "
        + command;
  }

  private static void retireNodeUid(Path dataDir, Path damagedDir) {
    Path uid = dataDir.resolve("node-uid");
    try {
      if (Files.exists(uid)) {
        Files.createDirectories(damagedDir);
        Files.move(uid, damagedDir.resolve("node-uid"));
        LOG.warn(
            "the node gets a new uid: its copy of the data lost writes it may have coordinated,"
                + " so it never reuses a version counter of its earlier uid (kept in {})",
            damagedDir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot retire " + uid, e);
    }
  }

  private static void writeNote(Path damagedDir, List<DamageRepair> repairs) {
    StringBuilder note =
        new StringBuilder(
            "Damaged files moved aside by bin/ringstore start --repair on "
                + LocalDateTime.now(LOG_ZONE)
                + "\n");
    repairs.forEach(
        r ->
            note.append("- ")
                .append(r.part().description())
                .append(' ')
                .append(r.file())
                .append(": ")
                .append(r.dropped())
                .append(" (now ")
                .append(r.movedTo())
                .append(")\n"));
    try {
      Files.createDirectories(damagedDir);
      Files.writeString(damagedDir.resolve("REPAIR.txt"), note, StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.warn("cannot write {}: {}", damagedDir.resolve("REPAIR.txt"), e.toString());
    }
  }
}
