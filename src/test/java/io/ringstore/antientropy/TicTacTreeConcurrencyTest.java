package io.ringstore.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Several storage threads updating one tree concurrently, with a reader taking snapshots. */
class TicTacTreeConcurrencyTest {

  private static final int WRITERS = 8;
  private static final int OPERATIONS_PER_WRITER = 20_000;

  @Test
  void concurrentUpdatesOfDisjointKeysEqualARebuild() throws Exception {
    TicTacTree tree = new TicTacTree(256);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean writing = new AtomicBoolean(true);
    try {
      List<Future<Map<ByteKey, byte[]>>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        writers.add(pool.submit(writer(tree, w, start)));
      }
      Future<Integer> reader =
          pool.submit(
              () -> {
                start.await();
                int snapshots = 0;
                while (writing.get()) {
                  TreeSnapshot snapshot = tree.snapshot();
                  assertEquals(256, snapshot.segmentCount(), "snapshot shape");
                  snapshots++;
                }
                return snapshots;
              });
      start.countDown();

      Map<ByteKey, byte[]> contents = new HashMap<>();
      for (Future<Map<ByteKey, byte[]>> writer : writers) {
        contents.putAll(writer.get(60, TimeUnit.SECONDS));
      }
      writing.set(false);
      reader.get(60, TimeUnit.SECONDS);

      List<Map.Entry<byte[], byte[]>> entries = new ArrayList<>();
      contents.forEach((k, v) -> entries.add(new SimpleImmutableEntry<>(k.bytes(), v)));
      TicTacTree rebuilt = TicTacTree.rebuild(256, entries);
      assertEquals(rebuilt.snapshot(), tree.snapshot(), "concurrent updates equal a rebuild");
      assertEquals(rebuilt.root(), tree.root(), "roots");
    } finally {
      writing.set(false);
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** Inserts, overwrites and deletes keys with the writer's own prefix; returns its final map. */
  private static Callable<Map<ByteKey, byte[]>> writer(
      TicTacTree tree, int id, CountDownLatch start) {
    return () -> {
      Random random = new Random(id);
      Map<ByteKey, byte[]> mine = new HashMap<>();
      start.await();
      for (int op = 0; op < OPERATIONS_PER_WRITER; op++) {
        ByteKey key = ByteKey.of("w" + id + ":" + random.nextInt(2_000));
        if (random.nextInt(4) == 0) {
          tree.update(key.bytes(), mine.remove(key), null);
        } else {
          byte[] object = ("v" + op).getBytes(StandardCharsets.UTF_8);
          tree.update(key.bytes(), mine.put(key, object), object);
        }
      }
      return mine;
    };
  }
}
