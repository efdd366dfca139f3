package io.ringstore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.client.ReadOptions;
import io.ringstore.client.RingstoreClient;
import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.PeerBytes;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real nodes (Artery over loopback, messages serialized): the bytes of replica messages a
 * node's writes queue to the other node are counted, and the flow actors' flushes and acks on the
 * large-message lane give them all back once the peer received them; bytes counted for a node that
 * is no member are given back too.
 */
class PeerFlowClusterTest {
  private static final Duration MAX = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    nodes.forEach(TestNode::close);
  }

  @Test
  void bytesQueuedToAPeerAreGivenBackOnceItAcksTheFlush() throws Exception {
    TestNode a = TestNode.start(dir.resolve("a"), 2, 1, 2).joinSelf();
    nodes.add(a);
    TestNode b = TestNode.start(dir.resolve("b"), 2, 1, 2).join(a);
    nodes.add(b);
    a.awaitUpMembers(2, MAX).awaitReady(MAX);
    b.awaitUpMembers(2, MAX).awaitReady(MAX);

    RingstoreClient client = b.node().client();
    PeerBytes bytes = client.peerBytes();
    byte[] value = new byte[64 * 1024];
    TestProbe<Object> probe = TestProbe.create(b.system());
    // w=2 on two members: every write sends the value or the object to a
    // a write answered 503 right after the join may still have been stored: each retry writes with
    // the context of what is there, so retries do not pile siblings up to max-object-size
    for (int i = 0; i < 10; i++) {
      String key = "peer-flow-" + i;
      probe.awaitAssert(
          MAX,
          () -> {
            ReadResult read =
                client
                    .get(key, ReadOptions.DEFAULT)
                    .toCompletableFuture()
                    .get(15, TimeUnit.SECONDS);
            String context = read instanceof ReadResult.Found found ? found.context() : null;
            WriteResult r =
                client
                    .put(
                        key,
                        value,
                        "application/octet-stream",
                        context,
                        new WriteOptions(Quorum.of(2), Duration.ofSeconds(5)))
                    .toCompletableFuture()
                    .get(15, TimeUnit.SECONDS);
            assertTrue(r instanceof WriteResult.Written, key + ": " + r);
            return null;
          });
    }
    assertTrue(
        bytes.mark(a.name()) >= 10L * value.length,
        "the writes' messages to " + a.name() + " were counted: " + bytes.mark(a.name()));
    probe.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          assertEquals(0, bytes.outstanding(a.name()), "confirmed by a's acks");
          return null;
        });

    bytes.tryAcquire("127.0.0.1:1", 1000);
    probe.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          assertEquals(0, bytes.outstanding("127.0.0.1:1"), "no such member: nothing waits for it");
          return null;
        });
  }
}
