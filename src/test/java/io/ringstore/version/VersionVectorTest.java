package io.ringstore.version;

import static io.ringstore.version.Clocks.vv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionVectorTest {

  record DescendsCase(
      String name, VersionVector a, VersionVector b, boolean aDescendsB, boolean bDescendsA) {}

  @Test
  void descends() {
    List<DescendsCase> cases =
        List.of(
            new DescendsCase("empty vs empty", vv(), vv(), true, true),
            new DescendsCase("something vs empty", vv("a", 1), vv(), true, false),
            new DescendsCase("equal", vv("a", 2, "b", 1), vv("a", 2, "b", 1), true, true),
            new DescendsCase(
                "pointwise greater", vv("a", 3, "b", 1), vv("a", 2, "b", 1), true, false),
            new DescendsCase("extra actor", vv("a", 2, "b", 1), vv("a", 2), true, false),
            new DescendsCase("concurrent", vv("a", 2), vv("b", 1), false, false),
            new DescendsCase("crossed", vv("a", 2, "b", 1), vv("a", 1, "b", 2), false, false));
    for (DescendsCase c : cases) {
      assertEquals(c.aDescendsB(), c.a().descends(c.b()), c.name() + ": a.descends(b)");
      assertEquals(c.bDescendsA(), c.b().descends(c.a()), c.name() + ": b.descends(a)");
      VersionVector m = c.a().merge(c.b());
      assertTrue(m.descends(c.a()) && m.descends(c.b()), c.name() + ": merge is an upper bound");
      assertEquals(m, c.b().merge(c.a()), c.name() + ": merge commutes");
    }
  }

  @Test
  void mergeIsPointwiseMax() {
    assertEquals(
        vv("a", 3, "b", 2, "c", 1), vv("a", 3, "b", 1).merge(vv("b", 2, "c", 1)), "pointwise max");
    assertEquals(vv("a", 1), vv("a", 1).merge(VersionVector.empty()), "merge with empty");
  }

  @Test
  void accessorsAndValueSemantics() {
    VersionVector v = vv("b", 2, "a", 1);
    assertEquals(List.of("a", "b"), List.copyOf(v.entries().keySet()), "entries sorted by actor");
    assertEquals(2, v.get("b"), "get present");
    assertEquals(0, v.get("zz"), "get absent is 0");
    assertEquals(vv("a", 1, "b", 2), v, "equals by value");
    assertEquals(vv("a", 1, "b", 2).hashCode(), v.hashCode(), "hashCode by value");
    assertEquals("VersionVector{a=1, b=2}", v.toString(), "toString");
    assertTrue(VersionVector.empty().isEmpty(), "empty is empty");
    assertTrue(VersionVector.of(Map.of()).isEmpty(), "of(empty map) is empty");
    assertThrows(
        UnsupportedOperationException.class, () -> v.entries().put("c", 1L), "unmodifiable");
  }

  @Test
  void rejectsInvalidInput() {
    Map<String, Map<String, Long>> bad = new HashMap<>();
    bad.put("zero counter", Map.of("a", 0L));
    bad.put("negative counter", Map.of("a", -5L));
    bad.put("empty actor", Map.of("", 1L));
    bad.put("unpaired high surrogate", Map.of("a\ud800", 1L));
    bad.put("unpaired low surrogate", Map.of("\udc00a", 1L));
    bad.forEach(
        (name, m) -> assertThrows(IllegalArgumentException.class, () -> VersionVector.of(m), name));
    Map<String, Long> nullKey = new HashMap<>();
    nullKey.put(null, 1L);
    assertThrows(NullPointerException.class, () -> VersionVector.of(nullKey), "null actor");
  }
}
