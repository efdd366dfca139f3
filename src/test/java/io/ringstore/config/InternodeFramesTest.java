package io.ringstore.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ringstore.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The start-up proof that every message carrying objects travels on the large-message lane with a
 * frame that holds it: Pekko's matching of {@code large-message-destinations}, every object
 * message's recipient covered by a node's defaults, and the defaults' frame holding N objects at
 * the limit.
 */
class InternodeFramesTest {

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource(
      delimiter = ';',
      value = {
        "/system/sharding/replica; /system/sharding/replica; true",
        "/system/sharding/replica; /system/sharding/replica/3%3A0; false",
        "/system/sharding/replica/**; /system/sharding/replica; false",
        "/system/sharding/replica/**; /system/sharding/replica/3%3A0/3%3A0/transfer/$a; true",
        "/system/hint-manager/**; /system/hint-manager; false",
        "/system/hint-manager; /system/hint-manager/hints-3:0; false",
        "/temp/**; /temp/$a; true",
        "/temp/*; /temp/$a; true",
        "/temp/*; /temp/$a/b; false",
        "/system/anti*/**; /system/anti-entropy/$b; true",
        "/system/ringstore-gateway/**; /system/ringstore-gateway-2/$a; false"
      })
  void destinationsMatchAsPekkoMatchesThem(String pattern, String path, boolean matches) {
    assertEquals(matches, InternodeFrames.matches(pattern, path), pattern + " against " + path);
  }

  @Test
  void aNodesDefaultsCarryEveryObjectMessageOnTheLargeLane() {
    Config node = NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty());
    var destinations = node.getStringList("pekko.remote.artery.large-message-destinations");
    for (InternodeFrames.ObjectMessage message : InternodeFrames.OBJECT_MESSAGES) {
      assertTrue(
          destinations.stream().anyMatch(d -> InternodeFrames.matches(d, message.recipient())),
          message + " is on the large lane of " + destinations);
    }
    assertEquals(InternodeFrames.OBJECT_DESTINATIONS, destinations, "the documented list");
    long frame = node.getBytes("pekko.remote.artery.advanced.maximum-large-frame-size");
    long objectLimit = node.getBytes("ringstore.requests.max-object-size");
    assertTrue(
        3 * objectLimit + 1024 + InternodeFrames.ENVELOPE_BYTES <= frame,
        "three replicas' objects at the limit merge into one message that fits " + frame);
    assertTrue(
        node.getBytes("pekko.remote.artery.advanced.maximum-frame-size") < frame,
        "the ordinary lanes keep their smaller frame (each pooled buffer is a frame of direct memory)");
    assertEquals(1, node.getInt("pekko.remote.artery.advanced.inbound-lanes"));
  }

  @Test
  void anOperatorsOwnPatternsAreAcceptedWhenTheyCoverEveryObjectMessage() {
    Config custom =
        NodeConfig.load(
            ConfigFactory.parseString(
                "pekko.remote.artery.large-message-destinations = [\"/system/sharding/*\","
                    + " \"/system/sharding/replica/**\", \"/system/ringstore-gateway/*\","
                    + " \"/system/anti-entropy/*\", \"/system/hint-manager\", \"/system/hint-manager/*\","
                    + " \"/system/sharding/replica/**\", \"/system/partition-source/*\", \"/temp/*\","
                    + " \"/system/peer-flow\"]"),
            ConfigFactory.empty());
    assertDoesNotThrow(() -> RingstoreSettings.fromConfig(custom));
    Config narrower =
        NodeConfig.load(
            ConfigFactory.parseString(
                "pekko.remote.artery.large-message-destinations = [\"/system/sharding/replica/**\"]"),
            ConfigFactory.empty());
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> RingstoreSettings.fromConfig(narrower));
    for (String path :
        new String[] {
          "/system/sharding/replica (",
          "/system/ringstore-gateway/$a",
          "/system/hint-manager (",
          "/temp/$a",
          "/system/peer-flow ("
        }) {
      assertTrue(refused.getMessage().contains(path), path + " named in " + refused.getMessage());
    }
  }
}
