package io.ringstore.http;

import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import org.apache.pekko.dispatch.Dispatcher;

/**
 * The length of the storage dispatcher's task queue, read without blocking: the dispatcher is a
 * Pekko {@link Dispatcher} on a {@code thread-pool-executor} (reference.conf's {@code
 * ringstore-storage-dispatcher}), whose pool's queue is an unbounded linked queue with a lock-free
 * size. Empty when the executor is of another kind (its queue is not known).
 */
final class StorageQueue {
  private StorageQueue() {}

  static OptionalLong length(Executor executor) {
    if (executor instanceof Dispatcher dispatcher
        && dispatcher.executorService().executor() instanceof ThreadPoolExecutor pool) {
      return OptionalLong.of(pool.getQueue().size());
    }
    return OptionalLong.empty();
  }
}
