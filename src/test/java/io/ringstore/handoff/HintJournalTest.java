package io.ringstore.handoff;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ringstore.handoff.HintStore.HintStats;
import io.ringstore.handoff.HintStore.HintStoreReply;
import io.ringstore.replica.LocalReplicas;
import io.ringstore.replica.ReplicaDirectory;
import io.ringstore.replica.ReplicaEntity;
import io.ringstore.replica.ReplicaId;
import io.ringstore.replica.ReplicaSharding;
import io.ringstore.storage.Sibling;
import io.ringstore.storage.StoredObjectCodec;
import io.ringstore.version.DvvSet;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hint journal for real: pekko-persistence-jdbc on an H2 file in a temporary data directory,
 * configured by {@code ringstore-persistence.conf}. Hints accepted by one actor system are found
 * and delivered by the next one on the same directory: they survive a restart of their holder.
 */
@ExtendWith(LogCapturingExtension.class)
class HintJournalTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ReplicaId TARGET_A = new ReplicaId(3, 0);
  private static final ReplicaId TARGET_B = new ReplicaId(12, 2);

  @TempDir Path dataDir;

  private ActorTestKit kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  private static Config config(Path dataDir) {
    Config test =
        ConfigFactory.parseMap(
            Map.of("pekko.actor.provider", "local", "ringstore.data-dir", dataDir.toString()));
    return ConfigFactory.load(
        test.withFallback(ConfigFactory.parseResources("ringstore-persistence.conf")));
  }

  /**
   * A node's hint manager on a fresh actor system over {@code dataDir}; targets are {@code
   * replica}.
   */
  private ActorRef<HintManager.Command> startNode(TestProbe<ReplicaEntity.Command>[] replica)
      throws Exception {
    kit = ActorTestKit.create("hint-journal", config(dataDir));
    HintJournal.createSchema(kit.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    TestProbe<ReplicaEntity.Command> probe = kit.createTestProbe();
    replica[0] = probe;
    ReplicaDirectory directory =
        new ReplicaDirectory(
            id -> TestEntityRef.of(ReplicaSharding.TYPE_KEY, id.id(), probe.ref()),
            () -> null,
            new LocalReplicas());
    return kit.spawn(HintManager.create(directory, HintSettings.DEFAULTS), "hint-manager");
  }

  private static byte[] object(String value) {
    return StoredObjectCodec.encode(
        DvvSet.<Sibling>empty()
            .update(DvvSet.of(Sibling.value(value.getBytes(UTF_8), "text/plain")), "uid1"));
  }

  private void storeHint(ActorRef<HintManager.Command> manager, ReplicaId target, String key) {
    TestProbe<HintStoreReply> reply = kit.createTestProbe();
    manager.tell(new HintManager.StoreHint(target, key, object(key), reply.ref()));
    HintStoreReply stored = reply.expectMessageClass(HintStoreReply.class, TIMEOUT);
    assertEquals(new HintStoreReply(target, key, true, null), stored);
  }

  private Map<ReplicaId, Integer> queued(ActorRef<HintManager.Command> manager) {
    TestProbe<HintManager.AllHintStats> probe = kit.createTestProbe();
    manager.tell(new HintManager.GetAllStats(probe.ref()));
    HintManager.AllHintStats all =
        probe.expectMessageClass(HintManager.AllHintStats.class, TIMEOUT);
    assertEquals(0, all.missing());
    return all.targets().stream().collect(Collectors.toMap(HintStats::target, HintStats::queued));
  }

  @Test
  @SuppressWarnings("unchecked")
  void hintsSurviveARestartOfTheHolderAndAreDeliveredAfterIt() throws Exception {
    TestProbe<ReplicaEntity.Command>[] replica = new TestProbe[1];
    ActorRef<HintManager.Command> manager = startNode(replica);
    storeHint(manager, TARGET_A, "a1");
    storeHint(manager, TARGET_B, "b1");
    storeHint(manager, TARGET_B, "b2");
    assertEquals(Map.of(TARGET_A, 1, TARGET_B, 2), queued(manager));
    assertTrue(
        Files.exists(dataDir.resolve("hints").resolve("journal.mv.db")),
        "the journal is an H2 file under <data-dir>/hints");
    kit.shutdownTestKit();
    assertClosed(dataDir.resolve("hints").resolve("journal.mv.db"));

    manager = startNode(replica);
    ActorRef<HintManager.Command> restarted = manager;
    TestProbe<Void> waiter = kit.createTestProbe();
    waiter.awaitAssert(
        TIMEOUT,
        () -> {
          assertEquals(
              Map.of(TARGET_A, 1, TARGET_B, 2),
              queued(restarted),
              "the new manager found both targets in the journal and their stores recovered");
          return null;
        });

    restarted.tell(HintManager.TargetsReachable.INSTANCE);
    for (int i = 0; i < 3; i++) {
      ReplicaEntity.Replicate replicate =
          replica[0].expectMessageClass(ReplicaEntity.Replicate.class, TIMEOUT);
      assertArrayEquals(object(replicate.key()), replicate.object(), "the hinted object, intact");
      replicate.replyTo().tell(new ReplicaEntity.Replicated("x", "127.0.0.1:2", true));
    }
    waiter.awaitAssert(
        TIMEOUT,
        () -> {
          assertEquals(Map.of(TARGET_A, 0, TARGET_B, 0), queued(restarted), "all delivered");
          return null;
        });
  }

  private byte[] storeObject(
      ActorRef<HintManager.Command> manager, ReplicaId target, String key, byte[] object) {
    TestProbe<HintStoreReply> reply = kit.createTestProbe();
    manager.tell(new HintManager.StoreHint(target, key, object, reply.ref()));
    assertTrue(reply.expectMessageClass(HintStoreReply.class, TIMEOUT).accepted());
    return object;
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRestartedHolderDeliversTheExactBytesOfMergedAndLargeHintsAndThenDeletesThem()
      throws Exception {
    TestProbe<ReplicaEntity.Command>[] replica = new TestProbe[1];
    ActorRef<HintManager.Command> manager = startNode(replica);
    byte[] fromA =
        StoredObjectCodec.encode(
            DvvSet.<Sibling>empty()
                .update(DvvSet.of(Sibling.value("from-a".getBytes(UTF_8), "text/plain")), "uid-a"));
    byte[] fromB =
        StoredObjectCodec.encode(
            DvvSet.<Sibling>empty()
                .update(DvvSet.of(Sibling.value("from-b".getBytes(UTF_8), "text/plain")), "uid-b"));
    byte[] large = new byte[700_000];
    new Random(7).nextBytes(large);
    byte[] largeObject =
        StoredObjectCodec.encode(
            DvvSet.<Sibling>empty()
                .update(DvvSet.of(Sibling.value(large, "application/octet-stream")), "uid-a"));
    storeObject(manager, TARGET_A, "merged", fromA);
    storeObject(manager, TARGET_A, "merged", fromB);
    storeObject(manager, TARGET_A, "large", largeObject);
    kit.shutdownTestKit();
    assertClosed(dataDir.resolve("hints").resolve("journal.mv.db"));

    ActorRef<HintManager.Command> restarted = startNode(replica);
    restarted.tell(HintManager.TargetsReachable.INSTANCE);
    Map<String, byte[]> delivered = new HashMap<>();
    TestProbe<Void> waiter = kit.createTestProbe();
    waiter.awaitAssert(
        TIMEOUT,
        () -> {
          restarted.tell(HintManager.TargetsReachable.INSTANCE);
          ReplicaEntity.Replicate replicate =
              replica[0].expectMessageClass(ReplicaEntity.Replicate.class, Duration.ofSeconds(1));
          delivered.put(replicate.key(), replicate.object());
          replicate.replyTo().tell(new ReplicaEntity.Replicated("x", "127.0.0.1:2", true));
          assertEquals(2, delivered.size(), "both keys delivered");
          return null;
        });
    assertArrayEquals(
        HintQueue.merge(fromA, fromB),
        delivered.get("merged"),
        "the merged object, byte for byte, after the restart");
    assertArrayEquals(largeObject, delivered.get("large"), "the large object, byte for byte");
    HintValues values = HintValues.fromConfig(config(dataDir), Runnable::run);
    waiter.awaitAssert(
        TIMEOUT,
        () -> {
          assertEquals(Map.of(TARGET_A, 0), queued(restarted), "all delivered");
          assertEquals(
              List.of(),
              values.list(HintStore.persistenceId(TARGET_A).id()).toCompletableFuture().get(),
              "and their values deleted from disk");
          return null;
        });
    values.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void aValueStoredForATargetWithoutEventsIsDeletedAtTheNextStart() throws Exception {
    TestProbe<ReplicaEntity.Command>[] replica = new TestProbe[1];
    startNode(replica);
    HintValues.ValueId orphan =
        new HintValues.ValueId(HintStore.persistenceId(TARGET_B).id(), "k", "d", 1);
    try (HintValues values = HintValues.fromConfig(config(dataDir), Runnable::run)) {
      // a crash after the value of a first hint for TARGET_B was stored, before its event
      values.put(orphan, object("k")).toCompletableFuture().get();
    }
    kit.shutdownTestKit();

    ActorRef<HintManager.Command> restarted = startNode(replica);
    HintValues values = HintValues.fromConfig(config(dataDir), Runnable::run);
    kit.createTestProbe()
        .awaitAssert(
            TIMEOUT,
            () -> {
              assertEquals(
                  List.of(),
                  values.list(orphan.persistenceId()).toCompletableFuture().get(),
                  "the manager started the target's store, which deleted the value no event names");
              assertEquals(Map.of(TARGET_B, 0), queued(restarted));
              return null;
            });
    values.close();
  }

  /**
   * The stopped system closed the H2 database, so the next one reads it back from the file (H2
   * holds a file lock while the database is open, and a JVM cannot lock a file twice).
   */
  private static void assertClosed(Path file) throws Exception {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      assertNotNull(lock, "no other process holds the journal");
    } catch (OverlappingFileLockException e) {
      fail("the journal is still open after the actor system terminated");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theManagerIsRegisteredWithTheReceptionist() throws Exception {
    TestProbe<ReplicaEntity.Command>[] replica = new TestProbe[1];
    ActorRef<HintManager.Command> manager = startNode(replica);
    TestProbe<Receptionist.Listing> listing = kit.createTestProbe();
    listing.awaitAssert(
        TIMEOUT,
        () -> {
          kit.system().receptionist().tell(Receptionist.find(HintManager.KEY, listing.ref()));
          assertEquals(
              List.of(manager),
              List.copyOf(
                  listing
                      .expectMessageClass(Receptionist.Listing.class)
                      .getServiceInstances(HintManager.KEY)));
          return null;
        });
  }
}
