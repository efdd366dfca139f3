package io.ringstore.version;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Test helpers: terse clock construction and random generators. */
final class Clocks {

  private Clocks() {}

  /** A String value codec (modified UTF-8 with a 2-byte length). */
  static final ValueCodec<String> STRINGS =
      new ValueCodec<>() {
        @Override
        public void write(String value, DataOutput out) throws IOException {
          out.writeUTF(value);
        }

        @Override
        public String read(DataInput in) throws IOException {
          return in.readUTF();
        }
      };

  static DvvSet.Entry<String> e(String actor, long counter, String... values) {
    return new DvvSet.Entry<>(actor, counter, List.of(values));
  }

  @SafeVarargs
  static DvvSet<String> clock(List<String> anonymous, DvvSet.Entry<String>... entries) {
    return DvvSet.fromParts(List.of(entries), anonymous);
  }

  @SafeVarargs
  static DvvSet<String> clock(DvvSet.Entry<String>... entries) {
    return clock(List.of(), entries);
  }

  static VersionVector vv(Object... actorCounterPairs) {
    Map<String, Long> m = new TreeMap<>();
    for (int i = 0; i < actorCounterPairs.length; i += 2) {
      m.put((String) actorCounterPairs[i], ((Number) actorCounterPairs[i + 1]).longValue());
    }
    return VersionVector.of(m);
  }

  /** Riak update/2: the client clock advanced at {@code actor} with no server clock. */
  static DvvSet<String> update2(DvvSet<String> client, String actor) {
    return DvvSet.<String>empty().update(client, actor);
  }

  static List<String> sorted(List<String> values) {
    List<String> copy = new ArrayList<>(values);
    copy.sort(null);
    return copy;
  }

  private static final String[] ACTOR_POOL = {
    "a", "b", "c", "node-1", "node-2", "n\u00e9", "\u4e2d\u6587", "\ud83d\ude00x", "z", "Z9"
  };

  static String randomActor(Random rnd) {
    if (rnd.nextInt(4) == 0) {
      StringBuilder sb = new StringBuilder();
      int len = 1 + rnd.nextInt(12);
      for (int i = 0; i < len; i++) {
        sb.appendCodePoint(
            rnd.nextInt(5) == 0
                ? 0x80 + rnd.nextInt(0x10000 - 0x80 - 0x800)
                : 'a' + rnd.nextInt(26));
      }
      String s = sb.toString();
      return s.chars().anyMatch(c -> Character.isSurrogate((char) c)) ? "s" + len : s;
    }
    return ACTOR_POOL[rnd.nextInt(ACTOR_POOL.length)];
  }

  static VersionVector randomVersionVector(Random rnd) {
    Map<String, Long> m = new TreeMap<>();
    int n = rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      long counter =
          switch (rnd.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 1 + rnd.nextInt(200);
            case 2 -> Long.MAX_VALUE - rnd.nextInt(3);
            default -> 1 + (rnd.nextLong() >>> 1) % Long.MAX_VALUE;
          };
      m.put(randomActor(rnd), Math.max(1, counter));
    }
    return VersionVector.of(m);
  }

  /** A structurally arbitrary (valid) DvvSet, including anonymous values and duplicates. */
  static DvvSet<String> randomDvvSet(Random rnd) {
    TreeMap<String, DvvSet.Entry<String>> entries = new TreeMap<>();
    int n = rnd.nextInt(5);
    for (int i = 0; i < n; i++) {
      String actor = randomActor(rnd);
      int values = rnd.nextInt(4);
      long counter = values + 1 + (rnd.nextBoolean() ? 0 : rnd.nextInt(1000));
      List<String> vs = new ArrayList<>();
      for (int j = 0; j < values; j++) {
        vs.add(randomValue(rnd));
      }
      entries.put(actor, new DvvSet.Entry<>(actor, counter, vs));
    }
    List<String> anon = new ArrayList<>();
    int a = rnd.nextInt(3);
    for (int i = 0; i < a; i++) {
      anon.add(randomValue(rnd));
    }
    return DvvSet.fromParts(new ArrayList<>(entries.values()), anon);
  }

  static String randomValue(Random rnd) {
    return switch (rnd.nextInt(4)) {
      case 0 -> "";
      case 1 -> "v" + rnd.nextInt(10);
      case 2 -> "\u0000\u00ff\ud83d\ude00";
      default -> {
        StringBuilder sb = new StringBuilder();
        int len = rnd.nextInt(30);
        for (int i = 0; i < len; i++) {
          sb.append((char) (' ' + rnd.nextInt(90)));
        }
        yield sb.toString();
      }
    };
  }
}
