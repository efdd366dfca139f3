package io.ringstore.handoff;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pure hint index (one entry per key, replaced on a merge; removal by digest, expiry,
 * round-robin order, bytes), the pure merge of two objects, and the settings.
 */
class HintQueueTest {

  private static byte[] object(String value, String actor) {
    return StoredObjectCodec.encode(
        DvvSet.<Sibling>empty()
            .update(DvvSet.of(Sibling.value(value.getBytes(UTF_8), "text/plain")), actor));
  }

  private static HintQueue queue(String... keys) {
    HintQueue q = HintQueue.empty();
    for (int i = 0; i < keys.length; i++) {
      q = q.add(HintQueue.Hint.of(keys[i], object(keys[i], "a"), i, i));
    }
    return q;
  }

  private static List<String> keys(List<HintQueue.Hint> hints) {
    return hints.stream().map(HintQueue.Hint::key).toList();
  }

  @Test
  void roundsStartAfterTheCursorAndWrapAround() {
    HintQueue q = queue("c", "a", "d", "b");
    assertEquals(
        List.of("a", "b", "c", "d"), keys(q.startingAfter(null, 10)), "no cursor: key order");
    assertEquals(List.of("c", "d", "a", "b"), keys(q.startingAfter("b", 10)), "after b, wrapping");
    assertEquals(
        List.of("c", "d", "a"), keys(q.startingAfter("bb", 3)), "a cursor no longer queued");
    assertEquals(List.of("a", "b", "c", "d"), keys(q.startingAfter("d", 10)), "after the last key");
  }

  @Test
  void mergingIsDeterministicAndKeepsBothWrites() {
    byte[] x = object("x", "a");
    byte[] y = object("y", "b");
    byte[] merged = HintQueue.merge(x, y);
    assertArrayEquals(merged, HintQueue.merge(x, y), "the same objects give the same bytes");
    assertEquals(
        2, StoredObjectCodec.decode(merged).values().size(), "concurrent writes: siblings");
    assertArrayEquals(
        merged, HintQueue.merge(merged, x), "merging what is already held changes nothing");
    assertThrows(IllegalArgumentException.class, () -> HintQueue.merge(x, new byte[] {1, 2, 3}));
  }

  @Test
  void anEntryForAQueuedKeyReplacesIt() {
    HintQueue.Hint a = HintQueue.Hint.of("k", object("x", "a"), 1, 1);
    HintQueue.Hint b =
        HintQueue.Hint.of("k", HintQueue.merge(object("x", "a"), object("y", "b")), 2, 2);
    HintQueue q = HintQueue.empty().add(a).add(b);
    assertEquals(1, q.size());
    assertEquals(b, q.get("k").orElseThrow(), "the merged object's entry");
    assertEquals(b.bytes(), q.bytes());
    assertEquals(
        HintQueue.digest(HintQueue.merge(object("x", "a"), object("y", "b"))),
        q.get("k").orElseThrow().digest(),
        "named by the digest of its bytes");
  }

  @Test
  void removalByDigestOnlyRemovesThatObject() {
    HintQueue q = queue("k");
    assertSame(q, q.removeIfCurrent("k", "0000"), "another digest: kept");
    assertEquals(0, q.removeIfCurrent("k", q.get("k").orElseThrow().digest()).size());
  }

  @Test
  void expiryAndOldest() {
    HintQueue q = queue("a", "b", "c");
    assertEquals(List.of("a", "b"), q.createdBefore(2));
    assertEquals(0, q.oldestCreatedAtMillis());
    assertEquals(-1, HintQueue.empty().oldestCreatedAtMillis());
  }

  @Test
  void serializedFormIsTheSortedListOfHints() {
    HintQueue q = queue("b", "a");
    assertEquals(q, HintQueue.of(q.toList()));
    assertEquals(List.of("a", "b"), keys(q.toList()));
  }

  @Test
  void settingsAreValidated() {
    HintSettings d = HintSettings.DEFAULTS;
    assertEquals(Duration.ofHours(3), d.hintWindow());
    assertEquals(100_000, d.maxHintsPerTarget());
    assertEquals(Duration.ofSeconds(5), d.retryInterval());
    assertEquals(16, d.maxInFlight());
    assertThrows(
        IllegalArgumentException.class, () -> d.withHintWindow(Duration.ZERO), "zero window");
    assertThrows(IllegalArgumentException.class, () -> d.withRetryInterval(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> d.withMaxInFlight(0));
    assertThrows(IllegalArgumentException.class, () -> d.withMaxHintsPerTarget(0));
    assertThrows(NullPointerException.class, () -> d.withDeliveryTimeout(null));
  }

  @Test
  void settingsComeFromTheNodeConfiguration() {
    RingstoreSettings settings = RingstoreSettings.fromConfig(ConfigFactory.load());
    var node = settings.handoff();
    HintSettings s = HintSettings.of(settings);
    assertEquals(2 * settings.requests().maxObjectBytes(), s.maxPartBytes());
    assertEquals(node.hintWindow(), s.hintWindow());
    assertEquals(node.maxHintsPerTarget(), s.maxHintsPerTarget());
    assertEquals(node.retryInterval(), s.retryInterval());
    assertEquals(node.maxInFlight(), s.maxInFlight());
  }

  @Test
  void bytesFollowAddsMergesRemovalsAndTheSerializedForm() {
    HintQueue.Hint a = HintQueue.Hint.of("a", object("xxxx", "a"), 1, 1);
    HintQueue.Hint b = HintQueue.Hint.of("b", object("yy", "a"), 1, 2);
    HintQueue q = HintQueue.empty().add(a).add(b);
    assertEquals(0, HintQueue.empty().bytes(), "empty");
    assertEquals(a.bytes() + b.bytes(), q.bytes(), "two keys");
    HintQueue merged =
        q.add(
            HintQueue.Hint.of(
                "a", HintQueue.merge(object("xxxx", "a"), object("zzzzzz", "b")), 2, 3));
    assertEquals(
        merged.get("a").orElseThrow().bytes() + b.bytes(),
        merged.bytes(),
        "a merge replaces the key's bytes with the merged object's");
    assertEquals(b.bytes(), merged.remove("a").bytes(), "a removal gives its bytes back");
    assertEquals(merged.bytes(), HintQueue.of(merged.toList()).bytes(), "rebuilt from a snapshot");
  }
}
