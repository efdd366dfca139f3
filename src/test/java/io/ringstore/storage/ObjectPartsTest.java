package io.ringstore.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.version.DvvSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Parts of an object too large for one message: each small enough, together exactly the object, and
 * merged one by one into any replica's object, in any order, the same as the whole merged.
 */
class ObjectPartsTest {
  private static final long PART = 10_000;

  @Test
  void anObjectThatFitsIsSentAsItIs() {
    byte[] small = StoredObjectCodec.encode(object(new Random(1), 3, 1_000));
    List<byte[]> parts = ObjectParts.split(small, PART);
    assertEquals(1, parts.size());
    assertSame(small, parts.get(0));
    assertSame(small, ObjectParts.join(parts));
  }

  @Test
  void aLargeObjectSplitsIntoPartsUnderTheLimitThatJoinToIt() {
    Random random = new Random(2);
    for (int round = 0; round < 50; round++) {
      // values of up to 2,400 bytes, two at most per actor: an entry is under half a part, as an
      // object at max-object-size is
      DvvSet<Sibling> object =
          object(random, 2 + random.nextInt(12), 1_000 + random.nextInt(1_400));
      byte[] encoded = StoredObjectCodec.encode(object);
      List<byte[]> parts = ObjectParts.split(encoded, PART);
      if (encoded.length > PART) {
        assertTrue(parts.size() > 1, "an object of " + encoded.length + " bytes is split");
      }
      Set<String> actors = new HashSet<>();
      for (byte[] part : parts) {
        assertTrue(part.length <= PART, "a part of " + part.length + " bytes");
        DvvSet<Sibling> decoded = StoredObjectCodec.decode(part);
        assertTrue(decoded.anonymous().isEmpty());
        for (DvvSet.Entry<Sibling> entry : decoded.entries()) {
          assertTrue(actors.add(entry.actor()), "actor " + entry.actor() + " in one part only");
        }
      }
      assertEquals(object, StoredObjectCodec.decode(ObjectParts.join(parts)), "joined");
    }
  }

  @Test
  void partsMergedOneByOneInAnyOrderGiveWhatTheWholeGives() {
    Random random = new Random(3);
    for (int round = 0; round < 50; round++) {
      // a replica that took some of the same actors' writes, and some of its own
      DvvSet<Sibling> whole = object(random, 3 + random.nextInt(10), 3_000);
      DvvSet<Sibling> replica = object(random, 1 + random.nextInt(6), 3_000);
      List<byte[]> parts =
          new ArrayList<>(ObjectParts.split(StoredObjectCodec.encode(whole), PART));
      Collections.shuffle(parts, random);
      DvvSet<Sibling> merged = replica;
      for (byte[] part : parts) {
        merged = merged.sync(StoredObjectCodec.decode(part));
        if (random.nextBoolean()) {
          merged = merged.sync(StoredObjectCodec.decode(part)); // a part sent again
        }
      }
      assertEquals(replica.sync(whole), merged, "round " + round);
    }
  }

  @Test
  void oneActorsEntryLargerThanAPartGoesAloneAndWhole() {
    DvvSet<Sibling> object =
        DvvSet.fromParts(
            List.of(
                entry("a", 2, 3_000),
                entry("b", 5, 3 * (int) PART), // only after max-object-size was lowered
                entry("c", 1, 3_000)),
            List.of());
    List<byte[]> parts = ObjectParts.split(StoredObjectCodec.encode(object), PART);
    assertEquals(3, parts.size());
    assertEquals(
        List.of("b"),
        StoredObjectCodec.decode(parts.get(1)).entries().stream()
            .map(DvvSet.Entry::actor)
            .toList());
    assertEquals(object, StoredObjectCodec.decode(ObjectParts.join(parts)));
  }

  @Test
  void aSingleActorOrAnonymousValuesAreNeverSplit() {
    byte[] single =
        StoredObjectCodec.encode(
            DvvSet.fromParts(List.of(entry("a", 9, 5 * (int) PART)), List.of()));
    assertArrayEquals(single, ObjectParts.split(single, PART).get(0));
    assertEquals(1, ObjectParts.split(single, PART).size());
    byte[] anonymous =
        StoredObjectCodec.encode(
            DvvSet.fromParts(
                List.of(entry("a", 1, (int) PART), entry("b", 1, (int) PART)),
                List.of(Sibling.value(new byte[10], "text/plain"))));
    assertEquals(1, ObjectParts.split(anonymous, PART).size());
  }

  @Test
  void partBytesAreTwoObjectsAndNeverOverflow() {
    assertEquals(6L << 20, ObjectParts.partBytes(3L << 20));
    assertEquals(Long.MAX_VALUE, ObjectParts.partBytes(Long.MAX_VALUE));
  }

  /** Entries of {@code actors} actors (of twenty), each a few values of about {@code bytes}. */
  private static DvvSet<Sibling> object(Random random, int actors, int bytes) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      names.add(String.format("node-%02d", i));
    }
    Collections.shuffle(names, random);
    List<String> chosen = new ArrayList<>(names.subList(0, Math.min(actors, names.size())));
    Collections.sort(chosen);
    List<DvvSet.Entry<Sibling>> entries = new ArrayList<>();
    for (String actor : chosen) {
      int values = random.nextInt(3); // 0: an actor whose values were all superseded
      entries.add(entry(actor, values + 1 + random.nextInt(5), values, bytes, random));
    }
    return DvvSet.fromParts(entries, List.of());
  }

  private static DvvSet.Entry<Sibling> entry(String actor, long counter, int bytes) {
    return entry(actor, counter, 1, bytes, new Random(actor.hashCode()));
  }

  private static DvvSet.Entry<Sibling> entry(
      String actor, long counter, int values, int bytes, Random random) {
    List<Sibling> list = new ArrayList<>();
    for (int i = 0; i < values; i++) {
      byte[] data = new byte[bytes];
      random.nextBytes(data);
      list.add(random.nextInt(8) == 0 ? Sibling.newTombstone() : Sibling.value(data, "text/plain"));
    }
    return new DvvSet.Entry<>(actor, Math.max(counter, values), list);
  }
}
