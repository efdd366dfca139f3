package io.ringstore.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Direct routes to replica entities: a replica without a route is reached through "sharding" (a
 * probe here) and located once; once located, messages go straight to the entity; when the entity
 * stops the route is dropped and messages go through sharding again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicaRoutesTest {
  private final ActorTestKit testKit = ActorTestKit.create();
  private static final Ring RING = Ring.of(new RingConfig(8, 8, 1), List.of("127.0.0.1:1"));
  private static final ReplicaId REPLICA = new ReplicaId(3, 0);

  private TestProbe<ReplicaEntity.Command> sharding;
  private TestProbe<ReplicaEntity.Command> entityInbox;
  private ReplicaRoutes routes;
  private ReplicaDirectory directory;
  private final Map<ReplicaId, ActorRef<ReplicaEntity.Command>> entities =
      new ConcurrentHashMap<>();

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    sharding = testKit.createTestProbe();
    entityInbox = testKit.createTestProbe();
    routes = new ReplicaRoutes();
    directory =
        new ReplicaDirectory(
            id -> TestEntityRef.of(ReplicaSharding.TYPE_KEY, id.id(), sharding.ref()),
            () -> RING,
            new LocalReplicas(),
            node -> true,
            routes);
    routes.attach(testKit.spawn(routes.keeper(directory::entity, false)));
  }

  /** An entity that answers Locate with its own ref and forwards everything else to the inbox. */
  private Behavior<ReplicaEntity.Command> entity(ReplicaId id) {
    return Behaviors.receive(
        (ctx, msg) -> {
          if (msg instanceof ReplicaEntity.Locate locate) {
            locate.replyTo().tell(new ReplicaEntity.Located(id.id(), ctx.getSelf()));
          } else if (msg instanceof ReplicaEntity.MarkTombstoneReplicated m
              && m.key().equals("stop")) {
            return Behaviors.stopped();
          } else {
            entityInbox.ref().tell(msg);
          }
          return Behaviors.same();
        });
  }

  private static ReplicaEntity.MarkTombstoneReplicated message(String key) {
    return new ReplicaEntity.MarkTombstoneReplicated(key, new byte[0]);
  }

  @Test
  void missGoesThroughShardingAndLocatesOnceThenRoutesDirectly() {
    directory.tell(REPLICA, message("a"));
    directory.tell(REPLICA, message("b"));
    // both through sharding; exactly one Locate among the messages sharding saw
    List<ReplicaEntity.Command> seen =
        List.of(sharding.receiveMessage(), sharding.receiveMessage(), sharding.receiveMessage());
    List<ReplicaEntity.Command> locates =
        seen.stream().filter(m -> m instanceof ReplicaEntity.Locate).toList();
    assertEquals(1, locates.size(), "one Locate for two misses: " + seen);
    sharding.expectNoMessage(Duration.ofMillis(100));

    ActorRef<ReplicaEntity.Command> entity = testKit.spawn(entity(REPLICA));
    ((ReplicaEntity.Locate) locates.get(0))
        .replyTo()
        .tell(new ReplicaEntity.Located(REPLICA.id(), entity));
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        () -> {
          assertTrue(routes.routeOf(REPLICA).isPresent());
          return null;
        });

    directory.tell(REPLICA, message("c"));
    assertEquals("c", ((ReplicaEntity.MarkTombstoneReplicated) entityInbox.receiveMessage()).key());
    sharding.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void routeIsDroppedWhenTheEntityStops() {
    ActorRef<ReplicaEntity.Command> entity = testKit.spawn(entity(REPLICA));
    directory.tell(REPLICA, message("a"));
    ReplicaEntity.Command first = sharding.receiveMessage();
    ReplicaEntity.Command second = sharding.receiveMessage();
    ReplicaEntity.Locate locate =
        (ReplicaEntity.Locate) (first instanceof ReplicaEntity.Locate ? first : second);
    entity.tell(locate);
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        () -> {
          assertEquals(entity, routes.routeOf(REPLICA).orElseThrow());
          return null;
        });

    directory.tell(REPLICA, message("stop"));
    probe.awaitAssert(
        () -> {
          assertTrue(routes.routeOf(REPLICA).isEmpty(), "route dropped after the entity stopped");
          return null;
        });
    directory.tell(REPLICA, message("after"));
    List<ReplicaEntity.Command> seen =
        List.of(sharding.receiveMessage(), sharding.receiveMessage());
    assertTrue(
        seen.stream()
            .anyMatch(
                m ->
                    m instanceof ReplicaEntity.MarkTombstoneReplicated t
                        && t.key().equals("after")),
        "back through sharding: " + seen);
    assertTrue(
        seen.stream().anyMatch(m -> m instanceof ReplicaEntity.Locate),
        "and located again: " + seen);
  }

  @Test
  void unansweredLocateIsRetriedOnALaterMiss() {
    directory.tell(REPLICA, message("a"));
    sharding.receiveMessage();
    sharding.receiveMessage();
    // nobody answers the Locate; after the locate timeout a new miss asks again
    sharding.expectNoMessage(ReplicaRoutes.LOCATE_TIMEOUT.plusMillis(300));
    directory.tell(REPLICA, message("b"));
    List<ReplicaEntity.Command> seen =
        List.of(sharding.receiveMessage(), sharding.receiveMessage());
    assertTrue(
        seen.stream().anyMatch(m -> m instanceof ReplicaEntity.Locate), "asked again: " + seen);
  }
}
