package io.ringstore.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.storage.InMemoryStorage;
import io.ringstore.storage.Sibling;
import io.ringstore.version.DvvSet;
import io.ringstore.version.VersionVector;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where a client write enters the store (DESIGN invariants 5 and 6): a causal context may only name
 * what the stored clock holds, a write may not leave more siblings than the limit, a resolving
 * write is always accepted, and merges (replication, repair, hints, transfers, anti-entropy) are
 * never limited. The rules alone (pure), then through {@link LocalObjectStore}.
 */
class WriteAdmissionTest {
  private static final WriteAdmission.Limits LIMITS = new WriteAdmission.Limits(3, 2);

  /** Stored clock {A:2, B:1}: (name, context, held). */
  static Stream<Arguments> contexts() {
    return Stream.of(
        Arguments.of("no context", null, true),
        Arguments.of("the empty context", Map.of(), true),
        Arguments.of("exactly the stored clock", Map.of("A", 2L, "B", 1L), true),
        Arguments.of("an older clock", Map.of("A", 1L), true),
        Arguments.of("a counter past the stored one", Map.of("A", 3L, "B", 1L), false),
        Arguments.of("an actor the clock does not know", Map.of("A", 2L, "Z", 1L), false),
        Arguments.of("only unknown actors", Map.of("X", 1L, "Y", 1L), false),
        Arguments.of("a counter at Long.MAX_VALUE", Map.of("A", Long.MAX_VALUE), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("contexts")
  void aContextIsHeldOnlyWhenTheStoredClockDescendsFromIt(
      String name, Map<String, Long> context, boolean held) {
    DvvSet<String> stored =
        DvvSet.<String>empty()
            .update(DvvSet.of("a1"), "A")
            .update(DvvSet.of(VersionVector.of(Map.of("A", 1L)), "a2"), "A")
            .update(DvvSet.of("b1"), "B");
    assertEquals(VersionVector.of(Map.of("A", 2L, "B", 1L)), stored.join(), "the stored clock");
    Optional<VersionVector> ctx = Optional.ofNullable(context).map(VersionVector::of);
    assertEquals(held, WriteAdmission.contextHeld(stored, ctx), name);
  }

  @Test
  void onlyAWriteThatAddsASiblingPastTheLimitIsTooMany() {
    DvvSet<String> three = blind(3);
    DvvSet<String> four = three.update(DvvSet.of("x"), "A");
    DvvSet<String> resolved = three.update(DvvSet.of(three.join(), "r"), "A");
    assertTrue(WriteAdmission.tooManySiblings(three, four, LIMITS), "3 → 4 siblings, limit 3");
    assertTrue(!WriteAdmission.tooManySiblings(blind(2), three, LIMITS), "2 → 3 siblings, limit 3");
    assertTrue(!WriteAdmission.tooManySiblings(three, resolved, LIMITS), "3 → 1: resolving");
    assertTrue(
        !WriteAdmission.tooManySiblings(
            four, four.update(DvvSet.of(VersionVector.of(Map.of("A", 1L)), "y"), "A"), LIMITS),
        "over the limit already (merged there): a write that does not add one is accepted");
    assertTrue(WriteAdmission.warn(blind(1), blind(2), LIMITS), "reaching the warning threshold");
    assertTrue(
        !WriteAdmission.warn(
            blind(2), blind(2).update(DvvSet.of(blind(2).join(), "r"), "A"), LIMITS),
        "no warning for a resolving write");
  }

  @Test
  void limitsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> new WriteAdmission.Limits(0, 0));
    assertThrows(IllegalArgumentException.class, () -> new WriteAdmission.Limits(10, 11));
  }

  // ---------------------------------------------------------------- through the store

  @Test
  void blindWritesPastTheLimitAreRefusedAndStoreNothing() {
    LocalObjectStore store = new LocalObjectStore(new InMemoryStorage(), "A", LIMITS);
    for (int i = 0; i < 3; i++) {
      store.coordinate(0, "k", value("v" + i), Optional.empty(), false);
    }
    byte[] before = store.readEncoded(0, "k").orElseThrow();
    WriteAdmission.WriteRefusedException refused =
        assertThrows(
            WriteAdmission.WriteRefusedException.class,
            () -> store.coordinate(0, "k", value("v3"), Optional.empty(), false));
    assertEquals(WriteAdmission.Refusal.TOO_MANY_SIBLINGS, refused.refusal(), "why");
    assertTrue(
        refused.getMessage().contains("context"),
        "tells the client to use the context: " + refused.getMessage());
    assertTrue(
        Arrays.equals(before, store.readEncoded(0, "k").orElseThrow()),
        "nothing stored for the refused write");

    DvvSet<Sibling> resolved =
        store.coordinate(
            0, "k", value("resolved"), Optional.of(store.read(0, "k").orElseThrow().join()), false);
    assertEquals(1, resolved.size(), "a write with the context resolves the siblings");
  }

  @Test
  void mergesAreNeverLimited() {
    LocalObjectStore left = new LocalObjectStore(new InMemoryStorage(), "A", LIMITS);
    LocalObjectStore right = new LocalObjectStore(new InMemoryStorage(), "B", LIMITS);
    for (int i = 0; i < 3; i++) {
      left.coordinate(0, "k", value("l" + i), Optional.empty(), false);
      right.coordinate(0, "k", value("r" + i), Optional.empty(), false);
    }
    DvvSet<Sibling> merged = left.merge(0, "k", right.read(0, "k").orElseThrow());
    assertEquals(6, merged.size(), "two objects at the limit merge above it: nothing is dropped");
    assertEquals(6, left.read(0, "k").orElseThrow().size(), "and the merge is stored");
    assertThrows(
        WriteAdmission.WriteRefusedException.class,
        () -> left.coordinate(0, "k", value("more"), Optional.empty(), false),
        "a blind write on top of it is still refused");
    assertEquals(
        1,
        left.coordinate(0, "k", value("resolved"), Optional.of(merged.join()), false).size(),
        "one with the context resolves all six");
  }

  @Test
  void aWriteThatLeavesTheObjectPastTheLimitIsTooLarge() {
    WriteAdmission.Limits limits = new WriteAdmission.Limits(100, 100, 1000);
    assertTrue(WriteAdmission.objectTooLarge(1001, limits), "1001 bytes, limit 1000");
    assertTrue(!WriteAdmission.objectTooLarge(1000, limits), "up to the limit is accepted");
    assertThrows(IllegalArgumentException.class, () -> new WriteAdmission.Limits(10, 10, 0));
  }

  @Test
  void blindWritesThatWouldMakeTheObjectTooLargeAreRefusedAndStoreNothing() {
    WriteAdmission.Limits limits = new WriteAdmission.Limits(100, 100, 3500);
    LocalObjectStore store = new LocalObjectStore(new InMemoryStorage(), "A", limits);
    for (int i = 0; i < 3; i++) {
      store.coordinate(0, "k", value("v" + i + "x".repeat(1000)), Optional.empty(), false);
    }
    byte[] before = store.readEncoded(0, "k").orElseThrow();
    WriteAdmission.WriteRefusedException refused =
        assertThrows(
            WriteAdmission.WriteRefusedException.class,
            () ->
                store.coordinate(0, "k", value("v3" + "x".repeat(1000)), Optional.empty(), false));
    assertEquals(WriteAdmission.Refusal.OBJECT_TOO_LARGE, refused.refusal(), "why");
    assertTrue(
        refused.getMessage().contains("X-Causal-Context"),
        "tells the client to resolve the siblings: " + refused.getMessage());
    assertTrue(
        Arrays.equals(before, store.readEncoded(0, "k").orElseThrow()),
        "nothing stored for the refused write");
    assertEquals(
        1,
        store
            .coordinate(
                0,
                "k",
                value("resolved" + "x".repeat(1000)),
                Optional.of(store.read(0, "k").orElseThrow().join()),
                false)
            .size(),
        "a write with the context resolves the siblings");
  }

  @Test
  void mergesPastTheObjectLimitAreKeptAndOnlyAResolvingWriteIsAccepted() {
    WriteAdmission.Limits limits = new WriteAdmission.Limits(100, 100, 3500);
    LocalObjectStore left = new LocalObjectStore(new InMemoryStorage(), "A", limits);
    LocalObjectStore right = new LocalObjectStore(new InMemoryStorage(), "B", limits);
    for (int i = 0; i < 3; i++) {
      left.coordinate(0, "k", value("l" + i + "x".repeat(1000)), Optional.empty(), false);
      right.coordinate(0, "k", value("r" + i + "x".repeat(1000)), Optional.empty(), false);
    }
    var leftContext = left.read(0, "k").orElseThrow().join();
    DvvSet<Sibling> merged = left.merge(0, "k", right.read(0, "k").orElseThrow());
    assertEquals(6, merged.size(), "two objects under the limit merge above it: nothing dropped");
    assertTrue(left.readEncoded(0, "k").orElseThrow().length > 3500, "the merge is stored whole");
    assertThrows(
        WriteAdmission.WriteRefusedException.class,
        () -> left.coordinate(0, "k", value("more"), Optional.empty(), false),
        "a blind write on top of it is refused");
    // the left side's context from before the merge covers its own three siblings only: the write
    // shrinks the object (three siblings of 1 KB for one of 600 bytes) but leaves it past the limit
    // (where merges after further partitions could grow past N x the limit), so it is refused too
    WriteAdmission.WriteRefusedException shrinking =
        assertThrows(
            WriteAdmission.WriteRefusedException.class,
            () ->
                left.coordinate(
                    0, "k", value("p" + "x".repeat(600)), Optional.of(leftContext), false),
            "a write that shrinks the object but leaves it past the limit is refused");
    assertEquals(WriteAdmission.Refusal.OBJECT_TOO_LARGE, shrinking.refusal(), "why");
    assertEquals(6, left.read(0, "k").orElseThrow().size(), "nothing stored for it");
    assertEquals(
        1,
        left.coordinate(0, "k", value("resolved"), Optional.of(merged.join()), false).size(),
        "one with the context resolves all six");
  }

  @Test
  void aContextNamingWhatTheKeyDoesNotHoldIsRefusedAndAddsNothing() {
    LocalObjectStore store = new LocalObjectStore(new InMemoryStorage(), "A");
    DvvSet<Sibling> first = store.coordinate(0, "k", value("v1"), Optional.empty(), false);
    for (Map<String, Long> forged :
        List.of(Map.of("A", 1L, "evil", 1L), Map.of("A", Long.MAX_VALUE), Map.of("A", 2L))) {
      WriteAdmission.WriteRefusedException refused =
          assertThrows(
              WriteAdmission.WriteRefusedException.class,
              () ->
                  store.coordinate(
                      0, "k", value("v2"), Optional.of(VersionVector.of(forged)), false),
              "context " + forged);
      assertEquals(WriteAdmission.Refusal.CONTEXT_NOT_HELD, refused.refusal(), "why, " + forged);
      assertEquals(first, store.read(0, "k").orElseThrow(), "nothing stored for " + forged);
    }
    assertThrows(
        WriteAdmission.WriteRefusedException.class,
        () ->
            store.coordinate(
                0, "absent", value("v"), Optional.of(VersionVector.of(Map.of("A", 1L))), false),
        "a context for a key that holds nothing names versions it does not hold");
    assertEquals(
        1,
        store.coordinate(0, "k", value("v2"), Optional.of(first.join()), false).size(),
        "the context the key handed out is accepted");
  }

  private static DvvSet<String> blind(int n) {
    DvvSet<String> clock = DvvSet.empty();
    for (int i = 0; i < n; i++) {
      clock = clock.update(DvvSet.of("v" + i), "A");
    }
    return clock;
  }

  private static Sibling value(String text) {
    return Sibling.value(text.getBytes(StandardCharsets.UTF_8), "text/plain");
  }
}
