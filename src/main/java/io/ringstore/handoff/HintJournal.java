package io.ringstore.handoff;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * The node-local hint journal (pekko-persistence-jdbc, configured in
 * {@code ringstore-persistence.conf}): creates its tables before the {@link HintManager} starts, so
 * hints can be persisted from the first one on (DESIGN invariant 1).
 */
public final class HintJournal {
  private HintJournal() {}

  /**
   * Creates the journal, tag and snapshot tables of the configured database and the table of the
   * hint values ({@link HintValues}) unless they exist, on Pekko's blocking dispatcher. Completes when done; run it before starting the hint manager.
   *
   * <p>Uses the plugin's {@code SchemaUtils.createIfNotExists} with its bundled DDL for the
   * configured Slick profile (H2, PostgreSQL, ...). It ignores a failing statement (it logs it at
   * debug), which is what makes it safe to run on every start: the H2 script's unique index has no
   * {@code IF NOT EXISTS}. A database that cannot be reached fails the returned stage.
   */
  public static CompletionStage<Done> createSchema(ClassicActorSystemProvider system) {
    return SchemaUtils.createIfNotExists(system).thenCompose(done -> {
      HintValues values = HintValues.fromConfig(system.classicSystem().settings().config(),
          system.classicSystem().dispatchers().lookup("pekko.actor.default-blocking-io-dispatcher"));
      return values.createTable().whenComplete((ok, failure) -> values.close())
          .thenApply(ok -> Done.getInstance());
    });
  }
}
