package io.ringstore.handoff;

import com.typesafe.config.Config;
import io.ringstore.storage.StorageCalls;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The values of the queued hints, on disk: one row per stored copy (hint store, key, object digest,
 * a random {@code ref} chosen when it is stored, so a delete never hits a later copy of the same
 * object) in the table {@code hint_values} of the hint journal's own database (the H2 file under
 * {@code <data-dir>/hints}, or the PostgreSQL database configured instead), so a {@link HintStore}
 * keeps only an index in memory (DESIGN invariant 6) while the journal, the snapshots and the
 * values are checked, moved aside on repair and made durable together ({@link HintJournalCheck},
 * invariant 8).
 *
 * <p>A value is written before the journal event that names it is persisted and deleted after the
 * event that removes it, so an acknowledged hint always has its value (invariant 1); a crash
 * between the two steps leaves a value no event names, which its store deletes when it recovers.
 * Every call is blocking JDBC run on {@code executor} (the storage dispatcher) through {@link
 * StorageCalls} and returns a stage: an actor never waits for the database. Connections are pooled
 * (at most {@code maxConnections}).
 */
public final class HintValues implements AutoCloseable {
  static final String TABLE = "PUBLIC.\"hint_values\"";
  private static final String DUPLICATE_KEY = "23505";

  /** One stored value: the hint store's persistence id, the key, the object's digest, its copy. */
  public record ValueId(String persistenceId, String key, String digest, long ref) {}

  private final String url;
  private final String user;
  private final String password;
  private final StorageCalls calls;
  private final BlockingQueue<Connection> idle;
  private volatile boolean closed;

  private HintValues(
      String url, String user, String password, Executor executor, int maxConnections) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.calls = StorageCalls.unbounded(executor);
    this.idle = new ArrayBlockingQueue<>(maxConnections);
  }

  /** Values in the database at {@code url} (any JDBC URL, e.g. an in-memory H2 one in tests). */
  public static HintValues create(
      String url, String user, String password, Executor executor, int maxConnections) {
    return new HintValues(url, user, password, executor, Math.max(1, maxConnections));
  }

  /** Values in the hint journal's database as {@code ringstore-persistence.conf} configures it. */
  public static HintValues fromConfig(Config config, Executor executor) {
    String db = HintJournalCheck.DB_PATH;
    return create(
        config.getString(db + ".url"),
        config.getString(db + ".user"),
        config.getString(db + ".password"),
        executor,
        4);
  }

  /** The calls on the values' executor (the storage dispatcher). */
  StorageCalls calls() {
    return calls;
  }

  /** Creates the values table unless it exists. Completes when done. */
  public CompletionStage<Void> createTable() {
    return run(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE TABLE IF NOT EXISTS "
                    + TABLE
                    + " ("
                    + "\"persistence_id\" VARCHAR(255) NOT NULL, \"hint_key\" VARCHAR(1024) NOT NULL,"
                    + " \"digest\" VARCHAR(64) NOT NULL, \"ref\" BIGINT NOT NULL, \"object\" BYTEA NOT NULL,"
                    + " PRIMARY KEY (\"persistence_id\", \"hint_key\", \"digest\", \"ref\"))");
          }
          return null;
        });
  }

  /**
   * Stores {@code object} as the value named by {@code id}, durable when the stage completes (as
   * durable as a journal event: same database). Storing the same id twice keeps one row (the same
   * object: the digest names it).
   */
  public CompletionStage<Void> put(ValueId id, byte[] object) {
    return run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO "
                      + TABLE
                      + " (\"persistence_id\", \"hint_key\", \"digest\", \"ref\", \"object\")"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            bind(p, id);
            p.setBytes(5, object);
            p.executeUpdate();
          } catch (SQLException e) {
            if (!DUPLICATE_KEY.equals(e.getSQLState())) {
              throw e;
            }
          }
          return null;
        });
  }

  /** The value named by {@code id}; empty when there is none. */
  public CompletionStage<Optional<byte[]>> get(ValueId id) {
    return run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT \"object\" FROM "
                      + TABLE
                      + " WHERE \"persistence_id\" = ? AND \"hint_key\" = ? AND \"digest\" = ?"
                      + " AND \"ref\" = ?")) {
            bind(p, id);
            try (ResultSet rs = p.executeQuery()) {
              return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.<byte[]>empty();
            }
          }
        });
  }

  /** Deletes the values named by {@code ids} (those that exist). */
  public CompletionStage<Void> delete(List<ValueId> ids) {
    if (ids.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "DELETE FROM "
                      + TABLE
                      + " WHERE \"persistence_id\" = ? AND \"hint_key\" = ? AND \"digest\" = ?"
                      + " AND \"ref\" = ?")) {
            for (ValueId id : ids) {
              bind(p, id);
              p.executeUpdate();
            }
          }
          return null;
        });
  }

  /** The ids of every value stored for {@code persistenceId} (without the values). */
  public CompletionStage<List<ValueId>> list(String persistenceId) {
    return run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT \"hint_key\", \"digest\", \"ref\" FROM "
                      + TABLE
                      + " WHERE \"persistence_id\" = ?")) {
            p.setString(1, persistenceId);
            List<ValueId> ids = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
              while (rs.next()) {
                ids.add(
                    new ValueId(persistenceId, rs.getString(1), rs.getString(2), rs.getLong(3)));
              }
            }
            return ids;
          }
        });
  }

  /** The persistence ids that have values stored (a store may hold values but no events yet). */
  public CompletionStage<List<String>> persistenceIds() {
    return run(
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT DISTINCT \"persistence_id\" FROM " + TABLE)) {
            List<String> ids = new ArrayList<>();
            while (rs.next()) {
              ids.add(rs.getString(1));
            }
            return ids;
          }
        });
  }

  @Override
  public void close() {
    closed = true;
    Connection c;
    while ((c = idle.poll()) != null) {
      closeQuietly(c);
    }
  }

  private static void bind(PreparedStatement p, ValueId id) throws SQLException {
    p.setString(1, id.persistenceId());
    p.setString(2, id.key());
    p.setString(3, id.digest());
    p.setLong(4, id.ref());
  }

  private interface Work<T> {
    T apply(Connection connection) throws SQLException;
  }

  private <T> CompletionStage<T> run(Work<T> work) {
    return calls.call(
        () -> {
          Connection c = null;
          boolean healthy = false;
          try {
            c = borrow();
            T result = work.apply(c);
            healthy = true;
            return result;
          } catch (SQLException e) {
            throw new CompletionException(e);
          } finally {
            if (c != null) {
              giveBack(c, healthy);
            }
          }
        });
  }

  private Connection borrow() throws SQLException {
    if (closed) {
      throw new SQLException("hint values are closed");
    }
    Connection c = idle.poll();
    return c != null ? c : DriverManager.getConnection(url, user, password);
  }

  private void giveBack(Connection c, boolean healthy) {
    if (!healthy || closed || !idle.offer(c)) {
      closeQuietly(c);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // closing: nothing to do
    }
  }
}
