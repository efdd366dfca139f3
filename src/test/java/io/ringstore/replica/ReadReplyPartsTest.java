package io.ringstore.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.storage.ObjectParts;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Joining a replica's answer that came in parts, per replica and key, and dropping a torn one. */
class ReadReplyPartsTest {
  private static final byte[] OBJECT =
      StoredObjectCodec.encode(
          DvvSet.fromParts(
              List.of(entry("a"), entry("b"), entry("c"), entry("d")), List.<Sibling>of()));
  private static final List<byte[]> PARTS = ObjectParts.split(OBJECT, 1_500);

  @Test
  void aWholeReplyPassesAsItIs() {
    ReadReplyParts joiner = new ReadReplyParts();
    ReplicaEntity.ReadReply whole = new ReplicaEntity.ReadReply("7:0", "n1", OBJECT, null, "k");
    assertSame(whole, joiner.accept(whole).orElseThrow());
    ReplicaEntity.ReadReply absent = new ReplicaEntity.ReadReply("7:0", "n1", null, null, "k");
    assertSame(absent, joiner.accept(absent).orElseThrow());
  }

  @Test
  void partsOfTwoReplicasInterleavedAreJoinedEach() {
    assertTrue(PARTS.size() >= 3, "the object splits: " + PARTS.size());
    ReadReplyParts joiner = new ReadReplyParts();
    List<ReplicaEntity.ReadReply> done = new ArrayList<>();
    for (int i = 0; i < PARTS.size(); i++) {
      joiner.accept(part("7:0", "n1", i, true)).ifPresent(done::add);
      joiner.accept(part("7:1", "n2", i, false)).ifPresent(done::add);
      if (i < PARTS.size() - 1) {
        assertTrue(done.isEmpty(), "nothing before the last part");
      }
    }
    assertEquals(2, done.size());
    for (ReplicaEntity.ReadReply reply : done) {
      assertArrayEquals(OBJECT, reply.object(), reply.replica());
      assertEquals("k", reply.key());
      assertEquals(1, reply.parts());
    }
    assertTrue(done.get(0).syncing(), "syncing kept");
    assertEquals(0, joiner.incomplete());
  }

  @Test
  void anAnswerMissingAPartNeverCompletesAndTheNextAnswerDoes() {
    ReadReplyParts joiner = new ReadReplyParts();
    assertEquals(Optional.empty(), joiner.accept(part("7:0", "n1", 0, false)));
    // part 1 lost
    for (int i = 2; i < PARTS.size(); i++) {
      assertEquals(Optional.empty(), joiner.accept(part("7:0", "n1", i, false)), "part " + i);
    }
    assertEquals(0, joiner.incomplete(), "the torn answer is dropped");
    // the replica is asked again and answers whole
    Optional<ReplicaEntity.ReadReply> again = Optional.empty();
    for (int i = 0; i < PARTS.size(); i++) {
      again = joiner.accept(part("7:0", "n1", i, false));
    }
    assertArrayEquals(OBJECT, again.orElseThrow().object());
  }

  @Test
  void anErrorFromTheReplicaEndsItsPartialAnswer() {
    ReadReplyParts joiner = new ReadReplyParts();
    joiner.accept(part("7:0", "n1", 0, false));
    ReplicaEntity.ReadReply failed =
        new ReplicaEntity.ReadReply("7:0", "n1", null, "storage failed", "k");
    assertSame(failed, joiner.accept(failed).orElseThrow());
    assertEquals(0, joiner.incomplete());
  }

  private static ReplicaEntity.ReadReply part(String replica, String node, int i, boolean syncing) {
    return new ReplicaEntity.ReadReply(
        replica, node, PARTS.get(i), null, "k", syncing, i, PARTS.size());
  }

  private static DvvSet.Entry<Sibling> entry(String actor) {
    return new DvvSet.Entry<>(
        actor, 3, List.of(Sibling.value(new byte[1_000], "text/plain"), Sibling.newTombstone()));
  }
}
