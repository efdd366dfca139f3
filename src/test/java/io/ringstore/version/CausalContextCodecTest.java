package io.ringstore.version;

import static io.ringstore.version.Clocks.vv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CausalContextCodecTest {

  private static String b64(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static int[] concat(int[] a, int... b) {
    int[] out = new int[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int[] varint(long v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
    byte[] b = out.toByteArray();
    int[] r = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = b[i] & 0xFF;
    }
    return r;
  }

  @Test
  void roundTripsExamples() {
    Map<String, VersionVector> cases = new HashMap<>();
    cases.put("empty", VersionVector.empty());
    cases.put("one actor", vv("a", 1));
    cases.put("several actors", vv("node-1", 3, "node-2", 150, "node-3", 1));
    cases.put("max counter", vv("a", Long.MAX_VALUE));
    cases.put("unicode actors", vv("n\u00e9", 2, "\u4e2d", 7, "\ud83d\ude00", 9));
    cases.forEach(
        (name, v) -> {
          String s = CausalContextCodec.encode(v);
          assertFalse(s.isEmpty(), name + ": encoding is non-empty");
          assertTrue(s.matches("[A-Za-z0-9_-]+"), name + ": base64url without padding: " + s);
          assertEquals(v, CausalContextCodec.decode(s), name + ": round trip");
        });
    assertEquals("AQA", CausalContextCodec.encode(VersionVector.empty()), "empty vector encoding");
    assertEquals(b64(1, 1, 1, 'a', 1), CausalContextCodec.encode(vv("a", 1)), "documented layout");
    assertEquals(
        vv("a", 1),
        new CausalContextCodec().decode(b64(1, 1, 1, 'a', 1)),
        "usable via an instance");
  }

  @Test
  void roundTripsGeneratedVectors() {
    Random rnd = new Random(42);
    for (int i = 0; i < 5000; i++) {
      VersionVector v = Clocks.randomVersionVector(rnd);
      String s = CausalContextCodec.encode(v);
      assertEquals(v, CausalContextCodec.decode(s), "generated vector " + i + ": " + v);
    }
  }

  record Bad(String name, String input, String messagePart) {}

  @Test
  void rejectsMalformedContexts() {
    int[] actorA = {1, 'a'};
    List<Bad> cases =
        List.of(
            new Bad("null", null, "missing"),
            new Bad("empty", "", "empty"),
            new Bad("blank", "  \t", "empty"),
            new Bad("padding", "AQA=", "base64url"),
            new Bad("standard base64 alphabet", "AQ+/", "base64url"),
            new Bad("inner space", "AQ A", "base64url"),
            new Bad("impossible length", "AQAAA", "base64url"),
            new Bad("non-zero trailing bits", "AQB", "base64url"),
            new Bad("unknown version 2", b64(2, 0), "format version 2"),
            new Bad("unknown version 0", b64(0, 0), "format version 0"),
            new Bad("version only", b64(1), "truncated"),
            new Bad("missing entry", b64(1, 1), "truncated"),
            new Bad("missing counter", b64(concat(new int[] {1, 1}, actorA)), "truncated"),
            new Bad("short actor", b64(1, 1, 5, 'a'), "truncated"),
            new Bad("trailing bytes", b64(1, 0, 0), "trailing"),
            new Bad(
                "trailing after entry",
                b64(concat(concat(new int[] {1, 1}, actorA), 1, 9)),
                "trailing"),
            new Bad("zero counter", b64(concat(concat(new int[] {1, 1}, actorA), 0)), "counter 0"),
            new Bad(
                "counter beyond 63 bits",
                b64(
                    concat(
                        concat(new int[] {1, 1}, actorA),
                        0xFF,
                        0xFF,
                        0xFF,
                        0xFF,
                        0xFF,
                        0xFF,
                        0xFF,
                        0xFF,
                        0xFF,
                        0x01)),
                "9 bytes"),
            new Bad("overlong varint", b64(1, 0x80, 0x00), "non-canonical"),
            new Bad("duplicate actors", b64(1, 2, 1, 'a', 1, 1, 'a', 2), "duplicate actor 'a'"),
            new Bad("unsorted actors", b64(1, 2, 1, 'b', 1, 1, 'a', 1), "not sorted"),
            new Bad(
                "too many entries",
                b64(concat(new int[] {1}, varint(CausalContextCodec.MAX_ENTRIES + 1))),
                "entry count"),
            new Bad("absurd entry count", b64(1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F), "entry count"),
            new Bad(
                "absurd actor length",
                b64(concat(new int[] {1, 1}, varint(1L << 40))),
                "actor id length"),
            new Bad("empty actor", b64(1, 1, 0, 1), "empty actor"),
            new Bad("invalid UTF-8", b64(1, 1, 1, 0xFF, 1), "UTF-8"),
            new Bad("UTF-8 encoded surrogate", b64(1, 1, 3, 0xED, 0xA0, 0x80, 1), "UTF-8"),
            new Bad("too long", "A".repeat(CausalContextCodec.MAX_STRING_LENGTH + 1), "too long"));
    for (Bad c : cases) {
      InvalidContextException e =
          assertThrows(
              InvalidContextException.class,
              () -> CausalContextCodec.decode(c.input()),
              c.name() + ": must be rejected");
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
  void encodeRefusesWhatDecodeWouldReject() {
    Map<String, Long> tooMany = new HashMap<>();
    for (int i = 0; i <= CausalContextCodec.MAX_ENTRIES; i++) {
      tooMany.put("actor-" + i, 1L);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> CausalContextCodec.encode(VersionVector.of(tooMany)),
        "too many actors");
    assertThrows(
        IllegalArgumentException.class,
        () -> CausalContextCodec.encode(vv("x".repeat(CausalContextCodec.MAX_ACTOR_BYTES + 1), 1)),
        "actor id too long");
    String atLimit = "y".repeat(CausalContextCodec.MAX_ACTOR_BYTES);
    assertEquals(
        vv(atLimit, 1),
        CausalContextCodec.decode(CausalContextCodec.encode(vv(atLimit, 1))),
        "actor id at the limit round-trips");
  }

  /** Decoding garbage either fails with InvalidContextException or yields the canonical form. */
  private static void fuzzOne(String input, String what) {
    VersionVector v;
    try {
      v = CausalContextCodec.decode(input);
    } catch (InvalidContextException expected) {
      return;
    } catch (RuntimeException other) {
      fail(what + ": unexpected " + other + " for input '" + input + "'", other);
      return;
    }
    assertEquals(
        input,
        CausalContextCodec.encode(v),
        what + ": accepted input must be the canonical encoding");
  }

  @Test
  void fuzzRandomStringsBytesAndMutations() {
    Random rnd = new Random(7);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    String extra = "=+/ \n.%\u00e9\ud83d\u0000";
    List<String> valid = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      valid.add(CausalContextCodec.encode(Clocks.randomVersionVector(rnd)));
    }
    int accepted = 0;
    for (int i = 0; i < 30_000; i++) {
      String input;
      switch (i % 4) {
        case 0 -> { // random characters
          StringBuilder sb = new StringBuilder();
          int len = rnd.nextInt(40);
          for (int k = 0; k < len; k++) {
            sb.append(
                rnd.nextInt(20) == 0
                    ? extra.charAt(rnd.nextInt(extra.length()))
                    : alphabet.charAt(rnd.nextInt(alphabet.length())));
          }
          input = sb.toString();
        }
        case 1 -> { // random bytes, usually with the right version byte
          byte[] b = new byte[rnd.nextInt(30)];
          rnd.nextBytes(b);
          if (b.length > 0 && rnd.nextInt(4) != 0) {
            b[0] = 1;
          }
          if (b.length > 1 && rnd.nextBoolean()) {
            b[1] = (byte) rnd.nextInt(4);
          }
          input = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        }
        case 2 -> { // mutated valid bytes
          byte[] b = Base64.getUrlDecoder().decode(valid.get(rnd.nextInt(valid.size())));
          int mutations = 1 + rnd.nextInt(3);
          for (int m = 0; m < mutations && b.length > 0; m++) {
            b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
          }
          input = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        }
        default -> { // truncated or extended valid strings
          String s = valid.get(rnd.nextInt(valid.size()));
          input =
              rnd.nextBoolean()
                  ? s.substring(0, rnd.nextInt(s.length()))
                  : s + alphabet.charAt(rnd.nextInt(alphabet.length()));
        }
      }
      try {
        CausalContextCodec.decode(input);
        accepted++;
      } catch (RuntimeException ignored) {
        // checked precisely below
      }
      fuzzOne(input, "fuzz case " + i);
    }
    assertTrue(
        accepted > 0, "some mutations should still be valid contexts (sanity of the fuzzer)");
  }
}
