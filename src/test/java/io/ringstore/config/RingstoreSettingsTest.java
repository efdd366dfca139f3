package io.ringstore.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ringstore.LaunchOptions;
import io.ringstore.NodeConfig;
import io.ringstore.cluster.ClusterIdFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RingstoreSettingsTest {

  @Test
  void referenceDefaultsAreValidAndDocumentedValues() {
    RingstoreSettings s =
        RingstoreSettings.fromConfig(NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty()));
    assertEquals(64, s.ring().partitions());
    assertEquals(3, s.replication().n());
    assertEquals(2, s.replication().r());
    assertEquals(2, s.replication().w());
    assertEquals(1024 * 1024, s.requests().maxValueBytes());
    assertEquals(3 * 1024 * 1024, s.requests().maxObjectBytes(), "objects up to 3 MiB");
    assertEquals(1024, s.requests().maxKeyBytes());
    assertEquals(Duration.ofSeconds(2), s.requests().timeout());
    assertEquals("periodic", s.storage().sync(), "the WAL is fsynced periodically by default");
    assertEquals(Duration.ofSeconds(1), s.storage().syncInterval(), "every second");
    assertEquals(100, s.requests().maxSiblings(), "siblings refused past 100, as Riak");
    assertEquals(25, s.requests().warnSiblings(), "siblings warned about from 25, as Riak");
    assertEquals(4096, s.requests().maxContextChars(), "contexts up to 4 KiB");
    assertEquals(64, s.requests().maxContextActors(), "contexts of up to 64 actors");
    assertTrue(s.holdsData());
  }

  @Test
  void aLargerObjectLimitStartsWithALargeEnoughFrame() {
    RingstoreSettings s =
        RingstoreSettings.fromConfig(
            NodeConfig.load(
                ConfigFactory.parseString(
                    "ringstore.requests.max-object-size = 8MiB\n"
                        + "pekko.remote.artery.advanced.maximum-large-frame-size = 25MiB"),
                ConfigFactory.empty()));
    assertEquals(8L * 1024 * 1024, s.requests().maxObjectBytes());
    assertTrue(
        InternodeFrames.requiredLargeFrame(8L << 20, 1024, 3) <= 25L << 20,
        "3 x 8 MiB + key + envelope fits 25 MiB");
  }

  @Test
  void transferDefaultsAreTheValuesThatWereHardCoded() {
    RingstoreSettings.TransferSettings t =
        RingstoreSettings.fromConfig(NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty()))
            .transfers();
    assertEquals(Duration.ofSeconds(3), t.describeTimeout(), "describe-timeout");
    assertEquals(Duration.ofSeconds(30), t.batchTimeout(), "batch-timeout");
    assertEquals(Duration.ofSeconds(2), t.retryInterval(), "retry-interval");
    assertEquals(50, t.maxExchangeRounds(), "max-exchange-rounds");
    assertEquals(100_000, t.syncMaxKeys(), "sync-max-keys");
    assertEquals(32, t.syncKeysInFlight(), "sync-keys-in-flight");
    assertEquals(16, t.maxSimultaneousMoves(), "max-simultaneous-moves");
    assertEquals(Duration.ofSeconds(2), t.leaveCheckInterval(), "leave-check-interval");
    assertEquals(Duration.ofSeconds(6), t.drainTtl(), "drain-ttl");
    assertEquals(Duration.ofMinutes(30), t.leaveTimeout(), "leave-timeout (an older key)");
  }

  @Test
  void transferSettingsAreRead() {
    RingstoreSettings.TransferSettings t =
        RingstoreSettings.fromConfig(
                NodeConfig.load(
                    ConfigFactory.parseString(
                        "ringstore.transfers { max-simultaneous-moves = 4,"
                            + " leave-check-interval = 1s, drain-ttl = 3s, batch-timeout = 1m }"),
                    ConfigFactory.empty()))
            .transfers();
    assertEquals(4, t.maxSimultaneousMoves(), "max-simultaneous-moves");
    assertEquals(Duration.ofSeconds(1), t.leaveCheckInterval(), "leave-check-interval");
    assertEquals(Duration.ofSeconds(3), t.drainTtl(), "drain-ttl");
    assertEquals(Duration.ofMinutes(1), t.batchTimeout(), "batch-timeout");
  }

  @ParameterizedTest(name = "{0} is rejected")
  @CsvSource(
      delimiter = ';',
      value = {
        "ringstore.ring.partitions = 48; power of two",
        "ringstore.replication { n = 3, r = 4 }; replication.r",
        "ringstore.replication { n = 3, w = 0 }; replication.w",
        "ringstore.role = storage; ringstore.role",
        "ringstore.storage.compression = gzip; compression",
        "ringstore.storage.sync = batch; ringstore.storage.sync must be one of per-write, periodic, off",
        "ringstore.storage.sync = on; ringstore.storage.sync must be one of per-write, periodic, off",
        "ringstore.storage.sync = true; ringstore.storage.sync must be one of per-write, periodic, off",
        "ringstore.storage.sync-interval = 0s; ringstore.storage.sync-interval must be > 0",
        "ringstore.storage.sync-interval = -1s; ringstore.storage.sync-interval must be > 0",
        "ringstore.storage.sync-writes = on; sync = per-write",
        "ringstore.storage.sync-writes = off; ringstore.storage.sync-writes was replaced by",
        "ringstore.requests.timeout = 0s; timeout",
        "ringstore.http.port = 70000; http.port",
        "ringstore.requests.max-siblings = 0; max-siblings",
        "ringstore.requests { max-siblings = 10, warn-siblings = 11 }; warn-siblings",
        "ringstore.requests.max-context-size = 8KiB; max-context-size",
        "ringstore.requests.max-context-actors = 5000; max-context-actors",
        "ringstore.requests.max-context-actors = 1025; max-context-actors",
        "ringstore.requests.max-in-flight-bytes = 512KiB; max-in-flight-bytes",
        "ringstore.handoff.max-hint-bytes = 0; max-hint-bytes",
        "ringstore.handoff.max-hint-bytes-per-target = 0; max-hint-bytes-per-target",
        "pekko.http.server.parsing.max-header-value-length = 4k; max-header-value-length",
        "pekko.http.parsing.max-header-value-length = 5000; max-header-value-length",
        "ringstore.requests.max-object-size = 512KiB; max-object-size",
        "ringstore.requests.max-object-size = 4MiB; maximum-large-frame-size",
        "ringstore.replication { n = 5, r = 3, w = 3 }; maximum-large-frame-size",
        "pekko.remote.artery.advanced.maximum-large-frame-size = 2MiB; maximum-large-frame-size",
        "pekko.remote.artery.large-message-destinations = []; large-message-destinations",
        "ringstore.transfers.batch-size = 20MiB; batch-size",
        "ringstore.transfers.describe-timeout = 0s; ringstore.transfers.describe-timeout must be > 0",
        "ringstore.transfers.batch-timeout = -1s; ringstore.transfers.batch-timeout must be > 0",
        "ringstore.transfers.max-exchange-rounds = 0; ringstore.transfers.max-exchange-rounds",
        "ringstore.transfers.max-simultaneous-moves = 0; ringstore.transfers.max-simultaneous-moves",
        "ringstore.transfers.drain-ttl = 2s; ringstore.transfers.drain-ttl (PT2S) must be longer than",
        "ringstore.transfers { leave-check-interval = 10s }; drain-ttl (PT6S) must be longer than",
        "pekko.remote.artery.large-message-destinations = [\"/temp/**\"]; /system/sharding/replica",
        "pekko.remote.artery.large-message-destinations = [\"/system/sharding/replica\","
            + " \"/system/sharding/replica/**\", \"/system/ringstore-gateway/**\","
            + " \"/system/anti-entropy/**\", \"/system/hint-manager/**\","
            + " \"/system/partition-source/**\", \"/temp/**\"]; /system/hint-manager (StoreHint",
        "pekko.remote.artery.large-message-destinations = [\"/system/sharding/replica\","
            + " \"/system/sharding/replica/**\", \"/system/ringstore-gateway/**\","
            + " \"/system/anti-entropy/**\", \"/system/hint-manager\", \"/system/hint-manager/**\","
            + " \"/system/partition-source/**\", \"/temp/**\"]; /system/peer-flow (Flush",
        "ringstore.requests.max-bytes-queued-per-peer = 0; max-bytes-queued-per-peer",
        "pekko.remote.artery.advanced.inbound-lanes = 4; inbound-lanes = 1"
      })
  void invalidSettingsStopTheNodeWithAClearMessage(String hocon, String mentioned) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RingstoreSettings.fromConfig(
                    NodeConfig.load(ConfigFactory.parseString(hocon), ConfigFactory.empty())));
    assertTrue(e.getMessage().contains(mentioned), hocon + " -> " + e.getMessage());
  }

  @ParameterizedTest(name = "sync = {0}")
  @CsvSource({"per-write, 10ms", "periodic, 250ms", "off, 1s"})
  void everyWalSyncModeIsAccepted(String mode, String interval) {
    RingstoreSettings s =
        RingstoreSettings.fromConfig(
            NodeConfig.load(
                ConfigFactory.parseString(
                    "ringstore.storage { sync = " + mode + ", sync-interval = " + interval + " }"),
                ConfigFactory.empty()));
    assertEquals(mode, s.storage().sync());
    assertEquals(
        ConfigFactory.parseString("d = " + interval).getDuration("d"), s.storage().syncInterval());
  }

  @Test
  void budgetsAreSizedFromTheHeapAndTheDiskByDefaultOrSetInBytes() {
    long heap = Runtime.getRuntime().maxMemory();
    RingstoreSettings auto =
        RingstoreSettings.fromConfig(NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty()));
    assertEquals(heap / 4, auto.requests().maxInFlightBytes(), "a quarter of the heap in flight");
    assertEquals(
        heap / 8,
        auto.requests().maxBytesQueuedPerPeer(),
        "an eighth of the heap queued to each peer");
    // hints are on disk: a tenth of the space usable where the data directory is (other processes
    // write to the same disk meanwhile, so within 5 %)
    long disk = RingstoreSettings.usableBytes(auto.dataDir()) / 10;
    long hints = auto.handoff().maxHintBytes();
    assertTrue(
        Math.abs(hints - disk) <= disk / 20,
        "a tenth of the disk's free space for hints: " + hints + " vs " + disk);
    assertEquals(
        hints / 4,
        auto.handoff().maxHintBytesPerTarget(),
        "a quarter of the hint budget per target");
    RingstoreSettings set =
        RingstoreSettings.fromConfig(
            NodeConfig.load(
                ConfigFactory.parseString(
                    "ringstore.requests.max-in-flight-bytes = 64MiB\n"
                        + "ringstore.requests.max-bytes-queued-per-peer = 16MiB\n"
                        + "ringstore.handoff { max-hint-bytes = 2MiB, max-hint-bytes-per-target = 1MiB }"),
                ConfigFactory.empty()));
    assertEquals(64L << 20, set.requests().maxInFlightBytes());
    assertEquals(16L << 20, set.requests().maxBytesQueuedPerPeer());
    assertEquals(2L << 20, set.handoff().maxHintBytes());
    assertEquals(1L << 20, set.handoff().maxHintBytesPerTarget());
  }

  @Test
  void theTestOnlyClockOffsetShiftsTheWallClockOnly() {
    RingstoreSettings plain =
        RingstoreSettings.fromConfig(NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty()));
    assertEquals(Duration.ZERO, plain.testing().clockOffset(), "no offset by default");
    assertEquals(NodeClock.SYSTEM, plain.clock(), "the machine's clocks");

    RingstoreSettings ahead =
        RingstoreSettings.fromConfig(
            NodeConfig.load(
                ConfigFactory.parseString("ringstore.testing.clock-offset = 5s"),
                ConfigFactory.empty()));
    long before = System.currentTimeMillis();
    long shifted = ahead.clock().wallMillis();
    long after = System.currentTimeMillis();
    assertTrue(
        shifted >= before + 5_000 && shifted <= after + 5_000, "5 s ahead: " + (shifted - before));
    long n0 = System.nanoTime();
    long n1 = ahead.clock().nanos();
    assertTrue(n1 - n0 >= 0 && n1 - n0 < 5_000_000_000L, "the monotonic clock is not shifted");
  }

  @Test
  void launchOptionsOverrideTheConfiguration() {
    LaunchOptions options =
        LaunchOptions.parse(
            "--http-port",
            "9000",
            "--cluster-port",
            "2600",
            "--host",
            "127.0.0.2",
            "--seed",
            "127.0.0.2:2600",
            "--seed",
            "127.0.0.3:2601",
            "--data-dir",
            "/tmp/x");
    var config = NodeConfig.load(options);
    RingstoreSettings s = RingstoreSettings.fromConfig(config);
    assertEquals(9000, s.http().port());
    assertEquals("127.0.0.2", s.http().host());
    assertEquals("/tmp/x", s.dataDir().toString());
    assertEquals(2600, config.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(
        List.of("pekko://ringstore@127.0.0.2:2600", "pekko://ringstore@127.0.0.3:2601"),
        config.getStringList("pekko.cluster.seed-nodes"));
  }

  /**
   * A data directory with cluster history must never reach Pekko's first-seed process (which forms
   * a cluster after a timeout): its seeds go to the joiner; a fresh one keeps them for Pekko.
   */
  @Test
  void aDataDirWithHistoryHandsItsSeedsToTheJoinerNotToPekko(@TempDir Path dir) {
    String[] args = {
      "--cluster-port", "2600", "--seed", "127.0.0.1:2600", "--data-dir", dir.toString()
    };
    var fresh = NodeConfig.load(LaunchOptions.parse(args));
    assertEquals(
        List.of("pekko://ringstore@127.0.0.1:2600"),
        fresh.getStringList("pekko.cluster.seed-nodes"),
        "fresh: Pekko's seed process");
    assertEquals(false, RingstoreSettings.fromConfig(fresh).cluster().rejoin());

    ClusterIdFile.save(dir, "c0ffee00-0000-4000-8000-000000000001");
    var restarted = NodeConfig.load(LaunchOptions.parse(args));
    RingstoreSettings s = RingstoreSettings.fromConfig(restarted);
    assertEquals(
        List.of(),
        restarted.getStringList("pekko.cluster.seed-nodes"),
        "history: no seed process that could form a cluster");
    assertTrue(s.cluster().rejoin(), "history: the joiner rejoins");
    assertEquals(List.of("127.0.0.1:2600"), s.cluster().seedNodes());
    assertEquals(
        "c0ffee00-0000-4000-8000-000000000001",
        restarted.getString("ringstore.cluster.id"),
        "the id goes to Pekko's join compatibility check");

    var forced =
        NodeConfig.load(
            LaunchOptions.parse(
                "--force-new-cluster", "--cluster-port", "2600", "--data-dir", dir.toString()));
    assertTrue(RingstoreSettings.fromConfig(forced).cluster().forceNewCluster());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "--http-port abc; --http-port",
        "--http-port 70000; --http-port",
        "--seed nohostport; HOST:PORT",
        "--seed host:; HOST:PORT",
        "--bogus 1; unknown option",
        "--data-dir; needs a value",
        "--config /does/not/exist.conf; cannot read"
      })
  void badLaunchOptionsAreRejected(String args, String mentioned) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NodeConfig.load(LaunchOptions.parse(args.split(" "))));
    assertTrue(e.getMessage().contains(mentioned), args + " -> " + e.getMessage());
  }

  @Test
  void allowedHostsAreNamesWithoutSchemePortOrPath() {
    assertEquals(
        List.of(),
        RingstoreSettings.fromConfig(NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty()))
            .http()
            .allowedHosts(),
        "no extra names by default");
    RingstoreSettings s =
        RingstoreSettings.fromConfig(
            NodeConfig.load(
                ConfigFactory.parseString(
                    "ringstore.http.allowed-hosts = [\"RingStore.Internal\", \"[2001:db8::1]\", \"*\", \"10.0.0.1\"]"),
                ConfigFactory.empty()));
    assertEquals(
        List.of("ringstore.internal", "[2001:db8::1]", "*", "10.0.0.1"),
        s.http().allowedHosts(),
        "lower-cased, kept in order");
    for (String bad :
        new String[] {
          "http://a.example", "a.example:8080", "a.example/kv", "", "a b", "*.example"
        }) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  RingstoreSettings.fromConfig(
                      NodeConfig.load(
                          ConfigFactory.parseString(
                              "ringstore.http.allowed-hosts = [\"" + bad + "\"]"),
                          ConfigFactory.empty())),
              "'" + bad + "' is refused");
      assertTrue(e.getMessage().contains("ringstore.http.allowed-hosts"), e.getMessage());
    }
  }
}
