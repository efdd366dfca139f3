package io.ringstore.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.storage.InMemoryStorage;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The reap rules of LocalObjectStore: only an unchanged, tombstone-only object is removed. */
class TombstoneReapTest {
  private final InMemoryStorage storage = new InMemoryStorage();
  private final LocalObjectStore store = new LocalObjectStore(storage, "A");

  @Test
  void aMarkedTombstoneIsReapedAfterTheGracePeriodOnly() {
    byte[] tombstone = deleted("k");
    assertTrue(store.markTombstoneReplicated(3, "k", tombstone, 1_000), "marked");
    assertEquals(1, store.pendingTombstones()[0], "one pending");
    assertEquals(1_000, store.pendingTombstones()[1], "marked at");
    assertEquals(0, store.reapTombstones(1_000, 100), "not before the grace period");
    assertTrue(store.read(3, "k").isPresent());
    assertEquals(1, store.reapTombstones(1_001, 100), "reaped after it");
    assertTrue(store.read(3, "k").isEmpty(), "the key is gone");
    assertEquals(0, store.pendingTombstones()[0], "no record left");
  }

  @Test
  void aWriteAfterTheMarkKeepsTheKey() {
    byte[] tombstone = deleted("k");
    assertTrue(store.markTombstoneReplicated(3, "k", tombstone, 1_000));
    DvvSet<Sibling> current = StoredObjectCodec.decode(tombstone);
    store.coordinate(3, "k", value("again"), Optional.of(current.join()), false);
    assertEquals(0, store.reapTombstones(5_000, 100), "the key changed since the mark");
    assertEquals(
        "again",
        new String(store.read(3, "k").get().values().get(0).data(), StandardCharsets.UTF_8));
    assertEquals(0, store.pendingTombstones()[0], "the stale record was dropped");
  }

  @Test
  void onlyAnObjectOfTombstonesThatIsStillStoredCanBeMarked() {
    store.coordinate(3, "live", value("v"), Optional.empty(), false);
    byte[] live = store.readEncoded(3, "live").get();
    assertFalse(store.markTombstoneReplicated(3, "live", live, 1), "a live value is not reapable");
    byte[] tombstone = deleted("k");
    assertFalse(
        store.markTombstoneReplicated(3, "k", deletedObjectOfAnotherHistory(), 1),
        "a different object than the stored one is not marked");
    assertArrayEquals(tombstone, store.readEncoded(3, "k").get());
    assertFalse(store.markTombstoneReplicated(4, "k", tombstone, 1), "wrong partition: absent");
  }

  private byte[] deleted(String key) {
    store.coordinate(3, key, value("v"), Optional.empty(), false);
    store.coordinate(3, key, Sibling.newTombstone(), Optional.empty(), true);
    return store.readEncoded(3, key).get();
  }

  private static byte[] deletedObjectOfAnotherHistory() {
    return StoredObjectCodec.encode(
        DvvSet.<Sibling>empty().update(DvvSet.of(Sibling.newTombstone()), "B"));
  }

  private static Sibling value(String s) {
    return Sibling.value(s.getBytes(StandardCharsets.UTF_8), "text/plain");
  }
}
