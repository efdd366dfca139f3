package io.ringstore.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementPlannerTest {
  private static final RingConfig CONFIG = new RingConfig(64, 32, 3);
  private static final List<String> THREE = List.of("10.0.0.1:1", "10.0.0.2:1", "10.0.0.3:1");

  @Test
  void freshAllocationPutsTheNReplicasOfEveryPartitionOnItsReplicaSet() {
    Ring ring = Ring.of(CONFIG, THREE);
    Map<String, Set<String>> placement = allocateAll(ring, emptyRegions(THREE));
    assertValid(ring, placement);
  }

  @Test
  void aValidPlacementIsLeftAlone() {
    Ring ring = Ring.of(CONFIG, THREE);
    Map<String, Set<String>> placement = allocateAll(ring, emptyRegions(THREE));
    assertEquals(
        Set.of(),
        PlacementPlanner.rebalance(ring, placement, Set.of(), 1000),
        "nothing to move when every entity is on its replica set");
  }

  @Test
  void coLocatedReplicasAreSeparatedKeepingTheLowestIndex() {
    Ring ring = Ring.of(CONFIG, THREE);
    List<String> set = ring.replicas(5);
    Map<String, Set<String>> placement = emptyRegions(THREE);
    placement.get(set.get(0)).addAll(List.of("5:0", "5:1"));
    placement.get(set.get(1)).add("5:2");
    assertEquals(
        Set.of("5:1"),
        PlacementPlanner.rebalance(ring, placement, Set.of(), 10),
        "the extra replica moves, the lowest index stays");
    placement.get(set.get(0)).remove("5:1");
    assertEquals(
        set.get(2),
        PlacementPlanner.allocate(ring, "5:1", placement, set.get(0)),
        "it goes to the free member of the replica set");
  }

  @Test
  void withFewerMembersThanNTheUnusedReplicaDoesNotTakeAMembersPlace() {
    List<String> two = THREE.subList(0, 2);
    Ring ring = Ring.of(CONFIG, two);
    Map<String, Set<String>> placement = emptyRegions(two);
    placement.get(two.get(0)).addAll(List.of("7:0", "7:1"));
    placement.get(two.get(1)).add("7:2");
    assertEquals(
        Set.of("7:1"),
        PlacementPlanner.rebalance(ring, placement, Set.of(), 10),
        "7:1 is used (2 members, 2 replicas) and shares a member: it moves; 7:2 is unused");
    placement.get(two.get(0)).remove("7:1");
    assertEquals(
        two.get(1),
        PlacementPlanner.allocate(ring, "7:1", placement, two.get(0)),
        "the member holding only the unused 7:2 is free for 7:1");
  }

  @Test
  void nothingMovesWhenNoReplicaSetMemberIsFree() {
    List<String> two = THREE.subList(0, 2);
    Ring ring = Ring.of(CONFIG, two);
    Map<String, Set<String>> placement = emptyRegions(two);
    placement.get(two.get(0)).addAll(List.of("7:0", "7:2"));
    placement.get(two.get(1)).add("7:1");
    assertEquals(
        Set.of(),
        PlacementPlanner.rebalance(ring, placement, Set.of(), 10),
        "with two members a third replica has nowhere better to go");
  }

  @Test
  void movesInProgressAreNotRequestedAgainAndTheLimitHolds() {
    Ring three = Ring.of(CONFIG, THREE);
    Map<String, Set<String>> placement = allocateAll(three, emptyRegions(THREE));
    List<String> four = List.of("10.0.0.1:1", "10.0.0.2:1", "10.0.0.3:1", "10.0.0.4:1");
    placement.put("10.0.0.4:1", new LinkedHashSet<>());
    Ring ring = Ring.of(CONFIG, four);
    Set<String> first = PlacementPlanner.rebalance(ring, placement, Set.of(), 5);
    assertEquals(5, first.size(), "at most the limit per round");
    Set<String> second = PlacementPlanner.rebalance(ring, placement, first, 1000);
    assertTrue(second.stream().noneMatch(first::contains), "in-progress moves are not repeated");
  }

  @Test
  void aJoinMovesOnlyTheEntitiesWhoseMemberLeftTheReplicaSet() {
    Ring before = Ring.of(CONFIG, THREE);
    Map<String, Set<String>> placement = allocateAll(before, emptyRegions(THREE));
    String joiner = "10.0.0.4:1";
    placement.put(joiner, new LinkedHashSet<>());
    Ring after = Ring.of(CONFIG, List.of("10.0.0.1:1", "10.0.0.2:1", "10.0.0.3:1", joiner));

    int expectedMoves = 0;
    for (int p = 0; p < CONFIG.partitionCount(); p++) {
      for (String member : before.replicas(p)) {
        if (!after.replicas(p).contains(member)) {
          expectedMoves++;
        }
      }
    }
    int moves = 0;
    for (int round = 0; round < 100; round++) {
      Set<String> batch = PlacementPlanner.rebalance(after, placement, Set.of(), 16);
      if (batch.isEmpty()) {
        break;
      }
      for (String shard : batch) {
        placement.values().forEach(s -> s.remove(shard));
        String target = PlacementPlanner.allocate(after, shard, placement, joiner);
        placement.get(target).add(shard);
        moves++;
      }
    }
    assertValid(after, placement);
    assertEquals(expectedMoves, moves, "moves equal the replica slots the join took over");
  }

  private static Map<String, Set<String>> allocateAll(
      Ring ring, Map<String, Set<String>> placement) {
    for (int p = 0; p < ring.partitionCount(); p++) {
      for (int r = 0; r < ring.replicas(p).size(); r++) {
        String shard = p + ":" + r;
        String member = PlacementPlanner.allocate(ring, shard, placement, THREE.get(0));
        placement.get(member).add(shard);
      }
    }
    return placement;
  }

  private static Map<String, Set<String>> emptyRegions(List<String> members) {
    Map<String, Set<String>> regions = new HashMap<>();
    members.forEach(m -> regions.put(m, new LinkedHashSet<>()));
    return regions;
  }

  private static void assertValid(Ring ring, Map<String, Set<String>> placement) {
    for (int p = 0; p < ring.partitionCount(); p++) {
      Set<String> hosts = new HashSet<>();
      for (var entry : placement.entrySet()) {
        for (String shard : entry.getValue()) {
          if (ReplicaId.parse(shard).partition() == p) {
            assertTrue(
                hosts.add(entry.getKey()),
                "partition " + p + " has two replicas on " + entry.getKey());
          }
        }
      }
      assertEquals(Set.copyOf(ring.replicas(p)), hosts, "partition " + p + " hosts = replica set");
    }
  }
}
