package io.ringstore.http;

import java.util.concurrent.Executor;

/**
 * How the gateway chains {@link java.util.concurrent.CompletionStage}s: always with the {@code
 * …Async(fn, SAME_THREAD)} variants, never the plain ones. The stages Pekko's Java API hands out
 * (an entity's {@code toStrict}, a stream's completion, the route result seen by {@code
 * mapRouteResultFuture}, an ask) are Scala futures seen through {@code scala.jdk.FutureConverters},
 * whose plain {@code whenComplete}, {@code exceptionally}, {@code thenApply} … run the callback
 * asynchronously on the common pool, and on a machine of two cores or fewer the common pool starts
 * a new thread for every task. One such callback on every PUT (the in-flight bound's release) cost
 * about 15 % of a three-node cluster's throughput (BENCHMARKS.md, "Where the hot path went, side by
 * side"). {@link #SAME_THREAD} runs the callback on the thread that completes the stage, which is
 * what the plain variants do on an ordinary {@code CompletableFuture}. {@code StagesLintTest} keeps
 * the plain variants out of this package.
 */
final class Stages {
  private Stages() {}

  /** Runs a callback on the thread that completed the stage. */
  static final Executor SAME_THREAD = Runnable::run;
}
