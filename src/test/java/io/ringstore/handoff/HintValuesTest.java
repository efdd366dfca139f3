package io.ringstore.handoff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hint values table on a real (in-memory) H2 database: a stored copy is read back byte for
 * byte, storing the same copy twice keeps one row, a delete removes exactly the copies named, and a
 * store's copies (ids only) and the stores that have any are listed.
 */
class HintValuesTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private ExecutorService executor;
  private HintValues values;

  @BeforeEach
  void open() throws Exception {
    executor = Executors.newFixedThreadPool(2);
    values =
        HintValues.create(
            "jdbc:h2:mem:hint-values-test-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1",
            "sa",
            "",
            executor,
            2);
    await(values.createTable());
    await(values.createTable());
  }

  @AfterEach
  void close() {
    values.close();
    executor.shutdownNow();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void copiesAreStoredReadListedAndDeletedExactly() throws Exception {
    byte[] object = new byte[300_000];
    new Random(5).nextBytes(object);
    HintValues.ValueId first = new HintValues.ValueId("hints|1:0", "k", "d1", 1);
    HintValues.ValueId second = new HintValues.ValueId("hints|1:0", "k", "d1", 2);
    HintValues.ValueId other = new HintValues.ValueId("hints|2:1", "k", "d1", 1);
    await(values.put(first, object));
    await(values.put(first, object));
    await(values.put(second, object));
    await(values.put(other, new byte[] {1}));
    assertArrayEquals(object, await(values.get(first)).orElseThrow(), "byte for byte");
    assertEquals(
        Set.of(first, second),
        new HashSet<>(await(values.list("hints|1:0"))),
        "one row per copy, a copy stored twice once");
    assertEquals(Set.of("hints|1:0", "hints|2:1"), new HashSet<>(await(values.persistenceIds())));

    await(values.delete(List.of(first)));
    assertEquals(Optional.empty(), await(values.get(first)).map(b -> b.length), "deleted");
    assertTrue(await(values.get(second)).isPresent(), "another copy of the same object is kept");
    assertEquals(List.of(other), await(values.list("hints|2:1")), "another store's copy is kept");
    await(values.delete(List.of()));
  }
}
