package io.ringstore.coordinator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.storage.Sibling;
import io.ringstore.version.DvvSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Replies of replicas still catching up after a move (DESIGN invariant 2): merged and repaired like
 * any other, never counted toward R, and accounted for when deciding that R cannot be met.
 */
class ReadQuorumTest {

  private static Sibling text(String s) {
    return Sibling.value(s.getBytes(UTF_8), "text/plain");
  }

  private static Optional<DvvSet<Sibling>> blind(String value, String actor) {
    return Optional.of(DvvSet.<Sibling>empty().update(DvvSet.of(text(value)), actor));
  }

  @Test
  void aBehindReplyIsMergedButNeverCounts() {
    ReadQuorum q = new ReadQuorum(1, 3);
    q.replyBehind("1:0", "a", blind("x", "A"));
    assertFalse(q.met(), "R=1 is not met by a replica that is behind");
    assertEquals(0, q.replies());
    assertEquals(List.of(), q.repliedNodes());
    assertEquals(List.of(text("x")), q.merged().values(), "its object is merged");
    assertEquals(Set.of("1:0"), q.objects().keySet(), "and kept for the repair plan");
  }

  @Test
  void aBehindReplyAndACountedOne_bothMerged_oneCounted() {
    ReadQuorum q = new ReadQuorum(2, 3);
    q.replyBehind("1:0", "a", blind("x", "A"));
    q.reply("1:1", "b", blind("y", "B"));
    assertFalse(q.met(), "one counted reply of R=2");
    assertEquals(1, q.replies());
    assertEquals(List.of("b"), q.repliedNodes(), "only the counted node is reported");
    assertEquals(Set.of(text("x"), text("y")), Set.copyOf(q.merged().values()));
    q.reply("1:2", "c", Optional.empty());
    assertTrue(q.met());
    assertEquals(List.of("b", "c"), q.repliedNodes());
    assertTrue(q.allAnswered());
  }

  @Test
  void aBehindReplyThatIsEmpty_isKeptAsMissingForRepair() {
    ReadQuorum q = new ReadQuorum(1, 3);
    q.reply("1:0", "a", blind("x", "A"));
    q.replyBehind("1:1", "b", Optional.empty());
    assertEquals(Optional.empty(), q.objects().get("1:1"));
    assertEquals(
        List.of("1:1"),
        ReadRepairPlan.staleReplicas(q.merged(), q.objects()),
        "the replica that is behind gets the merged object");
  }

  @Test
  void impossibleCountsBehindRepliesAsAnsweredButNotAsReplies() {
    // R=2 of N=3: each row is the sequence of answers and whether R is still possible after each
    record Step(String kind, boolean impossibleAfter) {}
    List<List<Step>> table =
        List.of(
            List.of(new Step("behind", false), new Step("behind", true)),
            List.of(new Step("behind", false), new Step("ok", false), new Step("behind", true)),
            List.of(new Step("behind", false), new Step("ok", false), new Step("ok", false)),
            List.of(new Step("ok", false), new Step("behind", false), new Step("fail", true)),
            List.of(new Step("fail", false), new Step("behind", true)));
    for (List<Step> row : table) {
      ReadQuorum q = new ReadQuorum(2, 3);
      for (int i = 0; i < row.size(); i++) {
        Step step = row.get(i);
        String replica = "1:" + i;
        String node = "n" + i;
        switch (step.kind()) {
          case "ok" -> q.reply(replica, node, Optional.empty());
          case "behind" -> q.replyBehind(replica, node, Optional.empty());
          default -> q.fail(replica);
        }
        assertEquals(step.impossibleAfter(), q.impossible(), row + " after step " + i);
      }
      assertEquals(row.size() == 3, q.allAnswered(), row + ": all answered");
    }
  }

  @Test
  void onlyBehindReplies_rOfOneIsImpossibleOnceAllAnswered() {
    ReadQuorum q = new ReadQuorum(1, 3);
    q.replyBehind("1:0", "a", blind("x", "A"));
    q.replyBehind("1:1", "b", blind("x", "A"));
    assertFalse(q.impossible(), "the third may still count");
    q.replyBehind("1:2", "c", blind("x", "A"));
    assertTrue(q.impossible(), "three behind replies never make R=1");
    assertFalse(q.met());
  }

  @Test
  void aBehindReplyOnANodeThatAlreadyCounted_doesNotReplaceItsObject() {
    ReadQuorum q = new ReadQuorum(2, 3);
    q.reply("1:0", "a", blind("x", "A"));
    q.replyBehind("1:1", "a", blind("y", "B"));
    assertEquals(1, q.replies());
    assertEquals(
        List.of(text("x")), q.merged().values(), "one object per node, as for counted replies");
  }

  @Test
  void aCountedReplyAfterABehindOneOnTheSameNodeCounts() {
    ReadQuorum q = new ReadQuorum(1, 3);
    q.replyBehind("1:0", "a", blind("x", "A"));
    q.reply("1:1", "a", blind("y", "B"));
    assertTrue(q.met(), "the caught-up replica on node a counts");
    assertEquals(Set.of(text("x"), text("y")), Set.copyOf(q.merged().values()));
  }

  @Test
  void takeBehind_makesTheBehindReplicasUnansweredAgain_andTheirLaterCountedReplyMeetsR() {
    ReadQuorum q = new ReadQuorum(2, 3);
    q.replyBehind("1:0", "a", blind("x", "A"));
    q.reply("1:1", "b", blind("x", "A"));
    q.replyBehind("1:2", "c", blind("x", "A"));
    assertTrue(q.impossible(), "two behind and one counted of R=2");
    assertEquals(2, q.behindCount());
    assertEquals(List.of("1:0", "1:2"), q.takeBehind(), "both asked again, in reply order");
    assertEquals(0, q.behindCount());
    assertFalse(q.impossible(), "R is possible again while they have not answered");
    assertFalse(q.allAnswered());
    q.reply("1:0", "a", blind("x", "A"));
    assertTrue(q.met(), "the caught-up replica counts now");
    assertEquals(List.of("b", "a"), q.repliedNodes());
  }
}
