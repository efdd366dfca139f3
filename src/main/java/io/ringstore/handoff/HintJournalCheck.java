package io.ringstore.handoff;

import com.typesafe.config.Config;
import io.ringstore.storage.DamageRepair;
import io.ringstore.storage.DamagedFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The start-up check of the embedded hint journal (DESIGN invariant 8, and: a node never reports
 * ready with hinted handoff off). Before the actor system starts, the H2 file of {@code
 * ringstore-persistence.conf} is opened over JDBC and every row of its journal, snapshot and hint
 * value ({@link HintValues}) tables is read; a file that cannot be opened or read is a {@link
 * DamagedFileException}. A repair moves the file aside, so the node starts with an empty journal:
 * the hints in the damaged one are lost (anti-entropy brings their writes to their replicas
 * instead). A journal on a server database (PostgreSQL) is the operator's to check: only an H2 file
 * is checked here.
 */
public final class HintJournalCheck {
  static final String DB_PATH = "pekko-persistence-jdbc.shared-databases.ringstore-hints.db";
  private static final String H2_FILE = "jdbc:h2:file:";

  /** H2's error code for a database file in use by another process: not damage. */
  private static final int DATABASE_ALREADY_OPEN = 90020;

  private HintJournalCheck() {}

  /** The journal's H2 file ({@code ….mv.db}) when the journal is an H2 file database. */
  public static Optional<Path> journalFile(Config config) {
    if (!config.hasPath(DB_PATH + ".url")) {
      return Optional.empty();
    }
    String url = config.getString(DB_PATH + ".url");
    if (!url.startsWith(H2_FILE)) {
      return Optional.empty();
    }
    String path = url.substring(H2_FILE.length());
    int semicolon = path.indexOf(';');
    if (semicolon >= 0) {
      path = path.substring(0, semicolon);
    }
    return Optional.of(Path.of(path + ".mv.db").normalize());
  }

  /**
   * Opens the journal and reads it through. Returns the number of hint events it holds (0 when
   * there is no journal file yet).
   *
   * @throws DamagedFileException when the file cannot be opened or read
   */
  public static long check(Config config) {
    Optional<Path> file = journalFile(config);
    if (file.isEmpty() || !Files.exists(file.get())) {
      return 0;
    }
    String url = config.getString(DB_PATH + ".url");
    String jdbcUrl = url + (url.contains("IFEXISTS=") ? "" : ";IFEXISTS=TRUE");
    try (Connection connection =
            DriverManager.getConnection(
                jdbcUrl,
                config.getString(DB_PATH + ".user"),
                config.getString(DB_PATH + ".password"));
        Statement statement = connection.createStatement()) {
      long events = 0;
      if (tableExists(statement, "event_journal")) {
        events =
            readThrough(
                statement,
                "SELECT \"persistence_id\", \"sequence_number\", \"event_payload\""
                    + " FROM PUBLIC.\"event_journal\"");
      }
      if (tableExists(statement, "snapshot")) {
        readThrough(
            statement, "SELECT \"persistence_id\", \"snapshot_payload\" FROM PUBLIC.\"snapshot\"");
      }
      if (tableExists(statement, "hint_values")) {
        readThrough(statement, "SELECT \"persistence_id\", \"object\" FROM " + HintValues.TABLE);
      }
      return events;
    } catch (SQLException e) {
      if (e.getErrorCode() == DATABASE_ALREADY_OPEN) {
        throw new IllegalStateException(
            "the hint journal "
                + file.get()
                + " is in use by another"
                + " process (is this node already running?): "
                + e.getMessage(),
            e);
      }
      throw new DamagedFileException(
          file.get(),
          DamagedFileException.Part.HINT_JOURNAL,
          "the hints this node holds for replicas that were down (writes not yet delivered to them)",
          firstLine(e.getMessage()),
          e);
    }
  }

  /**
   * Checks the journal; when it is damaged, moves its files to {@code damagedDir}/hints so that the
   * node starts with an empty one. Returns what was repaired (empty when nothing was damaged).
   */
  public static List<DamageRepair> repair(Config config, Path damagedDir) {
    List<DamageRepair> repairs = new ArrayList<>();
    try {
      check(config);
      return repairs;
    } catch (DamagedFileException e) {
      Path file = e.file();
      Path target = damagedDir.resolve("hints");
      try {
        Files.createDirectories(target);
        long bytes = Files.size(file);
        String base = file.getFileName().toString().replaceFirst("\\.mv\\.db$", "");
        try (var siblings = Files.list(file.getParent())) {
          for (Path p :
              siblings.filter(p -> p.getFileName().toString().startsWith(base + ".")).toList()) {
            Files.move(p, target.resolve(p.getFileName()));
          }
        }
        repairs.add(
            new DamageRepair(
                DamagedFileException.Part.HINT_JOURNAL,
                file.toString(),
                target.resolve(file.getFileName()).toString(),
                "moved the hint journal ("
                    + bytes
                    + " bytes) aside and started an empty one: every hint in it is lost (how many cannot be"
                    + " read from the damaged file); the writes they carried reach their replicas by"
                    + " anti-entropy instead"));
        return repairs;
      } catch (IOException io) {
        throw new UncheckedIOException(
            "cannot move the damaged hint journal " + file + " to " + target, io);
      }
    }
  }

  private static boolean tableExists(Statement statement, String table) throws SQLException {
    try (ResultSet rs =
        statement.executeQuery(
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES"
                + " WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_NAME = '"
                + table
                + "'")) {
      return rs.next() && rs.getLong(1) > 0;
    }
  }

  private static long readThrough(Statement statement, String query) throws SQLException {
    long rows = 0;
    try (ResultSet rs = statement.executeQuery(query)) {
      while (rs.next()) {
        rs.getString(1);
        rs.getBytes(rs.getMetaData().getColumnCount());
        rows++;
      }
    }
    return rows;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "cannot be opened";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
