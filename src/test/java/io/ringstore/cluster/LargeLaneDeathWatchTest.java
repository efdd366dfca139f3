package io.ringstore.cluster;

import io.ringstore.handoff.HintManager;
import io.ringstore.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the large-message lane in use between two nodes, the stop of a remotely watched actor is
 * reported at once, not after Artery's flush timeout: the routes to replica entities ({@code
 * ReplicaRoutes}) are dropped on that news when an entity moves, and a late one left reads going to
 * a stopped entity (TransferClusterTest's r=all reads after a join answered 503). Pekko waits for
 * more flush acknowledgements than it sends when inbound-lanes > 1 and the large lane is active
 * (akka/akka-core#32963), so a node runs one inbound lane. The flush timeout is raised to 30 s here
 * so that the defect shows as a wait of 30 s, not a close call.
 */
class LargeLaneDeathWatchTest {
  private static final Duration MAX = Duration.ofSeconds(60);
  private static final String CONFIG =
      "pekko.remote.artery.advanced.death-watch-notification-flush-timeout = 30s\n";

  @TempDir Path dir;
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    nodes.forEach(TestNode::close);
  }

  @Test
  void aWatchedRemoteActorsStopIsReportedWithoutWaitingForTheFlushTimeout() {
    TestNode a = TestNode.start(TestNode.config(dir.resolve("a"), 2, 1, 1, CONFIG)).joinSelf();
    nodes.add(a);
    TestNode b = TestNode.start(TestNode.config(dir.resolve("b"), 2, 1, 1, CONFIG)).join(a);
    nodes.add(b);
    a.awaitUpMembers(2, MAX).awaitReady(MAX);
    b.awaitUpMembers(2, MAX).awaitReady(MAX);

    // b sends on the large lane to a (a hint manager is a large-message destination), so that
    // lane's
    // stream from b to a runs and b's flushes go through it too
    String hintManager = a.cluster().selfAddress() + "/system/hint-manager";
    Adapter.toClassic(b.system())
        .actorSelection(hintManager)
        .tell(HintManager.TargetsReachable.INSTANCE, org.apache.pekko.actor.ActorRef.noSender());

    ActorRef<String> victim =
        b.system()
            .systemActorOf(
                Behaviors.receiveMessage((String stop) -> Behaviors.stopped()),
                "victim",
                Props.empty());
    ActorRef<String> remoteVictim =
        ActorRefResolver.get(a.system())
            .resolveActorRef(ActorRefResolver.get(b.system()).toSerializationFormat(victim));
    TestProbe<String> probe = TestProbe.create(a.system());
    a.system().systemActorOf(watcher(remoteVictim, probe.ref()), "watcher", Props.empty());
    probe.expectMessage(MAX, "watching");

    victim.tell("stop");
    probe.expectMessage(Duration.ofSeconds(10), "terminated");
  }

  private static Behavior<Object> watcher(ActorRef<String> target, ActorRef<String> report) {
    return Behaviors.setup(
        ctx -> {
          ctx.watch(target);
          report.tell("watching");
          return Behaviors.receive(Object.class)
              .onSignal(
                  Terminated.class,
                  t -> {
                    report.tell("terminated");
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
