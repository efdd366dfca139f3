package io.ringstore.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.LocalReplicasTesting;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.replica.ReplicaSharding;
import io.ringstore.ring.Ring;
import io.ringstore.ring.RingConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.apache.pekko.cluster.typed.ClusterCommand;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node's leave with its data, its protocol driven directly on manual time: probes stand in for
 * the replica entities (through sharding), for every data node's {@link PartitionSource}
 * (registered with the receptionist) and for the Pekko cluster manager. The last data member
 * refuses; a leave announces the drain, waits while replicas run here, asks every replica of the
 * partitions it held each tick and leaves once all run elsewhere and caught up; a second leave is
 * answered as already leaving; a replica behind or silent holds the leave for a later round; the
 * leave timeout leaves anyway.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeLeaveTest {

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(ManualTime.config()).build();

  private static final String SELF = "127.0.0.1:1";
  private static final String OTHER = "127.0.0.1:2";
  private static final Address SELF_ADDRESS = new Address("pekko", "ringstore", "127.0.0.1", 1);
  private static final RingConfig CONFIG = new RingConfig(8, 8, 2);
  private static final NodeLeave.Settings SETTINGS =
      new NodeLeave.Settings(Duration.ofMinutes(30), Duration.ofSeconds(2));

  /** The partitions this node hosts a replica of when the leave starts. */
  private static final List<Integer> HELD = List.of(1, 5);

  /** Replicas of the partitions held: N = 2 each. */
  private static final int REPLICAS_HELD = 4;

  private static final Duration QUIET = Duration.ofMillis(200);

  private ManualTime manualTime;
  private Fixture fixture;

  @BeforeEach
  void setUp() {
    manualTime = ManualTime.get(testKit.system());
  }

  @AfterEach
  void stopLeave() {
    if (fixture != null) {
      testKit.stop(fixture.leave);
      fixture.source.stop();
      fixture = null;
    }
  }

  private final class Fixture {
    final DrainingMembers draining = new DrainingMembers(6_000, () -> 0L);
    final LocalReplicas locals = new LocalReplicas();
    final TestProbe<ReplicaEntity.Command> entities = testKit.createTestProbe();
    final TestProbe<ClusterCommand> clusterManager = testKit.createTestProbe();
    final TestProbe<PartitionSource.Command> source = testKit.createTestProbe();
    final ActorRef<NodeLeave.Command> leave;

    Fixture(Set<String> members, NodeLeave.Settings settings) {
      Ring ring = Ring.of(CONFIG, members);
      for (int p : HELD) {
        LocalReplicasTesting.register(locals, new ReplicaId(p, 0));
      }
      TestProbe<Receptionist.Registered> registered = testKit.createTestProbe();
      testKit
          .system()
          .receptionist()
          .tell(Receptionist.register(PartitionSource.KEY, source.ref(), registered.ref()));
      registered.receiveMessage();
      ReplicaDirectory directory =
          new ReplicaDirectory(
              id -> TestEntityRef.of(ReplicaSharding.TYPE_KEY, id.id(), entities.ref()),
              () -> ring,
              locals);
      leave =
          testKit.spawn(
              NodeLeave.create(
                  SELF,
                  () -> ring,
                  draining,
                  directory,
                  locals,
                  settings,
                  clusterManager.ref(),
                  SELF_ADDRESS));
      fixture = this;
    }

    Fixture() {
      this(Set.of(SELF, OTHER), SETTINGS);
    }

    NodeLeave.Started start() {
      TestProbe<NodeLeave.Started> reply = testKit.createTestProbe();
      leave.tell(new NodeLeave.Start(reply.ref()));
      return reply.receiveMessage();
    }

    NodeLeave.Progress progress() {
      TestProbe<NodeLeave.Progress> reply = testKit.createTestProbe();
      leave.tell(new NodeLeave.GetProgress(reply.ref()));
      return reply.receiveMessage();
    }

    /** Starts the leave and checks what it announces. */
    void startLeaving() {
      NodeLeave.Started started = start();
      assertTrue(started.accepted(), started.message());
      assertTrue(
          started.message().contains("handing off its replicas of 2 partitions"),
          started.message());
      source.expectMessage(new PartitionSource.Draining(SELF));
      assertEquals(Set.of(SELF), draining.draining(), "this node drains: out of its own ring");
    }

    void stopHosting() {
      for (int p : HELD) {
        LocalReplicasTesting.deregister(locals, new ReplicaId(p, 0));
      }
    }

    /** The next tick: the drain announced again and every replica of the held partitions asked. */
    List<ReplicaEntity.GetStatus> tick() {
      manualTime.timePasses(SETTINGS.checkInterval());
      source.expectMessage(new PartitionSource.Draining(SELF));
      List<ReplicaEntity.GetStatus> asked = new ArrayList<>();
      for (ReplicaEntity.Command c : entities.receiveSeveralMessages(REPLICAS_HELD)) {
        asked.add((ReplicaEntity.GetStatus) c);
      }
      return asked;
    }
  }

  private static ReplicaEntity.Status status(String node, boolean syncing) {
    return new ReplicaEntity.Status("?", node, syncing);
  }

  @Test
  void theOnlyDataMemberRefusesToLeave() {
    Fixture f = new Fixture(Set.of(SELF), SETTINGS);
    NodeLeave.Started started = f.start();
    assertFalse(started.accepted(), "leaving would lose the data");
    assertTrue(started.message().contains("only data member"), started.message());
    assertFalse(f.progress().leaving(), "no leave started");
    assertTrue(f.draining.draining().isEmpty(), "nothing announced");
    manualTime.timePasses(SETTINGS.checkInterval());
    f.entities.expectNoMessage(QUIET);
    f.clusterManager.expectNoMessage(QUIET);
  }

  @Test
  void aLeaveDrainsWaitsForTheNewHostsAndThenLeavesTheCluster() {
    Fixture f = new Fixture();
    f.startLeaving();
    NodeLeave.Progress started = f.progress();
    assertTrue(started.leaving(), "leaving");
    assertEquals(2, started.replicasHere(), "both replicas still run here");
    assertEquals(-1, started.replicasBehind(), "not checked yet");
    assertTrue(started.startedMillis() > 0, "start time reported");

    NodeLeave.Started again = f.start();
    assertTrue(again.accepted(), "a second leave is accepted");
    assertTrue(again.message().contains("is already leaving"), again.message());

    manualTime.timePasses(SETTINGS.checkInterval());
    f.source.expectMessage(new PartitionSource.Draining(SELF));
    f.entities.expectNoMessage(QUIET);
    f.clusterManager.expectNoMessage(QUIET);

    f.stopHosting();
    for (ReplicaEntity.GetStatus ask : f.tick()) {
      ask.replyTo().tell(status(OTHER, false));
    }
    f.clusterManager.expectMessage(Leave.create(SELF_ADDRESS));
    NodeLeave.Progress done = f.progress();
    assertEquals(0, done.replicasHere(), "no replica runs here");
    assertEquals(0, done.replicasBehind(), "every replica caught up");

    manualTime.timePasses(SETTINGS.checkInterval());
    f.entities.expectNoMessage(QUIET);
    f.clusterManager.expectNoMessage(QUIET);
  }

  @Test
  void aReplicaStillSyncingOrStillHereHoldsTheLeaveUntilALaterCheck() {
    Fixture f = new Fixture();
    f.startLeaving();
    f.stopHosting();
    List<ReplicaEntity.GetStatus> first = f.tick();
    first.get(0).replyTo().tell(status(OTHER, true));
    first.get(1).replyTo().tell(status(SELF, false));
    for (ReplicaEntity.GetStatus ask : first.subList(2, REPLICAS_HELD)) {
      ask.replyTo().tell(status(OTHER, false));
    }
    f.clusterManager.awaitAssert(
        Duration.ofSeconds(3),
        () -> {
          assertEquals(
              2,
              f.progress().replicasBehind(),
              "a replica syncing and one still on the leaving node are behind");
          return null;
        });
    f.clusterManager.expectNoMessage(QUIET);

    for (ReplicaEntity.GetStatus ask : f.tick()) {
      ask.replyTo().tell(status(OTHER, false));
    }
    f.clusterManager.expectMessage(Leave.create(SELF_ADDRESS));
    assertEquals(0, f.progress().replicasBehind(), "caught up in the second check");
  }

  @Test
  void aReplicaThatDoesNotAnswerHoldsTheLeaveUntilACheckWhereAllAnswer() {
    Fixture f = new Fixture();
    f.startLeaving();
    f.stopHosting();
    List<ReplicaEntity.GetStatus> first = f.tick();
    for (ReplicaEntity.GetStatus ask : first.subList(1, REPLICAS_HELD)) {
      ask.replyTo().tell(status(OTHER, false));
    }
    f.clusterManager.expectNoMessage(QUIET);
    assertEquals(
        -1,
        f.progress().replicasBehind(),
        "a check with a replica still to answer reports nothing yet");

    for (ReplicaEntity.GetStatus ask : f.tick()) {
      ask.replyTo().tell(status(OTHER, false));
    }
    f.clusterManager.expectMessage(Leave.create(SELF_ADDRESS));
    first.get(0).replyTo().tell(status(OTHER, true));
    f.clusterManager.expectNoMessage(QUIET);
  }

  @Test
  void afterTheLeaveTimeoutTheNodeLeavesAnyway() {
    Fixture f =
        new Fixture(
            Set.of(SELF, OTHER),
            new NodeLeave.Settings(Duration.ofNanos(1), SETTINGS.checkInterval()));
    f.startLeaving();
    f.clusterManager.expectNoMessage(QUIET);

    manualTime.timePasses(SETTINGS.checkInterval());
    f.clusterManager.expectMessage(Leave.create(SELF_ADDRESS));
    f.entities.expectNoMessage(QUIET);
    assertEquals(2, f.progress().replicasHere(), "it left with its replicas still here");
  }
}
