package io.ringstore.version;

import static io.ringstore.version.Clocks.clock;
import static io.ringstore.version.Clocks.e;
import static io.ringstore.version.Clocks.sorted;
import static io.ringstore.version.Clocks.update2;
import static io.ringstore.version.Clocks.vv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ports of the EUnit tests in Riak's dvvset.erl. Riak's fixtures use counter 0 for actor b ({@code
 * {b,0,[]}}); counters here are always {@code >= 1}, so those fixtures use 1 instead, which does
 * not change what they check.
 */
class DvvSetRiakTest {

  record Case(String name, Object expected, Object actual) {}

  private static void check(List<Case> cases) {
    for (Case c : cases) {
      assertEquals(c.expected(), c.actual(), c.name());
    }
  }

  @Test
  void join() {
    DvvSet<String> a = DvvSet.of("v1");
    DvvSet<String> a1 = update2(a, "a");
    DvvSet<String> b = DvvSet.of(a1.join(), "v2");
    DvvSet<String> b1 = a1.update(b, "b");
    check(
        List.of(
            new Case("join(A)", vv(), a.join()),
            new Case("join(A1)", vv("a", 1), a1.join()),
            new Case("join(B1)", vv("a", 1, "b", 1), b1.join())));
  }

  @Test
  void update() {
    DvvSet<String> a0 = update2(DvvSet.of("v1"), "a");
    DvvSet<String> a1 = a0.update(DvvSet.of(a0.join(), "v2"), "a");
    DvvSet<String> a2 = a1.update(DvvSet.of(a1.join(), "v3"), "b");
    DvvSet<String> a3 = a1.update(DvvSet.of(a0.join(), "v4"), "b");
    DvvSet<String> a4 = a1.update(DvvSet.of(a0.join(), "v5"), "a");
    check(
        List.of(
            new Case("A0", clock(e("a", 1, "v1")), a0),
            new Case("A1: context covers v1", clock(e("a", 2, "v2")), a1),
            new Case("A2: context covers v2", clock(e("a", 2), e("b", 1, "v3")), a2),
            new Case("A3: v4 concurrent with v2", clock(e("a", 2, "v2"), e("b", 1, "v4")), a3),
            new Case("A4: v5 concurrent with v2, same actor", clock(e("a", 3, "v5", "v2")), a4)));
  }

  @Test
  void sync() {
    DvvSet<String> x = clock(e("x", 1));
    DvvSet<String> a = update2(DvvSet.of("v1"), "a");
    DvvSet<String> y = update2(DvvSet.of("v2"), "b");
    DvvSet<String> a1 = update2(DvvSet.of(a.join(), "v2"), "a");
    DvvSet<String> a3 = update2(DvvSet.of(a1.join(), "v3"), "b");
    DvvSet<String> a4 = update2(DvvSet.of(a1.join(), "v3"), "c");
    DvvSet<String> w = clock(e("a", 1));
    DvvSet<String> z = clock(e("a", 2, "v2", "v1"));
    check(
        List.of(
            new Case("sync(W,Z)", clock(e("a", 2, "v2")), w.sync(z)),
            new Case("sync(W,Z) = sync(Z,W)", w.sync(z), z.sync(w)),
            new Case("sync(A,A1) = sync(A1,A)", a.sync(a1), a1.sync(a)),
            new Case("sync(A4,A3) = sync(A3,A4)", a4.sync(a3), a3.sync(a4)),
            new Case(
                "sync(A4,A3)", clock(e("a", 2), e("b", 1, "v3"), e("c", 1, "v3")), a4.sync(a3)),
            new Case("sync(X,A)", clock(e("a", 1, "v1"), e("x", 1)), x.sync(a)),
            new Case("sync(X,A) = sync(A,X)", x.sync(a), a.sync(x)),
            new Case("sync(A,Y)", clock(e("a", 1, "v1"), e("b", 1, "v2")), a.sync(y)),
            new Case("sync(Y,A) = sync(A,Y)", y.sync(a), a.sync(y))));
  }

  @Test
  void syncUpdate() {
    DvvSet<String> a0 = update2(DvvSet.of("v1"), "a"); // Mary writes v1 without context
    VersionVector vv1 = a0.join(); // Peter reads v1
    DvvSet<String> a1 = a0.update(DvvSet.of("v2"), "a"); // Mary writes v2 without context
    DvvSet<String> a2 = a1.update(DvvSet.of(vv1, "v3"), "a"); // Peter writes v3 with v1's context
    check(
        List.of(
            new Case("VV1", vv("a", 1), vv1),
            new Case("A0", clock(e("a", 1, "v1")), a0),
            new Case("A1: blind write keeps v1 as sibling", clock(e("a", 2, "v2", "v1")), a1),
            new Case("A2: v3 supersedes v1 only", clock(e("a", 3, "v3", "v2")), a2)));
  }

