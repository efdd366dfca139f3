package io.ringstore.storage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The one way code running on an actor gets to storage: {@link #call} runs a blocking call on the
 * storage executor (the node's {@code ringstore-storage-dispatcher}) and returns a {@link
 * CompletionStage}, which the actor hands to {@code pipeToSelf}. One instance per node, shared by
 * every caller, so its bound is the node's.
 *
 * <p>Why this idiom and not the two others the code used before (a storage thread telling the reply
 * itself, or a {@code Runnable} piped back to the actor): the storage thread only computes a value;
 * the actor builds and sends every reply on its own thread, from its own state, so no closure over
 * an actor's state ever runs on another thread, a failure is handled where the actor's logger and
 * state are, and every storage call in the code reads the same (Pekko's documented pattern for
 * futures in actors). The cost is one hop through the actor's mailbox per call.
 *
 * <p>Bounded: at most {@code maxInFlight} calls are queued or running at once. A call beyond that
 * is not queued: its stage fails at once with a {@link StorageOverloadedException} (counted in
 * {@link #overloaded()}), which a replica reports as an error reply, so its coordinator counts it
 * as a failed replica and the client gets a 503 with {@code Retry-After} when too few replicas
 * answered (DESIGN invariant 6: past a budget a 503, never an unbounded queue). A call whose caller
 * has given up ({@code expired} true when a storage thread picks it up) is not run: its stage fails
 * with a {@link StorageCallExpiredException}.
 *
 * <p>Only {@link Exception}s fail a stage. An {@link Error} (out of memory, a stack overflow) is
 * not caught: it propagates to the storage thread, whose uncaught-exception handler (Pekko's, for a
 * dispatcher thread) runs the JVM's fatal-error handling; the stage then never completes, so the
 * caller's own timeout applies.
 */
public final class StorageCalls {

  /**
   * A blocking storage call. The actors here return a value rather than null ({@code Boolean.TRUE}
   * for a call without a result), so a piped stage always carries one.
   */
  @FunctionalInterface
  public interface Call<T> {
    T run() throws Exception;
  }

  private final Executor executor;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder overloaded = new LongAdder();

  /**
   * @param executor runs the calls (the storage dispatcher)
   * @param maxInFlight how many calls may be queued or running at once (at least 1)
   */
  public StorageCalls(Executor executor, int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
    }
    this.executor = executor;
    this.maxInFlight = maxInFlight;
  }

  /** Calls on {@code executor} with no bound of their own (tests, tools). */
  public static StorageCalls unbounded(Executor executor) {
    return new StorageCalls(executor, Integer.MAX_VALUE);
  }

  /** Runs {@code call} on the storage executor; see the class comment for how its stage fails. */
  public <T> CompletionStage<T> call(Call<T> call) {
    return call(() -> false, call);
  }

  /**
   * Runs {@code call} on the storage executor unless {@code expired} is true when a storage thread
   * picks it up (checked there, right before the call starts).
   */
  public <T> CompletionStage<T> call(BooleanSupplier expired, Call<T> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (!tryAcquire()) {
      overloaded.increment();
      result.completeExceptionally(new StorageOverloadedException(maxInFlight));
      return result;
    }
    try {
      executor.execute(() -> run(expired, call, result));
    } catch (RejectedExecutionException e) {
      inFlight.decrementAndGet();
      result.completeExceptionally(e);
    }
    return result;
  }

  private <T> void run(BooleanSupplier expired, Call<T> call, CompletableFuture<T> result) {
    boolean skipped = false;
    T value = null;
    Exception failure = null;
    try {
      skipped = expired.getAsBoolean();
      if (!skipped) {
        value = call.run();
      }
    } catch (Exception e) {
      failure = e;
    } finally {
      // freed before the caller hears back, so a caller answered can call again at once
      inFlight.decrementAndGet();
    }
    if (skipped) {
      result.completeExceptionally(new StorageCallExpiredException());
    } else if (failure != null) {
      result.completeExceptionally(failure);
    } else {
      result.complete(value);
    }
  }

  private boolean tryAcquire() {
    while (true) {
      int now = inFlight.get();
      if (now >= maxInFlight) {
        return false;
      }
      if (inFlight.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Calls queued or running now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** The bound on calls queued or running. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** Calls refused since this node started because {@link #maxInFlight} were in flight. */
  public long overloaded() {
    return overloaded.sum();
  }

  /** The executor the calls run on (for reading its queue length). */
  public Executor executor() {
    return executor;
  }

  /**
   * The message of a failed call for an error reply: the failure's class and message, without the
   * {@code CompletionException} wrapper a stage may add.
   */
  public static String describe(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
