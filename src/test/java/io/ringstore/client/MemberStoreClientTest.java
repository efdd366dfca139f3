package io.ringstore.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.typesafe.config.ConfigFactory;
import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.testing.TestNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The member client's lifecycle against two data nodes in this JVM that run non-default settings
 * (N=2, R=1, W=2, 32 partitions, 16 tokens, a 3 s timeout): {@code connect} completes with the
 * cluster's settings, and the first requests after it are served at once (none waits out a timeout,
 * no reply goes to dead letters); siblings, their resolution and the typed protocol work; a wrong
 * seed fails within the join timeout, naming it, with its actor system terminated; {@code close}
 * leaves gracefully, logs no warning and the JVM keeps running.
 */
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemberStoreClientTest {
  private static final Duration MAX = Duration.ofSeconds(30);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(20);
  private static final long TIMEOUT_MILLIS = 3_000;

  @TempDir static Path dir;
  private final List<TestNode> nodes = new ArrayList<>();
  private MemberStoreClient store;

  @BeforeAll
  void startTwoNodes() {
    String extra =
        "ringstore.ring { partitions = 32, tokens-per-member = 16 }\n"
            + "ringstore.requests.timeout = "
            + TIMEOUT_MILLIS
            + "ms\n";
    nodes.add(TestNode.start(TestNode.config(dir.resolve("n1"), 2, 1, 2, extra)).joinSelf());
    nodes.add(
        TestNode.start(TestNode.config(dir.resolve("n2"), 2, 1, 2, extra)).join(nodes.get(0)));
    for (TestNode node : nodes) {
      node.awaitUpMembers(2, MAX).awaitReady(MAX);
    }
  }

  @AfterAll
  void stopAll() {
    if (store != null) {
      store.close();
    }
    nodes.forEach(TestNode::close);
  }

  private ClientSettings settings(String seed) {
    return ClientSettings.member(seed)
        .withJoinTimeout(JOIN_TIMEOUT)
        .withConfig(ConfigFactory.parseString("pekko.actor.serialize-messages = on"));
  }

  @Test
  @Order(1)
  void connectReadsTheClusterSettingsAndTheFirstRequestsAreServedAtOnce() throws Exception {
    StoreClient connected =
        StoreClient.connect(settings(nodes.get(0).name()))
            .toCompletableFuture()
            .get(JOIN_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
    store = assertInstanceOf(MemberStoreClient.class, connected);
    assertEquals(
        new Replication(2, 1, 2, TIMEOUT_MILLIS),
        store.replication(),
        "N, R, W and the timeout as the data nodes run them, not the defaults");

    TestProbe<DeadLetter> deadLetters = TestProbe.create(store.system());
    // subscribed at once (the typed event stream's Subscribe is a message, processed later)
    Adapter.toClassic(store.system())
        .eventStream()
        .subscribe(Adapter.toClassic(deadLetters.ref()), DeadLetter.class);
    // the probe does see dead letters
    store.system().deadLetters().tell("marker");
    assertEquals("marker", deadLetters.expectMessageClass(DeadLetter.class).message());

    for (int i = 0; i < 50; i++) {
      long start = System.nanoTime();
      WriteResult result =
          store.put("first-" + i, bytes("v" + i)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertInstanceOf(WriteResult.Written.class, result, "put " + i + " right after connect");
      assertTrue(
          millis < TIMEOUT_MILLIS / 2,
          "put " + i + " took " + millis + " ms, more than half the request timeout");
    }
    deadLetters.expectNoMessage(Duration.ofMillis(500));

    // the client's ring is the nodes' ring: a data node finds the key where the client put it
    ReadResult read =
        nodes.get(1).node().client().get("first-0").toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertArrayEquals(
        bytes("v0"), assertInstanceOf(ReadResult.Found.class, read).values().get(0).data());
  }

  @Test
  @Order(2)
  void siblingsAreKeptAndAReadsContextResolvesThem() throws Exception {
    assertNotNull(store, "connected");
    assertInstanceOf(WriteResult.Written.class, await(store.put("sib", bytes("a"))));
    assertInstanceOf(WriteResult.Written.class, await(store.put("sib", bytes("b"))));
    ReadResult.Found both = assertInstanceOf(ReadResult.Found.class, await(store.get("sib")));
    assertEquals(2, both.values().size(), "two writes without context are siblings");

    assertInstanceOf(
        WriteResult.Written.class,
        await(store.put("sib", bytes("c"), "text/plain", both.context(), WriteOptions.DEFAULT)));
    ReadResult.Found resolved = assertInstanceOf(ReadResult.Found.class, await(store.get("sib")));
    assertEquals(1, resolved.values().size(), "the read's context resolves both siblings");
    assertArrayEquals(bytes("c"), resolved.values().get(0).data());

    assertInstanceOf(WriteResult.Written.class, await(store.delete("sib", resolved.context())));
    assertInstanceOf(ReadResult.NotFound.class, await(store.get("sib")));
  }

  @Test
  @Order(3)
  void theTypedProtocolThroughTheGateway() {
    assertNotNull(store, "connected");
    TestProbe<WriteResult> written = TestProbe.create(store.system());
    store
        .gateway()
        .tell(
            new Ringstore.Put(
                "typed", bytes("t"), "text/plain", null, WriteOptions.DEFAULT, written.ref()));
    written.expectMessageClass(WriteResult.Written.class, Duration.ofSeconds(10));
    TestProbe<ReadResult> read = TestProbe.create(store.system());
    store.gateway().tell(new Ringstore.Get("typed", ReadOptions.DEFAULT, read.ref()));
    ReadResult.Found found =
        read.expectMessageClass(ReadResult.Found.class, Duration.ofSeconds(10));
    assertArrayEquals(bytes("t"), found.values().get(0).data());
    // an invalid request is answered, not dropped
    store.gateway().tell(new Ringstore.Get("", ReadOptions.DEFAULT, read.ref()));
    read.expectMessageClass(Outcome.Rejected.class);
  }

  @Test
  @Order(4)
  void aWrongSeedFailsWithinTheJoinTimeoutNamingIt() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    String seed = "127.0.0.1:" + port;
    Duration joinTimeout = Duration.ofSeconds(3);
    AtomicReference<ActorSystem<?>> system = new AtomicReference<>();
    long start = System.nanoTime();
    ExecutionException failed =
        assertThrows(
            ExecutionException.class,
            () ->
                MemberStoreClient.connect(settings(seed).withJoinTimeout(joinTimeout), system::set)
                    .toCompletableFuture()
                    .get(joinTimeout.toSeconds() + 10, TimeUnit.SECONDS));
    long millis = (System.nanoTime() - start) / 1_000_000;
    ConnectFailedException e = assertInstanceOf(ConnectFailedException.class, failed.getCause());
    assertEquals(List.of(seed), e.tried());
    assertTrue(e.getMessage().contains(seed), e.getMessage());
    assertTrue(millis >= joinTimeout.toMillis() - 100, "failed only after the join timeout");
    assertTrue(millis < joinTimeout.toMillis() + 5_000, "failed " + millis + " ms after connect");
    assertTrue(
        system.get().whenTerminated().isCompleted(),
        "its actor system is terminated when it fails");
  }

  @Test
  @Order(5)
  void closeLeavesGracefullyWithoutWarningsAndTheJvmLivesOn() {
    assertNotNull(store, "connected");
    String client = Cluster.get(store.system()).selfMember().address().toString();
    TestProbe<ClusterEvent.MemberEvent> members = TestProbe.create(nodes.get(0).system());
    TestProbe<ClusterEvent.UnreachableMember> unreachable = TestProbe.create(nodes.get(0).system());
    Cluster.get(nodes.get(0).system())
        .subscriptions()
        .tell(Subscribe.create(members.ref(), ClusterEvent.MemberEvent.class));
    Cluster.get(nodes.get(0).system())
        .subscriptions()
        .tell(Subscribe.create(unreachable.ref(), ClusterEvent.UnreachableMember.class));

    Queue<ILoggingEvent> warnings = new ConcurrentLinkedQueue<>();
    AppenderBase<ILoggingEvent> appender =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
              warnings.add(event);
            }
          }
        };
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    appender.setContext(root.getLoggerContext());
    appender.start();
    root.addAppender(appender);
    try {
      long start = System.nanoTime();
      store.close();
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(store.system().whenTerminated().isCompleted(), "the actor system terminated");
      assertTrue(millis < MemberStoreClient.CLOSE_TIMEOUT.toMillis(), "close took " + millis);
      store.close(); // idempotent
    } finally {
      root.detachAppender(appender);
      appender.stop();
    }

    ClusterEvent.MemberRemoved removed =
        (ClusterEvent.MemberRemoved)
            members
                .fishForMessage(
                    MAX,
                    e ->
                        e instanceof ClusterEvent.MemberRemoved r
                                && r.member().address().toString().equals(client)
                            ? FishingOutcomes.complete()
                            : e instanceof ClusterEvent.MemberDowned d
                                    && d.member().address().toString().equals(client)
                                ? FishingOutcomes.fail("the client was downed")
                                : FishingOutcomes.continueAndIgnore())
                .get(0);
    assertEquals(MemberStatus.exiting(), removed.previousStatus(), "left, not downed");
    unreachable.expectNoMessage(Duration.ofMillis(200));

    List<String> clientWarnings = new ArrayList<>();
    for (ILoggingEvent event : warnings) {
      String address = event.getMDCPropertyMap().get("pekkoAddress");
      clientWarnings.add(
          event.getLevel()
              + " "
              + address
              + " ["
              + event.getLoggerName()
              + "] "
              + event.getFormattedMessage());
    }
    assertFalse(
        warnings.stream()
            .anyMatch(event -> client.equals(event.getMDCPropertyMap().get("pekkoAddress"))),
        "warnings logged by the client's system during close: " + clientWarnings);
    // the JVM is alive: this test is still running
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