  @Test
  void event() {
    // event/3 is private; update without context on a server clock is exactly event/3
    DvvSet<String> a = update2(DvvSet.of("v1"), "a");
    check(
        List.of(
            new Case("event(A,a,v2)", clock(e("a", 2, "v2", "v1")), a.update(DvvSet.of("v2"), "a")),
            new Case(
                "event(A,b,v2)",
                clock(e("a", 1, "v1"), e("b", 1, "v2")),
                a.update(DvvSet.of("v2"), "b")),
            new Case(
                "event inserts in actor order",
                clock(e("a", 1), e("b", 1, "v2"), e("c", 1)),
                clock(e("a", 1), e("c", 1)).update(DvvSet.of("v2"), "b"))));
  }

  record LessCase(String name, DvvSet<String> left, DvvSet<String> right, boolean less) {}

  @Test
  void less() {
    DvvSet<String> a = update2(DvvSet.of("v1"), "a");
    DvvSet<String> b = update2(DvvSet.of(a.join(), "v2"), "a");
    DvvSet<String> b2 = update2(DvvSet.of(a.join(), "v2"), "b");
    DvvSet<String> b3 = update2(DvvSet.of(a.join(), "v2"), "z");
    DvvSet<String> c = a.update(DvvSet.of(b.join(), "v3"), "c");
    DvvSet<String> d = b2.update(DvvSet.of(c.join(), "v4"), "d");
    List<LessCase> cases =
        List.of(
            new LessCase("A<B", a, b, true),
            new LessCase("A<C", a, c, true),
            new LessCase("B<C", b, c, true),
            new LessCase("B<D", b, d, true),
            new LessCase("B2<D", b2, d, true),
            new LessCase("A<D", a, d, true),
            new LessCase("not B2<C", b2, c, false),
            new LessCase("not B<B2", b, b2, false),
            new LessCase("not B2<B", b2, b, false),
            new LessCase("not A<A", a, a, false),
            new LessCase("not C<C", c, c, false),
            new LessCase("not D<B2", d, b2, false),
            new LessCase("not B3<D", b3, d, false),
            new LessCase("empty < A", DvvSet.empty(), a, true),
            new LessCase("not empty < empty", DvvSet.empty(), DvvSet.empty(), false));
    for (LessCase lc : cases) {
      assertEquals(lc.less(), lc.left().lessThan(lc.right()), lc.name());
    }
  }

  @Test
  void equalClocks() {
    DvvSet<String> a = clock(List.of("v0"), e("a", 4, "v5", "v0"), e("b", 1), e("c", 1, "v3"));
    DvvSet<String> b = clock(e("a", 4, "v555", "v0"), e("b", 1), e("c", 1, "v3"));
    DvvSet<String> c = clock(List.of("v6", "v1"), e("a", 4, "v5", "v0"), e("b", 1));
    assertTrue(a.equalClocks(b), "equal(A,B): only causal history is compared");
    assertTrue(b.equalClocks(a), "equal(B,A)");
    assertFalse(a.equalClocks(c), "not equal(A,C)");
    assertFalse(b.equalClocks(c), "not equal(B,C)");
    assertFalse(
        clock(e("a", 4, "v5")).equalClocks(clock(e("a", 4, "v5", "v0"))),
        "different number of values per actor");
    assertNotEquals(a, b, "equals compares values too");
  }

  @Test
  void size() {
    assertEquals(1, DvvSet.of("v1").size(), "size(new(v1))");
    assertEquals(
        5,
        clock(List.of("v4", "v1"), e("a", 4, "v5", "v0"), e("b", 1), e("c", 1, "v3")).size(),
        "size with entries and anonymous values");
    assertEquals(0, DvvSet.empty().size(), "size(empty)");
  }

  @Test
  void idsAndValues() {
    DvvSet<String> a = clock(List.of("v1"), e("a", 4, "v0", "v5"), e("b", 1), e("c", 1, "v3"));
    DvvSet<String> b = clock(e("a", 4, "v0", "v555"), e("b", 1), e("c", 1, "v3"));
    DvvSet<String> c = clock(List.of("v1", "v6"), e("a", 4), e("b", 1));
    check(
        List.of(
            new Case(
                "ids(A)",
                List.of("a", "b", "c"),
                a.entries().stream().map(DvvSet.Entry::actor).toList()),
            new Case(
                "ids(C)",
                List.of("a", "b"),
                c.entries().stream().map(DvvSet.Entry::actor).toList()),
            new Case("sorted values(A)", List.of("v0", "v1", "v3", "v5"), sorted(a.values())),
            new Case("sorted values(B)", List.of("v0", "v3", "v555"), sorted(b.values())),
            new Case("sorted values(C)", List.of("v1", "v6"), sorted(c.values())),
            new Case(
                "values(A) order: anonymous, then per actor newest first",
                List.of("v1", "v0", "v5", "v3"),
                a.values())));
  }

