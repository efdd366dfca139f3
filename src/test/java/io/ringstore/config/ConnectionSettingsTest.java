package io.ringstore.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ringstore.NodeConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ringstore.http}'s connection limits: defaults, "auto" from the descriptor limit,
 * validation.
 */
class ConnectionSettingsTest {

  private static RingstoreSettings.ConnectionSettings load(String hocon) {
    return RingstoreSettings.fromConfig(
            NodeConfig.load(ConfigFactory.parseString(hocon), ConfigFactory.empty()))
        .http()
        .connections();
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    RingstoreSettings.ConnectionSettings c = load("");
    assertEquals(256, c.maxPerAddress(), "256 connections per client address");
    assertEquals(
        RingstoreSettings.ConnectionSettings.defaultMaxTotal(),
        c.maxTotal(),
        "max-connections = auto: half the descriptor limit");
    assertEquals(Duration.ofSeconds(10), c.headTimeout(), "request heads within 10 s");
    assertEquals(-1, c.managementPort(), "no management listener by default");
  }

  @Test
  void autoIsHalfTheDescriptorLimit() {
    assertEquals(32768, RingstoreSettings.ConnectionSettings.totalFor(65536), "ulimit -n 65536");
    assertEquals(512, RingstoreSettings.ConnectionSettings.totalFor(1024), "ulimit -n 1024");
    assertEquals(1, RingstoreSettings.ConnectionSettings.totalFor(1), "a limit of 1");
    assertEquals(
        RingstoreSettings.ConnectionSettings.FALLBACK_MAX_TOTAL,
        RingstoreSettings.ConnectionSettings.totalFor(-1),
        "an unknown limit");
    assertEquals(
        Integer.MAX_VALUE,
        RingstoreSettings.ConnectionSettings.totalFor(Long.MAX_VALUE),
        "unlimited");
  }

  @Test
  void explicitValuesAreTaken() {
    RingstoreSettings.ConnectionSettings c =
        load(
            "ringstore.http { max-connections = 100,"
                + " max-connections-per-address = 7, request-head-timeout = 3s, management-port = 0 }");
    assertEquals(100, c.maxTotal(), "max-connections");
    assertEquals(7, c.maxPerAddress(), "max-connections-per-address");
    assertEquals(Duration.ofSeconds(3), c.headTimeout(), "request-head-timeout");
    assertEquals(0, c.managementPort(), "management-port");
  }

  @ParameterizedTest(name = "{0} is rejected")
  @CsvSource(
      delimiter = ';',
      value = {
        "ringstore.http.max-connections = many; max-connections",
        "ringstore.http.max-connections = 0; max-connections",
        "ringstore.http.max-connections-per-address = 0; max-connections-per-address",
        "ringstore.http.request-head-timeout = 10ms; request-head-timeout",
        "ringstore.http.management-port = 70000; management-port",
        "ringstore.http { port = 8080, management-port = 8080 }; management-port"
      })
  void invalidLimitsStopTheNodeWithAClearMessage(String hocon, String mentioned) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(hocon));
    assertTrue(e.getMessage().contains(mentioned), hocon + " -> " + e.getMessage());
  }
}
