package io.ringstore.handoff;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * The node-local hint journal (pekko-persistence-jdbc, configured in {@code
 * ringstore-persistence.conf}): creates its tables before the {@link HintManager} starts, so hints
 * can be persisted from the first one on (DESIGN invariant 1).
 */
public final class HintJournal {
  private static final String BLOCKING_DISPATCHER = "pekko.actor.default-blocking-io-dispatcher";

  private HintJournal() {}

  /**
   * Creates the journal, tag and snapshot tables of the configured database and the table of the
   * hint values ({@link HintValues}) unless they exist, on Pekko's blocking dispatcher. Completes
   * when done; run it before starting the hint manager.
   *
   * <p>The journal's tables are those of the plugin, defined in our own DDL ({@code
   * hint-journal-h2.sql}, {@code hint-journal-postgres.sql} beside this class) and run over plain
   * JDBC. Every statement says {@code IF NOT EXISTS}, which makes it safe to run on every start. On
   * another database the journal's tables are the operator's to create (the plugin's schema
   * scripts); the values table is created all the same. A database that cannot be reached, or a
   * statement that fails, fails the returned stage.
   */
  public static CompletionStage<Done> createSchema(ClassicActorSystemProvider system) {
    Config config = system.classicSystem().settings().config();
    Executor blocking = system.classicSystem().dispatchers().lookup(BLOCKING_DISPATCHER);
    return CompletableFuture.runAsync(() -> createJournalTables(config), blocking)
        .thenCompose(
            none -> {
              HintValues values = HintValues.fromConfig(config, blocking);
              return values
                  .createTable()
                  .whenComplete((ok, failure) -> values.close())
                  .thenApply(ok -> Done.getInstance());
            });
  }

  /** Runs the journal's DDL for the configured database (blocking). */
  static void createJournalTables(Config config) {
    String url = config.getString(HintJournalCheck.DB_PATH + ".url");
    Optional<String> script = ddlResource(url);
    if (script.isEmpty()) {
      return;
    }
    List<String> statements = statements(readResource(script.get()));
    try (Connection c =
            DriverManager.getConnection(
                url,
                config.getString(HintJournalCheck.DB_PATH + ".user"),
                config.getString(HintJournalCheck.DB_PATH + ".password"));
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      throw new CompletionException(
          "cannot create the hint journal's tables (" + script.get() + ")", e);
    }
  }

  /** The DDL script for the database at {@code url}; empty for a database we have none for. */
  static Optional<String> ddlResource(String url) {
    if (url.startsWith("jdbc:h2:")) {
      return Optional.of("hint-journal-h2.sql");
    }
    if (url.startsWith("jdbc:postgresql:")) {
      return Optional.of("hint-journal-postgres.sql");
    }
    return Optional.empty();
  }

  /**
   * The statements of a script: {@code --} comment lines dropped, split at a line ending in ';'.
   */
  static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      if (trimmed.endsWith(";")) {
        current.append(trimmed, 0, trimmed.length() - 1);
        statements.add(current.toString());
        current.setLength(0);
      } else {
        current.append(trimmed).append('\n');
      }
    }
    if (!current.toString().isBlank()) {
      statements.add(current.toString());
    }
    return List.copyOf(statements);
  }

  private static String readResource(String name) {
    try (InputStream in = HintJournal.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "missing resource " + name + " beside " + HintJournal.class);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + name, e);
    }
  }
}
