package io.ringstore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ringstore.NodeConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client member's configuration is its own, not a data node's: role client, a free port, the JVM
 * never exits, Pekko gives up joining after the join timeout; it shares with a node exactly what
 * members must agree on; and the app's {@code withConfig} wins.
 */
class ClientConfigTest {

  @Test
  void aClientMembersOwnLayer() {
    Config config =
        ClientConfig.load(
            ClientSettings.member("127.0.0.1:2552", "10.0.0.7:25520")
                .withJoinTimeout(Duration.ofSeconds(7)));
    assertEquals(
        List.of("pekko://ringstore@127.0.0.1:2552", "pekko://ringstore@10.0.0.7:25520"),
        config.getStringList("pekko.cluster.seed-nodes"),
        "seeds as Pekko addresses");
    assertEquals("client", config.getString("ringstore.role"));
    assertEquals(List.of("client"), config.getStringList("pekko.cluster.roles"));
    assertEquals(0, config.getInt("pekko.remote.artery.canonical.port"), "any free port");
    assertEquals("127.0.0.1", config.getString("pekko.remote.artery.canonical.hostname"));
    assertFalse(config.getBoolean("pekko.coordinated-shutdown.exit-jvm"), "never exits the JVM");
    assertEquals(
        Duration.ofSeconds(7),
        config.getDuration("pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes"),
        "Pekko gives up joining after the join timeout");
    assertFalse(
        config.hasPath("pekko-persistence-jdbc.shared-databases.ringstore-hints"),
        "no hint journal layer");
  }

  @Test
  void aClientSharesWithANodeWhatMembersMustAgreeOn() {
    Config client = ClientConfig.load(ClientSettings.member("127.0.0.1:2552"));
    Config node = NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty());
    for (String path :
        List.of(
            "pekko.actor.provider",
            "pekko.cluster.downing-provider-class",
            "pekko.cluster.split-brain-resolver",
            "pekko.cluster.sharding.role",
            "pekko.cluster.configuration-compatibility-check.checkers.ringstore-cluster-id",
            "pekko.remote.artery.large-message-destinations",
            "pekko.remote.artery.advanced.maximum-frame-size",
            "pekko.remote.artery.advanced.maximum-large-frame-size",
            "pekko.remote.artery.advanced.inbound-lanes",
            "pekko.actor.serialization-bindings")) {
      assertEquals(node.getValue(path), client.getValue(path), path);
    }
    assertTrue(node.getBoolean("pekko.coordinated-shutdown.exit-jvm"), "a node still exits");
    assertEquals(
        "off", node.getString("pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes"));
    assertEquals(List.of("data"), node.getStringList("pekko.cluster.roles"));
    assertEquals(25520, node.getInt("pekko.remote.artery.canonical.port"));
  }

  @Test
  void theAppsConfigWinsAndBadSeedsAreRefused() {
    Config config =
        ClientConfig.load(
            ClientSettings.member("127.0.0.1:2552")
                .withConfig(
                    ConfigFactory.parseString(
                        "pekko.remote.artery.canonical { hostname = \"10.1.2.3\", port = 7355 }")));
    assertEquals("10.1.2.3", config.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(7355, config.getInt("pekko.remote.artery.canonical.port"));

    for (String bad : List.of("127.0.0.1", "127.0.0.1:", ":2552", "host:port", "h:70000")) {
      assertThrows(
          IllegalArgumentException.class,
          () -> ClientConfig.load(ClientSettings.member(bad)),
          "seed " + bad);
    }
  }
}
