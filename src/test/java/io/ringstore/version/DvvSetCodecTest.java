package io.ringstore.version;

import static io.ringstore.version.Clocks.clock;
import static io.ringstore.version.Clocks.e;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DvvSetCodecTest {

  private final DvvSetCodec<String> codec = new DvvSetCodec<>(Clocks.STRINGS);

  private static byte[] bytes(int... bs) {
    byte[] b = new byte[bs.length];
    for (int i = 0; i < bs.length; i++) {
      b[i] = (byte) bs[i];
    }
    return b;
  }

  @Test
  void roundTripsExamples() {
    Map<String, DvvSet<String>> cases = new LinkedHashMap<>();
    cases.put("empty", DvvSet.empty());
    cases.put("anonymous only", DvvSet.of("v"));
    cases.put("client write with context", DvvSet.of(Clocks.vv("a", 3, "b", 1), "v"));
    cases.put("siblings", clock(List.of("x"), e("a", 4, "v5", "v0"), e("b", 1), e("c", 1, "v3")));
    cases.put("unicode and empty values", clock(e("\ud83d\ude00", Long.MAX_VALUE, "", "\u0000")));
    cases.forEach(
        (name, set) -> {
          byte[] data = codec.encode(set);
          assertEquals(DvvSetCodec.FORMAT_VERSION, data[0], name + ": version byte first");
          assertEquals(set, codec.decode(data), name + ": round trip");
          assertArrayEquals(data, codec.encode(codec.decode(data)), name + ": stable encoding");
        });
    assertArrayEquals(bytes(1, 0, 0), codec.encode(DvvSet.empty()), "empty clock is three bytes");
  }

  @Test
  void roundTripsGeneratedClocks() {
    Random rnd = new Random(99);
    for (int i = 0; i < 3000; i++) {
      DvvSet<String> set = Clocks.randomDvvSet(rnd);
      assertEquals(set, codec.decode(codec.encode(set)), "random clock " + i + ": " + set);
    }
    for (long seed = 0; seed < 40; seed++) {
      Simulation sim = new Simulation(seed, 3, 3).run(100);
      for (Simulation.Snapshot s : sim.snapshots) {
        assertEquals(
            s.clock(), codec.decode(codec.encode(s.clock())), sim.label() + ": " + s.clock());
      }
    }
  }

  @Test
  void worksWithOtherValueTypes() {
    DvvSetCodec<Long> longs =
        new DvvSetCodec<>(
            new ValueCodec<>() {
              @Override
              public void write(Long value, DataOutput out) throws IOException {
                out.writeLong(value);
              }

              @Override
              public Long read(DataInput in) throws IOException {
                return in.readLong();
              }
            });
    DvvSet<Long> set = DvvSet.<Long>empty().update(DvvSet.of(7L), "a").update(DvvSet.of(8L), "b");
    assertEquals(set, longs.decode(longs.encode(set)), "long values round-trip");
  }

  record Bad(String name, byte[] input, String messagePart) {}

  @Test
  void rejectsCorruptInput() {
    List<Bad> cases =
        List.of(
            new Bad("empty input", bytes(), "empty"),
            new Bad("unknown version", bytes(2, 0, 0), "format version 2"),
            new Bad("version only", bytes(1), "truncated"),
            new Bad("missing anonymous count", bytes(1, 0), "truncated"),
            new Bad("trailing bytes", bytes(1, 0, 0, 0), "trailing"),
            new Bad("entry count beyond input", bytes(1, 0x7F, 0), "entry count"),
            new Bad(
                "actor length beyond input", bytes(1, 1, 0x7F, 'a', 1, 0, 0), "actor id length"),
            new Bad("value count beyond input", bytes(1, 0, 0x7F), "value count"),
            new Bad("counter zero", bytes(1, 1, 1, 'a', 0, 0, 0), "must be >= 1"),
            new Bad(
                "counter below value count",
                bytes(1, 1, 1, 'a', 1, 2, 0, 1, 'x', 0, 1, 'y', 0),
                "holds 2 values"),
            new Bad("unsorted actors", bytes(1, 2, 1, 'b', 1, 0, 1, 'a', 1, 0, 0), "not sorted"),
            new Bad(
                "duplicate actors", bytes(1, 2, 1, 'a', 1, 0, 1, 'a', 1, 0, 0), "duplicate actor"),
            new Bad("empty actor", bytes(1, 1, 0, 1, 0, 0), "empty"),
            new Bad("invalid UTF-8 actor", bytes(1, 1, 1, 0xFF, 1, 0, 0), "UTF-8"),
            new Bad("overlong varint", bytes(1, 0x80, 0x00, 0), "non-canonical"),
            new Bad("value codec fails", bytes(1, 0, 1, 0, 5, 'x'), "truncated"));
    for (Bad c : cases) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> codec.decode(c.input()),
              c.name() + ": must be rejected");
      assertTrue(
          e.getMessage().startsWith("corrupt DvvSet"),
          c.name() + ": clear prefix, was: " + e.getMessage());
      assertTrue(
          e.getMessage().contains(c.messagePart()),
          c.name()
              + ": message should mention '"
              + c.messagePart()
              + "' but was: "
              + e.getMessage());
    }
  }

  @Test
  void everyStrictPrefixOfAValidEncodingIsRejected() {
    Random rnd = new Random(5);
    for (int i = 0; i < 300; i++) {
      byte[] data = codec.encode(Clocks.randomDvvSet(rnd));
      for (int len = 0; len < data.length; len++) {
        byte[] prefix = Arrays.copyOf(data, len);
        int l = len;
        assertThrows(
            IllegalArgumentException.class,
            () -> codec.decode(prefix),
            "clock " + i + ": prefix of length " + l + "/" + data.length);
      }
    }
  }

  @Test
  void fuzzRandomBytesAndMutations() {
    Random rnd = new Random(11);
    List<byte[]> valid = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      valid.add(codec.encode(Clocks.randomDvvSet(rnd)));
    }
    for (int i = 0; i < 30_000; i++) {
      byte[] input;
      if (i % 2 == 0) {
        input = new byte[rnd.nextInt(40)];
        rnd.nextBytes(input);
        if (input.length > 0 && rnd.nextInt(4) != 0) {
          input[0] = 1;
        }
      } else {
        input = valid.get(rnd.nextInt(valid.size())).clone();
        int mutations = 1 + rnd.nextInt(3);
        for (int m = 0; m < mutations; m++) {
          input[rnd.nextInt(input.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
      }
      DvvSet<String> decoded;
      try {
        decoded = codec.decode(input);
      } catch (IllegalArgumentException expected) {
        continue;
      } catch (RuntimeException other) {
        fail("fuzz case " + i + ": unexpected " + other + " for " + Arrays.toString(input), other);
        return;
      }
      assertEquals(
          decoded,
          codec.decode(codec.encode(decoded)),
          "fuzz case " + i + ": accepted input round-trips");
    }
  }

  @Test
  void encodeRejectsAValueCodecThatWritesNothing() {
    DvvSetCodec<String> silent =
        new DvvSetCodec<>(
            new ValueCodec<>() {
              @Override
              public void write(String value, DataOutput out) {}

              @Override
              public String read(DataInput in) {
                return "";
              }
            });
    assertThrows(
        IllegalArgumentException.class, () -> silent.encode(DvvSet.of("v")), "zero-byte values");
    assertEquals(DvvSet.empty(), silent.decode(silent.encode(DvvSet.empty())), "no values is fine");
  }
}
