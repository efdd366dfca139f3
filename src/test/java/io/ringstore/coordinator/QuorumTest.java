package io.ringstore.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.storage.Sibling;
import io.ringstore.version.DvvSet;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure quorum pieces: parsing R/W, counting distinct nodes, and the read-repair plan. */
class QuorumTest {

  @ParameterizedTest(name = "{0} with N={1} needs {2}")
  @CsvSource({
    "one,3,1",
    "quorum,3,2",
    "QUORUM,5,3",
    "all,3,3",
    "2,3,2",
    "1,1,1",
    "quorum,1,1",
    "all,1,1"
  })
  void resolvesAgainstN(String text, int n, int expected) {
    assertEquals(expected, Quorum.parse(text).resolve(n, 2), text + " with N=" + n);
  }

  @ParameterizedTest(name = "''{0}'' is rejected")
  @ValueSource(strings = {"", "0", "-1", "abc", "1.5", "two", "9999", " "})
  void rejectsGarbage(String text) {
    assertThrows(IllegalArgumentException.class, () -> Quorum.parse(text), text);
  }

  @Test
  void aCountAboveNIsRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Quorum.of(4).resolve(3, 2));
    assertTrue(e.getMessage().contains("N is 3"), e.getMessage());
    assertEquals(2, Quorum.DEFAULT.resolve(3, 2), "the default is the configured value");
  }

  @Test
  void writeAcksCountDistinctNodes() {
    WriteQuorum q = new WriteQuorum(2, 3);
    q.ack("1:0", "a");
    q.ack("1:1", "a");
    assertEquals(1, q.acks(), "two replicas on one node count once");
    assertTrue(!q.met() && !q.impossible(), "one more replica may still ack");
    q.fail("1:2");
    assertTrue(q.impossible(), "all answered, one node acked: W=2 cannot be met");
    assertTrue(q.allAnswered());
  }

  @Test
  void writeQuorumIsMetAtW() {
    WriteQuorum q = new WriteQuorum(2, 3);
    q.ack("1:0", "a");
    q.ack("1:1", "b");
    assertTrue(q.met());
    assertEquals(List.of("a", "b"), q.ackedNodes());
  }

  @Test
  void readQuorumMergesSiblingsAndCountsDistinctNodes() {
    DvvSet<Sibling> x = DvvSet.<Sibling>empty().update(DvvSet.of(value("x")), "A");
    DvvSet<Sibling> y = DvvSet.<Sibling>empty().update(DvvSet.of(value("y")), "B");
    ReadQuorum q = new ReadQuorum(2, 3);
    q.reply("1:0", "a", Optional.of(x));
    assertTrue(!q.met());
    q.reply("1:1", "b", Optional.of(y));
    assertTrue(q.met());
    assertEquals(2, q.merged().values().size(), "concurrent objects merge into two siblings");
  }

  @Test
  void readRepairTargetsMissingAndOlderReplicasOnly() {
    DvvSet<Sibling> v1 = DvvSet.<Sibling>empty().update(DvvSet.of(value("1")), "A");
    DvvSet<Sibling> v2 = v1.update(DvvSet.of(v1.join(), value("2")), "A");
    Map<String, Optional<DvvSet<Sibling>>> replies = new LinkedHashMap<>();
    replies.put("1:0", Optional.of(v2));
    replies.put("1:1", Optional.of(v1));
    replies.put("1:2", Optional.empty());
    DvvSet<Sibling> merged = v2.sync(v1);
    assertEquals(List.of("1:1", "1:2"), ReadRepairPlan.staleReplicas(merged, replies));
    assertEquals(
        List.of(),
        ReadRepairPlan.staleReplicas(DvvSet.empty(), Map.of("1:0", Optional.empty())),
        "nothing to repair when no replica has the key");
  }

  private static Sibling value(String s) {
    return Sibling.value(s.getBytes(StandardCharsets.UTF_8), "text/plain");
  }
}
