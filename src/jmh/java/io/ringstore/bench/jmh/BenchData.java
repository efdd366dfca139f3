package io.ringstore.bench.jmh;

import io.ringstore.storage.Sibling;
import io.ringstore.version.DvvSet;
import io.ringstore.version.VersionVector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic inputs shared by the benchmarks: node uids, YCSB-style keys, values, objects. */
final class BenchData {
  /** Number of pre-built keys a benchmark cycles through (a power of two). */
  static final int KEY_COUNT = 4096;

  private BenchData() {}

  /**
   * {@code n} actor ids shaped like real node uids (12 base64url characters), sorted by nothing.
   */
  static List<String> actors(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] raw = new byte[9];
      for (int j = 0; j < raw.length; j++) {
        raw[j] = (byte) random.nextInt(256);
      }
      out.add(Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
    }
    return out;
  }

  /** {@code n} member addresses as the ring sees them ({@code host:port}). */
  static List<String> members(int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add("127.0.0.1:" + (25520 + i));
    }
    return out;
  }

  /** {@link #KEY_COUNT} YCSB-style keys ({@code user} + a long). */
  static String[] keys(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] keys = new String[KEY_COUNT];
    for (int i = 0; i < KEY_COUNT; i++) {
      keys[i] = "user" + (random.nextLong() & Long.MAX_VALUE);
    }
    return keys;
  }

  static byte[] bytes(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }

  static Sibling sibling(int size, long seed) {
    return Sibling.value(bytes(size, seed), "application/octet-stream");
  }

  /**
   * A stored object as a replica would hold it: a history in which each of {@code actors} wrote in
   * turn (each with the previous context), then {@code siblings} concurrent writes made with one
   * stale context, so the object holds exactly {@code siblings} values of {@code valueSize} bytes.
   */
  static DvvSet<Sibling> object(List<String> actors, int siblings, int valueSize) {
    if (siblings < 1 || siblings > actors.size()) {
      throw new IllegalArgumentException("need 1.." + actors.size() + " siblings, got " + siblings);
    }
    DvvSet<Sibling> current = DvvSet.empty();
    long seed = 1;
    for (String actor : actors) {
      current = current.update(DvvSet.of(current.join(), sibling(valueSize, seed++)), actor);
    }
    VersionVector stale = current.join();
    for (int s = 0; s < siblings; s++) {
      current = current.update(DvvSet.of(stale, sibling(valueSize, seed++)), actors.get(s));
    }
    if (current.size() != siblings || current.join().size() != actors.size()) {
      throw new IllegalStateException(
          "built "
              + current.size()
              + " siblings over "
              + current.join().size()
              + " actors, wanted "
              + siblings
              + " over "
              + actors.size());
    }
    return current;
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
