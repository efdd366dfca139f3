package io.ringstore.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The hint journal's own DDL: the plugin's tables created over plain JDBC, again and again without
 * harm (it runs on every start).
 */
class HintJournalSchemaTest {
  private static final String URL = "jdbc:h2:mem:hint-journal-schema;DB_CLOSE_DELAY=-1";

  private static Config config() {
    String db = HintJournalCheck.DB_PATH;
    return ConfigFactory.parseMap(
        Map.of(db + ".url", URL, db + ".user", "ringstore", db + ".password", ""));
  }

  @Test
  void createsTheJournalTagAndSnapshotTables_andRunningItAgainChangesNothing() throws Exception {
    HintJournal.createJournalTables(config());
    try (Connection c = DriverManager.getConnection(URL, "ringstore", "");
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO PUBLIC.\"event_journal\" (\"persistence_id\", \"sequence_number\","
              + " \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\","
              + " \"event_ser_id\", \"event_ser_manifest\") VALUES ('hints|1:0', 1, 'w', 0, '',"
              + " X'01', 1, '')");
      HintJournal.createJournalTables(config());
      assertEquals(
          Set.of("event_journal", "event_tag", "snapshot"), tables(c), "the plugin's tables");
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM PUBLIC.\"event_journal\"")) {
        rs.next();
        assertEquals(1, rs.getInt(1), "a second run keeps the rows");
      }
    }
  }

  @Test
  void scriptsAreChosenByDatabase_andSplitIntoStatements() {
    assertEquals(Optional.of("hint-journal-h2.sql"), HintJournal.ddlResource("jdbc:h2:file:x"));
    assertEquals(
        Optional.of("hint-journal-postgres.sql"),
        HintJournal.ddlResource("jdbc:postgresql://db:5432/n1"));
    assertEquals(Optional.empty(), HintJournal.ddlResource("jdbc:mysql://db/n1"));
    assertEquals(
        List.of("CREATE TABLE a (\nx INT\n)", "CREATE INDEX i ON a (x)"),
        HintJournal.statements(
            "-- comment\nCREATE TABLE a (\n  x INT\n);\n\nCREATE INDEX i ON a (x);\n"));
  }

  private static Set<String> tables(Connection c) throws Exception {
    Set<String> names = new TreeSet<>();
    try (ResultSet rs = c.getMetaData().getTables(null, "PUBLIC", "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        names.add(rs.getString("TABLE_NAME"));
      }
    }
    return names;
  }
}
