package io.ringstore.bench;

import io.ringstore.client.ReadOptions;
import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A worker's {@link Connection} through a Java client, the member's {@code RingstoreClient} ({@link
 * JavaConnections}) or the HTTP client library ({@link LibraryConnections}): each call sends one
 * request and waits for its answer on the worker's own thread (the closed loop of a YCSB client),
 * bounded by the request timeout plus a margin. Never called on an actor or dispatcher thread.
 */
final class ClientConnection implements Connection {

  /** A client's read. */
  @FunctionalInterface
  interface Get {
    CompletionStage<ReadResult> get(String key, ReadOptions options);
  }

  /** A client's write. */
  @FunctionalInterface
  interface Put {
    CompletionStage<WriteResult> put(
        String key, byte[] value, String contentType, String context, WriteOptions options);
  }

  private final Get get;
  private final Put put;
  private final ReadOptions readOptions;
  private final WriteOptions writeOptions;
  private final long waitMillis;

  ClientConnection(
      Get get, Put put, ReadOptions readOptions, WriteOptions writeOptions, long waitMillis) {
    this.get = get;
    this.put = put;
    this.readOptions = readOptions;
    this.writeOptions = writeOptions;
    this.waitMillis = waitMillis;
  }

  @Override
  public Result read(String key) throws InterruptedException {
    return read(key, false);
  }

  @Override
  public Result readForUpdate(String key) throws InterruptedException {
    return read(key, true);
  }

  private Result read(String key, boolean missingIsOk) throws InterruptedException {
    Object result = await(get.get(key, readOptions));
    if (result instanceof ReadResult.Found found) {
      return Result.ok(found.context(), found.hasSiblings());
    }
    if (result instanceof ReadResult.NotFound notFound) {
      return missingIsOk ? Result.ok(notFound.context(), false) : Result.failed("NotFound");
    }
    return failure(result);
  }

  @Override
  public Result write(String key, byte[] value, String context) throws InterruptedException {
    Object result = await(put.put(key, value, "application/octet-stream", context, writeOptions));
    if (result instanceof WriteResult.Written written) {
      return Result.ok(written.context(), false);
    }
    return failure(result);
  }

  private static Result failure(Object result) {
    if (result instanceof Outcome.Unavailable) {
      return Result.failed("Unavailable");
    }
    if (result instanceof Outcome.Rejected) {
      return Result.failed("Rejected");
    }
    return Result.failed((String) result);
  }

  /** The stage's result, or the failure's class name as a String. */
  private Object await(CompletionStage<?> stage) throws InterruptedException {
    try {
      return stage.toCompletableFuture().get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause() == null ? "ExecutionException" : e.getCause().getClass().getSimpleName();
    } catch (TimeoutException e) {
      return "TimeoutException";
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName();
    }
  }
}