  @Test
  void map() {
    DvvSet<Integer> a =
        DvvSet.fromParts(
            List.of(
                new DvvSet.Entry<>("a", 4, List.of()),
                new DvvSet.Entry<>("b", 1, List.of()),
                new DvvSet.Entry<>("c", 1, List.of())),
            List.of(10));
    DvvSet<Integer> b =
        DvvSet.fromParts(
            List.of(
                new DvvSet.Entry<>("a", 4, List.of(5, 0)),
                new DvvSet.Entry<>("b", 1, List.of()),
                new DvvSet.Entry<>("c", 1, List.of(2))),
            List.of(20, 10));
    DvvSet<Integer> a2 =
        DvvSet.fromParts(
            List.of(
                new DvvSet.Entry<>("a", 4, List.of()),
                new DvvSet.Entry<>("b", 1, List.of()),
                new DvvSet.Entry<>("c", 1, List.of())),
            List.of(20));
    DvvSet<Integer> b2 =
        DvvSet.fromParts(
            List.of(
                new DvvSet.Entry<>("a", 4, List.of(10, 0)),
                new DvvSet.Entry<>("b", 1, List.of()),
                new DvvSet.Entry<>("c", 1, List.of(4))),
            List.of(40, 20));
    assertEquals(a2, a.map(x -> x * 2), "map(F,A)");
    assertEquals(b2, b.map(x -> x * 2), "map(F,B)");
    assertEquals(
        List.of("40", "20", "10", "0", "4"),
        b.map(x -> Integer.toString(x * 2)).values(),
        "map can change the value type");
  }

  @Test
  void updateRequiresExactlyOneAnonymousValue() {
    DvvSet<String> server = update2(DvvSet.of("v1"), "a");
    assertThrows(
        IllegalArgumentException.class, () -> server.update(server, "a"), "no anonymous value");
    assertThrows(
        IllegalArgumentException.class,
        () -> server.update(clock(List.of("x", "y")), "a"),
        "two anonymous values");
    assertThrows(
        IllegalArgumentException.class, () -> server.update(DvvSet.of("v"), ""), "empty actor");
  }

  @Test
  void fromPartsValidates() {
    List<Runnable> bad =
        List.of(
            () -> clock(e("b", 1), e("a", 1)),
            () -> clock(e("a", 1), e("a", 2)),
            () -> e("a", 1, "v1", "v2"),
            () -> e("a", 0),
            () -> e("", 1));
    for (int i = 0; i < bad.size(); i++) {
      Runnable r = bad.get(i);
      assertThrows(IllegalArgumentException.class, r::run, "invalid parts case " + i);
    }
    assertTrue(DvvSet.fromParts(List.of(), List.of()).isEmpty(), "no parts is empty");
    assertFalse(clock(e("a", 1)).isEmpty(), "history without values is not empty");
  }

  @Test
  void equalityTreatsAnonymousValuesAsMultiset() {
    DvvSet<String> x = clock(List.of("p", "q"), e("a", 1, "v"));
    DvvSet<String> y = clock(List.of("q", "p"), e("a", 1, "v"));
    assertEquals(x, y, "anonymous order does not matter");
    assertEquals(x.hashCode(), y.hashCode(), "hashCode ignores anonymous order");
    assertNotEquals(clock(List.of("p", "p")), clock(List.of("p", "q")), "multiplicity matters");
    assertNotEquals(
        clock(e("a", 2, "v1", "v2")), clock(e("a", 2, "v2", "v1")), "entry value order matters");
  }

  @Test
  void anonymousValuesInSyncFollowRiakExactly() {
    // Riak keeps the newer clock's anonymous values, or the union when neither is older. With
    // anonymous values on clocks (client-built clocks; server clocks never carry them) this makes
    // sync non-associative, exactly as in dvvset.erl.
    DvvSet<String> a = clock(List.of("x"), e("a", 1));
    DvvSet<String> b = clock(List.of("y"), e("b", 1));
    DvvSet<String> c = clock(List.of("z"), e("a", 1), e("b", 1));
    assertEquals(
        clock(List.of("x", "y", "z"), e("a", 1), e("b", 1)),
        a.sync(b).sync(c),
        "(A+B)+C: equal histories, union");
    assertEquals(
        clock(List.of("z"), e("a", 1), e("b", 1)),
        a.sync(b.sync(c)),
        "A+(B+C): B and A are older, only z");
    assertEquals(
        clock(List.of("y", "x"), e("a", 1), e("b", 1)),
        a.sync(b),
        "concurrent: union (as a multiset)");
    assertEquals(DvvSet.of("v"), DvvSet.of("v").sync(DvvSet.of("v")), "duplicates are merged");
  }
}
