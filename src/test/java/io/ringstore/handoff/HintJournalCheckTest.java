package io.ringstore.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ringstore.storage.DamageRepair;
import io.ringstore.storage.DamagedFileException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hint journal's start-up check on a real H2 file with the plugin's schema: a sound journal is
 * read through; 16 KiB of noise at its start (over H2's file headers) is a {@link
 * DamagedFileException} naming the file (before, the node started and hinted handoff was dead); the
 * repair moves it aside. Noise that lands in the file's free space (MVStore is append-only: old
 * chunks) is read past, as it harms nothing.
 */
class HintJournalCheckTest {
  @TempDir Path tmp;

  private Config config() {
    return ConfigFactory.parseString("ringstore.data-dir = \"" + tmp + "\"")
        .withFallback(ConfigFactory.parseResources("ringstore-persistence.conf"))
        .resolve();
  }

  private void writeJournal(int events) throws Exception {
    Config c = config();
    try (Connection connection =
            DriverManager.getConnection(
                c.getString(HintJournalCheck.DB_PATH + ".url"), "ringstore", "");
        Statement statement = connection.createStatement()) {
      String ddl =
          new String(
              getClass()
                  .getClassLoader()
                  .getResourceAsStream("schema/h2/h2-create-schema.sql")
                  .readAllBytes(),
              StandardCharsets.UTF_8);
      for (String sql : ddl.split(";")) {
        if (!sql.isBlank()) {
          statement.execute(sql);
        }
      }
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO PUBLIC.\"event_journal\""
                  + " (\"persistence_id\", \"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\","
                  + " \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") VALUES (?, ?, 'w', 0, '', ?, 1, '')")) {
        byte[] payload = new byte[2000];
        new Random(1).nextBytes(payload);
        for (int i = 0; i < events; i++) {
          insert.setString(1, "hints|" + (i % 16) + ":0");
          insert.setLong(2, i);
          insert.setBytes(3, payload);
          insert.executeUpdate();
        }
      }
    }
  }

  @Test
  void aSoundJournalIsReadThrough() throws Exception {
    assertEquals(0, HintJournalCheck.check(config()), "no journal yet");
    writeJournal(500);
    assertEquals(500, HintJournalCheck.check(config()));
    assertTrue(HintJournalCheck.repair(config(), tmp.resolve("damaged")).isEmpty());
  }

  @Test
  void noiseInTheJournalIsNamedAndRepairedByMovingItAside() throws Exception {
    writeJournal(500);
    Path file = HintJournalCheck.journalFile(config()).orElseThrow();
    byte[] noise = new byte[16 * 1024];
    new Random(2).nextBytes(noise);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.write(noise); // over both file headers and the first chunk
    }

    DamagedFileException e =
        assertThrows(DamagedFileException.class, () -> HintJournalCheck.check(config()));
    assertEquals(DamagedFileException.Part.HINT_JOURNAL, e.part());
    assertEquals(file, e.file());

    List<DamageRepair> repairs = HintJournalCheck.repair(config(), tmp.resolve("damaged"));
    assertEquals(1, repairs.size(), repairs::toString);
    assertFalse(Files.exists(file), "moved aside");
    assertTrue(Files.exists(tmp.resolve("damaged/hints").resolve(file.getFileName())), "kept");
    assertEquals(0, HintJournalCheck.check(config()), "an empty journal next");
  }

  private HintValues values() {
    Config c = config();
    return HintValues.create(
        c.getString(HintJournalCheck.DB_PATH + ".url"), "ringstore", "", Runnable::run, 1);
  }

  @Test
  void theHintValuesAreReadThroughAndMovedAsideWithTheJournal() throws Exception {
    writeJournal(50);
    byte[] object = new byte[100_000];
    new Random(3).nextBytes(object);
    try (HintValues values = values()) {
      values.createTable().toCompletableFuture().get();
      for (int i = 0; i < 20; i++) {
        values
            .put(new HintValues.ValueId("hints|1:0", "k" + i, "d" + i, i), object)
            .toCompletableFuture()
            .get();
      }
    }
    assertEquals(50, HintJournalCheck.check(config()), "journal and values read through");
    Path file = HintJournalCheck.journalFile(config()).orElseThrow();
    byte[] noise = new byte[16 * 1024];
    new Random(4).nextBytes(noise);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.write(noise);
    }
    assertThrows(DamagedFileException.class, () -> HintJournalCheck.check(config()));
    assertEquals(1, HintJournalCheck.repair(config(), tmp.resolve("damaged")).size());
    try (HintValues values = values()) {
      values.createTable().toCompletableFuture().get();
      assertEquals(
          List.of(),
          values.list("hints|1:0").toCompletableFuture().get(),
          "the values went aside with the journal that named them: none is left without its index");
    }
  }
}
