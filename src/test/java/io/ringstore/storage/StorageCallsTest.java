package io.ringstore.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bound on storage calls in flight, the skip of a call whose deadline passed in the queue, and
 * which failures complete a call's stage (exceptions) and which do not (errors).
 */
class StorageCallsTest {
  private static final long WAIT_SECONDS = 10;

  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  /** A storage executor run by hand: a call runs when the test polls it. */
  private final Deque<Runnable> queue = new ConcurrentLinkedDeque<>();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  @Test
  void aFullBoundRefusesTheNextCallAtOnceAndAFreedSlotAcceptsAgain() throws Exception {
    StorageCalls calls = new StorageCalls(pool, 3);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(2);
    List<CompletionStage<String>> blocked = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String name = "blocked-" + i;
      blocked.add(
          calls.call(
              () -> {
                running.countDown();
                release.await();
                return name;
              }));
    }
    assertTrue(running.await(WAIT_SECONDS, TimeUnit.SECONDS), "both storage threads are busy");
    assertEquals(3, calls.inFlight(), "two calls running and one queued");

    AtomicBoolean ran = new AtomicBoolean();
    CompletableFuture<String> refused =
        calls
            .call(
                () -> {
                  ran.set(true);
                  return "refused";
                })
            .toCompletableFuture();
    assertTrue(refused.isCompletedExceptionally(), "refused at once, not queued");
    ExecutionException failure = assertThrows(ExecutionException.class, refused::get);
    assertInstanceOf(StorageOverloadedException.class, failure.getCause(), "a distinct failure");
    assertEquals(1, calls.overloaded(), "the refusal is counted");
    assertEquals(3, calls.inFlight(), "a refused call takes no slot");

    release.countDown();
    for (int i = 0; i < 3; i++) {
      assertEquals(
          "blocked-" + i, blocked.get(i).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS));
    }
    assertEquals(
        "accepted",
        calls.call(() -> "accepted").toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS),
        "freed slots accept calls again");
    assertFalse(ran.get(), "the refused call never ran");
    assertEquals(1, calls.overloaded(), "only the one refusal is counted");
    assertEquals(0, calls.inFlight(), "every slot freed");
  }

  @Test
  void aCallWhoseDeadlinePassedWhileQueuedIsNotRun() {
    StorageCalls calls = new StorageCalls(queue::add, 10);
    AtomicBoolean expired = new AtomicBoolean();
    AtomicBoolean ran = new AtomicBoolean();
    CompletableFuture<String> late =
        calls
            .call(
                expired::get,
                () -> {
                  ran.set(true);
                  return "ran";
                })
            .toCompletableFuture();
    assertFalse(late.isDone(), "queued");
    expired.set(true);
    queue.poll().run();
    assertFalse(ran.get(), "not run: its deadline passed while it waited for a thread");
    ExecutionException failure = assertThrows(ExecutionException.class, late::get);
    assertInstanceOf(StorageCallExpiredException.class, failure.getCause());
    assertEquals(0, calls.inFlight(), "its slot is freed");

    CompletableFuture<String> inTime = calls.call(expired::get, () -> "ran").toCompletableFuture();
    expired.set(false);
    queue.poll().run();
    assertEquals("ran", inTime.join(), "a call still within its deadline runs");
  }

  @Test
  void anExceptionFailsTheStageAndFreesTheSlot() {
    StorageCalls calls = new StorageCalls(queue::add, 1);
    StorageException broken = new StorageException("disk on fire", null);
    CompletableFuture<String> call =
        calls
            .<String>call(
                () -> {
                  throw broken;
                })
            .toCompletableFuture();
    queue.poll().run();
    ExecutionException failure = assertThrows(ExecutionException.class, call::get);
    assertSame(broken, failure.getCause(), "the storage's own exception, unwrapped");
    assertEquals("StorageException: disk on fire", StorageCalls.describe(failure.getCause()));
    assertEquals(0, calls.inFlight(), "the slot is freed");
  }

  @Test
  void anErrorIsNotCaughtTheStageNeverCompletesAndTheSlotIsFreed() {
    StorageCalls calls = new StorageCalls(queue::add, 1);
    CompletableFuture<String> call =
        calls
            .<String>call(
                () -> {
                  throw new OutOfMemoryError("test: out of memory");
                })
            .toCompletableFuture();
    Runnable task = queue.poll();
    OutOfMemoryError error =
        assertThrows(
            OutOfMemoryError.class,
            task::run,
            "the error reaches the storage thread (its uncaught-exception handler)");
    assertEquals("test: out of memory", error.getMessage());
    assertFalse(call.isDone(), "no failure to turn into an error reply");
    assertEquals(0, calls.inFlight(), "the slot is freed all the same");
  }
}
