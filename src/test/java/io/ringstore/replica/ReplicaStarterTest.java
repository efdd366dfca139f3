package io.ringstore.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Eager start of a node's replicas ({@link ReplicaStarter}) and the reachability order of replicas
 * ({@link ReplicaDirectory#reachableFirst}): the entities of the partitions this node replicates
 * but hosts none of are asked through "sharding" (a probe here), a paced number of partitions per
 * round; replicas on members seen unreachable are ordered last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicaStarterTest {
  private static final String SELF = "127.0.0.1:1";
  private static final String OTHER = "127.0.0.1:2";
  private static final String THIRD = "127.0.0.1:3";
  private static final String FOURTH = "127.0.0.1:4";
  private static final Ring RING =
      Ring.of(new RingConfig(16, 16, 2), List.of(SELF, OTHER, THIRD, FOURTH));

  private final ActorTestKit testKit = ActorTestKit.create();

  /** The entities asked for their status ("p:r"), in the order the asks arrived. */
  private final List<String> asked = new CopyOnWriteArrayList<>();

  private final Map<ReplicaId, ActorRef<ReplicaEntity.Command>> entities =
      new ConcurrentHashMap<>();
  private LocalReplicas local;
  private ReplicaDirectory directory;
  private TestProbe<ReplicaEntity.Status> replies;

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    asked.clear();
    local = new LocalReplicas();
    directory =
        new ReplicaDirectory(
            id ->
                TestEntityRef.of(
                    ReplicaSharding.TYPE_KEY,
                    id.id(),
                    entities.computeIfAbsent(id, this::recorder)),
            () -> RING,
            local,
            node -> !node.equals(THIRD));
    replies = testKit.createTestProbe();
  }

  /** "Sharding" of entity {@code id}: records each GetStatus and answers it (and Locate). */
  private ActorRef<ReplicaEntity.Command> recorder(ReplicaId id) {
    return testKit.spawn(
        Behaviors.setup(
            ctx ->
                Behaviors.receiveMessage(
                    msg -> {
                      if (msg instanceof ReplicaEntity.Locate locate) {
                        locate.replyTo().tell(new ReplicaEntity.Located(id.id(), ctx.getSelf()));
                      }
                      if (msg instanceof ReplicaEntity.GetStatus get) {
                        asked.add(id.id());
                        get.replyTo().tell(new ReplicaEntity.Status(id.id(), SELF, false));
                      }
                      return Behaviors.same();
                    })));
  }

  private List<Integer> replicatedHere() {
    List<Integer> partitions = new ArrayList<>();
    for (int p = 0; p < RING.partitionCount(); p++) {
      if (RING.replicas(p).contains(SELF)) {
        partitions.add(p);
      }
    }
    return partitions;
  }

  /** Waits for exactly {@code expected} asks (as a set of "p:r"), then clears the record. */
  private void expectAsked(Set<String> expected, String what) {
    replies.awaitAssert(
        Duration.ofSeconds(3),
        () -> {
          assertEquals(expected, Set.copyOf(asked), what);
          return null;
        });
    replies.receiveSeveralMessages(expected.size());
    replies.expectNoMessage(Duration.ofMillis(100));
    assertEquals(expected.size(), asked.size(), what + ": each asked once");
    asked.clear();
  }

  private static Set<String> entitiesOf(List<Integer> partitions) {
    Set<String> ids = new HashSet<>();
    for (int p : partitions) {
      ids.add(p + ":0");
      ids.add(p + ":1");
    }
    return ids;
  }

  @Test
  void asksTheEntitiesOfUnhostedPartitionsReplicatedHere_pacedPerRound() {
    List<Integer> mine = replicatedHere();
    assertTrue(mine.size() >= 3, "the ring gives this node partitions: " + mine);
    local.register(new ReplicaId(mine.get(0), 0));
    List<Integer> missing = mine.subList(1, mine.size());

    int next = ReplicaStarter.startMissing(directory, local, SELF, 0, 1, replies.ref());
    expectAsked(entitiesOf(List.of(missing.get(0))), "one partition per round, both its entities");
    assertEquals(
        (missing.get(0) + 1) % RING.partitionCount(), next, "the next round starts after it");

    next = ReplicaStarter.startMissing(directory, local, SELF, next, 1, replies.ref());
    expectAsked(entitiesOf(List.of(missing.get(1))), "the next round asks the next partition");

    ReplicaStarter.startMissing(directory, local, SELF, next, 100, replies.ref());
    expectAsked(entitiesOf(missing), "a round wraps around: every partition but the hosted one");
  }

  @Test
  void asksNothingWhenEveryPartitionRuns_orThisNodeIsNotOnTheRing() {
    for (int p : replicatedHere()) {
      local.register(new ReplicaId(p, 1));
    }
    ReplicaStarter.startMissing(directory, local, SELF, 0, 100, replies.ref());
    ReplicaStarter.startMissing(
        directory, new LocalReplicas(), "127.0.0.1:9", 0, 100, replies.ref());
    replies.expectNoMessage(Duration.ofMillis(200));
    assertEquals(List.of(), asked, "nothing to start");
  }

  @Test
  void learnsTheRoutesItLacks_toReplicasOnReachableMembers_thenAsksNoMore() {
    ReplicaRoutes routes = new ReplicaRoutes();
    ReplicaDirectory routed =
        new ReplicaDirectory(
            id ->
                TestEntityRef.of(
                    ReplicaSharding.TYPE_KEY,
                    id.id(),
                    entities.computeIfAbsent(id, this::recorder)),
            () -> RING,
            local,
            node -> !node.equals(THIRD),
            routes);
    routes.attach(testKit.spawn(routes.keeper(routed::entity, false)));
    Set<String> reachable = new HashSet<>();
    for (int p = 0; p < RING.partitionCount(); p++) {
      for (int r = 0; r < 2; r++) {
        if (!RING.replicas(p).get(r).equals(THIRD)) {
          reachable.add(p + ":" + r);
        }
      }
    }
    assertEquals(
        reachable.size(),
        ReplicaStarter.learnRoutes(routed, 1_000, replies.ref()),
        "every replica on a reachable member without a route is asked");
    expectAsked(reachable, "asked through sharding");
    replies.awaitAssert(
        Duration.ofSeconds(3),
        () -> {
          reachable.forEach(
              id ->
                  assertTrue(
                      routes.routeOf(ReplicaId.parse(id)).isPresent(),
                      "route to " + id + " learned"));
          return null;
        });
    assertEquals(
        0, ReplicaStarter.learnRoutes(routed, 1_000, replies.ref()), "nothing left to learn");
  }

  @Test
  void reachableFirst_putsReplicasOnUnreachableMembersLast() {
    int partition = -1;
    for (int p = 0; p < RING.partitionCount() && partition < 0; p++) {
      if (RING.replicas(p).get(0).equals(THIRD)) {
        partition = p;
      }
    }
    assertTrue(partition >= 0, "some partition has " + THIRD + " first");
    ReplicaId onThird = new ReplicaId(partition, 0);
    ReplicaId onOther = new ReplicaId(partition, 1);
    assertEquals(
        List.of(onOther, onThird),
        directory.reachableFirst(List.of(onThird, onOther)),
        "the replica on the unreachable member goes last");
    assertEquals(
        List.of(onOther, onThird),
        directory.reachableFirst(List.of(onOther, onThird)),
        "the order is kept otherwise");

    local.register(onThird);
    assertEquals(
        List.of(onThird, onOther),
        directory.reachableFirst(List.of(onThird, onOther)),
        "a replica running on this node is reachable whatever the ring says");
  }
}
