package io.ringstore.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The flow actor on manual time, with a probe standing in for the peer's flow actor: bytes are
 * given back only when the peer acks a flush, and only those acquired a tick before the flush was
 * sent; an unanswered flush is repeated after {@link PeerFlow#RESEND_AFTER}, not every tick; a peer
 * that left the cluster or came back with a new uid gets everything back; a Flush is answered with
 * its ack.
 */
@ExtendWith(LogCapturingExtension.class)
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeerFlowTest {
  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder().withCustomConfig(ManualTime.config()).build();

  private static final String PEER = "127.0.0.1:2552";
  private static final Address ADDRESS = new Address("pekko", "ringstore", "127.0.0.1", 2552);
  private static final Duration QUIET = Duration.ofMillis(100);

  private ManualTime manualTime;
  private PeerBytes bytes;
  private TestProbe<PeerFlow.Command> peer;
  private final Map<String, PeerFlow.PeerMember> members = new ConcurrentHashMap<>();
  private ActorRef<PeerFlow.Command> flow;

  @BeforeEach
  void setUp() {
    manualTime = ManualTime.get(testKit.system());
    bytes = PeerBytes.of(1_000_000);
    peer = testKit.createTestProbe();
    members.clear();
    members.put(PEER, new PeerFlow.PeerMember(ADDRESS, 1L));
    TestProbe<PeerFlow.Command> thePeer = peer;
    flow =
        testKit.spawn(
            PeerFlow.create(
                bytes,
                new PeerFlow.Peers() {
                  @Override
                  public Map<String, PeerFlow.PeerMember> members() {
                    return Map.copyOf(members);
                  }

                  @Override
                  public ActorRef<PeerFlow.Command> flowOf(Address address) {
                    assertEquals(ADDRESS, address, "flushes go to the peer's address");
                    return thePeer.ref();
                  }
                }));
  }

  private void tick() {
    manualTime.timePasses(PeerFlow.TICK);
  }

  private void awaitOutstanding(long expected) {
    peer.awaitAssert(
        () -> {
          assertEquals(expected, bytes.outstanding(PEER));
          return null;
        });
  }

  @Test
  void bytesAreGivenBackWhenThePeerAcksAFlushSentAfterThem() {
    bytes.tryAcquire(PEER, 100);
    tick();
    // the mark was taken; its flush goes a tick later
    peer.expectNoMessage(QUIET);
    bytes.tryAcquire(PEER, 50);
    tick();
    PeerFlow.Flush flush = peer.expectMessageClass(PeerFlow.Flush.class);
    assertEquals(150, bytes.outstanding(PEER), "nothing given back before the ack");
    flush.replyTo().tell(new PeerFlow.FlushAck(flush.seq()));
    awaitOutstanding(50);

    tick();
    PeerFlow.Flush next = peer.expectMessageClass(PeerFlow.Flush.class);
    next.replyTo().tell(new PeerFlow.FlushAck(next.seq()));
    awaitOutstanding(0);
    tick();
    tick();
    peer.expectNoMessage(QUIET);
  }

  @Test
  void anUnansweredFlushIsRepeatedOnlyAfterTheResendDelay_andAnAckOfTheOldOneStillCounts() {
    bytes.tryAcquire(PEER, 100);
    tick();
    tick();
    PeerFlow.Flush first = peer.expectMessageClass(PeerFlow.Flush.class);
    for (long waited = PeerFlow.TICK.toMillis();
        waited < PeerFlow.RESEND_AFTER.toMillis();
        waited += PeerFlow.TICK.toMillis()) {
      tick();
    }
    peer.expectNoMessage(QUIET);
    tick();
    PeerFlow.Flush second = peer.expectMessageClass(PeerFlow.Flush.class);
    assertEquals(100, bytes.outstanding(PEER), "a paused peer keeps its bytes");
    first.replyTo().tell(new PeerFlow.FlushAck(first.seq()));
    awaitOutstanding(0);
    second.replyTo().tell(new PeerFlow.FlushAck(second.seq()));
    awaitOutstanding(0);
  }

  @Test
  void aPeerThatRestartedOrLeftGetsEverythingBack() {
    bytes.tryAcquire(PEER, 100);
    tick();
    tick();
    PeerFlow.Flush flush = peer.expectMessageClass(PeerFlow.Flush.class);
    members.put(PEER, new PeerFlow.PeerMember(ADDRESS, 2L));
    tick();
    awaitOutstanding(0);
    // the old incarnation's ack is ignored: the bytes since belong to the new one
    bytes.tryAcquire(PEER, 70);
    flush.replyTo().tell(new PeerFlow.FlushAck(flush.seq()));
    tick();
    assertEquals(70, bytes.outstanding(PEER));

    members.remove(PEER);
    tick();
    awaitOutstanding(0);
  }

  @Test
  void aFlushIsAnsweredWithItsAck() {
    TestProbe<PeerFlow.Command> sender = testKit.createTestProbe();
    flow.tell(new PeerFlow.Flush(7L, sender.ref()));
    assertEquals(new PeerFlow.FlushAck(7L), sender.expectMessageClass(PeerFlow.FlushAck.class));
  }
}
