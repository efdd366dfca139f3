package io.ringstore.version;

import static io.ringstore.version.Clocks.clock;
import static io.ringstore.version.Clocks.e;
import static io.ringstore.version.Clocks.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CausalContextCodec#contextOf}: every context the server hands out is within the limits it
 * checks a client's context against, and a write with it still supersedes the siblings it names
 * (DESIGN invariants 3 and 5).
 */
class HandedOutContextTest {
  private static final CausalContextCodec.Limits SMALL = new CausalContextCodec.Limits(8, 512);

  @Test
  void aClockWithinTheLimitsIsHandedOutWhole() {
    DvvSet<String> object = clock(e("a", 5), e("b", 3, "vb"), e("c", 2, "vc"));
    assertEquals(
        CausalContextCodec.encode(object.join()),
        CausalContextCodec.contextOf(object, SMALL),
        "the whole history when it fits");
    assertEquals(
        CausalContextCodec.encode(DvvSet.<String>empty().join()),
        CausalContextCodec.contextOf(DvvSet.<String>empty(), SMALL),
        "the empty clock");
  }

  @Test
  void aClockOfMoreActorsThanAllowedNamesTheActorsHoldingValuesAndStillResolves() {
    List<DvvSet.Entry<String>> entries = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      String actor = String.format("n%02d", i);
      entries.add(
          i == 17 ? e(actor, 40, "v17") : i == 42 ? e(actor, 9, "v42b", "v42a") : e(actor, i + 1));
    }
    DvvSet<String> object = DvvSet.fromParts(entries, List.of());
    String context = CausalContextCodec.contextOf(object, SMALL);
    VersionVector vv = CausalContextCodec.decode(context);
    assertEquals(
        VersionVector.of(Map.of("n17", 40L, "n42", 9L)),
        vv,
        "only the actors that hold values, at their stored counters");
    assertTrue(object.join().descends(vv), "held by the clock it came from");
    DvvSet<String> written = object.update(DvvSet.of(vv, "resolved"), "n00");
    assertEquals(
        List.of("resolved"), written.values(), "the write supersedes every sibling it saw");
    assertEquals(70, written.entries().size(), "the stored clock keeps its history");
  }

  @Test
  void tooManyActorsHoldingValuesNamesThoseWithTheMostAndTheNextWriteResolvesTheRest() {
    List<DvvSet.Entry<String>> entries = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String actor = String.format("a%02d", i);
      entries.add(i == 11 ? e(actor, 3, "x", "y") : e(actor, 1, "v" + i));
    }
    DvvSet<String> object = DvvSet.fromParts(entries, List.of());
    VersionVector first = CausalContextCodec.decode(CausalContextCodec.contextOf(object, SMALL));
    assertEquals(8, first.size(), "at most max-context-actors");
    assertEquals(3L, first.get("a11"), "the actor with the most values is named first");
    DvvSet<String> once = object.update(DvvSet.of(first, "w1"), "a0");
    assertEquals(
        13 - 9 + 1,
        once.size(),
        "the eight named actors' nine values are superseded, the other four stay siblings");
    VersionVector second = CausalContextCodec.decode(CausalContextCodec.contextOf(once, SMALL));
    DvvSet<String> twice = once.update(DvvSet.of(second, "w2"), "a0");
    assertEquals(List.of("w2"), twice.values(), "the next read and write resolves the rest");
  }

  @Test
  void longActorIdsAreNamedOnlyWhileTheContextFitsItsCharacters() {
    List<DvvSet.Entry<String>> entries = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      entries.add(e(String.format("%064d", i), Long.MAX_VALUE - 1, "v" + i));
    }
    DvvSet<String> object = DvvSet.fromParts(entries, List.of());
    String context = CausalContextCodec.contextOf(object, SMALL);
    assertTrue(
        context.length() <= SMALL.maxChars(), "within max-context-size: " + context.length());
    VersionVector vv = CausalContextCodec.decode(context);
    assertTrue(vv.size() >= 1 && vv.size() < 8, "as many actors as fit: " + vv.size());
    assertTrue(object.join().descends(vv), "held");
  }

  /**
   * An actor id no context can carry is left out rather than failing the read that hands it out.
   */
  @Test
  void anActorIdLongerThanAContextCarriesIsLeftOut() {
    DvvSet<String> object = clock(e("a", 2, "va"), e("z".repeat(65), 1, "vz"));
    VersionVector vv = CausalContextCodec.decode(CausalContextCodec.contextOf(object, SMALL));
    assertEquals(VersionVector.of(Map.of("a", 2L)), vv, "only the actor it can carry");
  }

  /** Generated objects: the handed-out context is within the limits and held; full when it fits. */
  @Test
  void generatedObjectsGetAContextWithinTheLimitsThatTheirClockHolds() {
    Random random = new Random(15);
    for (int run = 0; run < 2000; run++) {
      int actors = 1 + random.nextInt(40);
      List<DvvSet.Entry<String>> entries = new ArrayList<>();
      for (int a = 0; a < actors; a++) {
        long counter = 1 + (random.nextBoolean() ? random.nextInt(50) : random.nextLong() >>> 2);
        int values = (int) Math.min(counter, random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0);
        List<String> vs = new ArrayList<>();
        for (int v = 0; v < values; v++) {
          vs.add("v" + a + "-" + v);
        }
        String id = "x".repeat(1 + random.nextInt(61)) + String.format("%03d", a);
        entries.add(new DvvSet.Entry<>(id, counter, vs));
      }
      entries.sort(Comparator.comparing(DvvSet.Entry::actor));
      DvvSet<String> object = DvvSet.fromParts(entries, List.of());
      CausalContextCodec.Limits limits =
          new CausalContextCodec.Limits(1 + random.nextInt(64), 64 + random.nextInt(4000));
      String context = CausalContextCodec.contextOf(object, limits);
      VersionVector vv = CausalContextCodec.decode(context);
      String what = "run " + run + " (" + actors + " actors, " + limits + ")";
      assertTrue(context.length() <= limits.maxChars(), what + ": chars " + context.length());
      assertTrue(vv.size() <= limits.maxActors(), what + ": actors " + vv.size());
      assertTrue(object.join().descends(vv), what + ": held by the object's clock");
      boolean fits =
          object.join().size() <= limits.maxActors()
              && CausalContextCodec.encode(object.join()).length() <= limits.maxChars();
      assertEquals(fits, vv.equals(object.join()), what + ": whole exactly when it fits");
      DvvSet<String> written = object.update(DvvSet.of(vv, "new"), entries.get(0).actor());
      assertTrue(written.values().contains("new"), what + ": the write is kept");
      assertFalse(written.size() > object.size() + 1, what + ": never more siblings than before");
      List<String> kept = new ArrayList<>(written.values());
      kept.remove("new");
      assertTrue(object.values().containsAll(kept), what + ": only values that were there remain");
      for (String value : sorted(object.values())) {
        String actor =
            object.entries().stream()
                .filter(x -> x.values().contains(value))
                .findFirst()
                .orElseThrow()
                .actor();
        if (vv.get(actor) > 0) {
          assertFalse(
              written.values().contains(value),
              what + ": a value of a named actor is superseded: " + value);
        }
      }
    }
  }
}
