package io.ringstore.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ringstore.LaunchOptions;
import io.ringstore.NodeConfig;
import io.ringstore.config.SecurityPosture.Exposure;
import io.ringstore.config.SecurityPosture.HostResolver;
import io.ringstore.config.SecurityPosture.Protection;
import io.ringstore.config.SecurityPosture.Refuse;
import io.ringstore.config.SecurityPosture.Verdict;
import io.ringstore.config.SecurityPosture.Warn;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Secure by default once off loopback: which configured addresses count as exposed, what is
 * missing, and the three outcomes. Names resolve through a table, never DNS; IP literals parse as
 * the JVM does.
 */
class SecurityPostureTest {
  private static final String ALL_PROTECTIONS =
      """
      pekko.remote.artery.transport = tls-tcp
      ringstore.http.tls.enabled = on
      ringstore.http.auth.enabled = on
      """;

  private static final Map<String, List<String>> NAMES =
      Map.of(
          "localhost", List.of("127.0.0.1", "::1"),
          "node.loopback.test", List.of("127.0.1.1"),
          "db.internal.test", List.of("10.0.0.5"),
          "split.test", List.of("127.0.0.1", "192.0.2.7"));

  /** The table above; an IP literal is parsed (no lookup); any other name does not resolve. */
  private static final HostResolver RESOLVER =
      host -> {
        List<String> addresses = NAMES.get(host);
        if (addresses == null && (host.matches("[0-9.]+") || host.contains(":"))) {
          addresses = List.of(host);
        }
        return addresses == null
            ? List.of()
            : addresses.stream().map(SecurityPostureTest::literal).toList();
      };

  private static InetAddress literal(String ip) {
    try {
      return InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(ip, e);
    }
  }

  /** The node's final configuration as Main builds it, with {@code hocon} as the highest layer. */
  private static Verdict assess(String hocon) {
    return SecurityPosture.assess(
        NodeConfig.load(ConfigFactory.parseString(hocon), ConfigFactory.empty()), RESOLVER);
  }

  private static String hosts(String http, String canonical, String bind) {
    return "ringstore.http.host = \""
        + http
        + "\"\n"
        + "pekko.remote.artery.canonical.hostname = \""
        + canonical
        + "\"\n"
        + "pekko.remote.artery.bind.hostname = \""
        + bind
        + "\"\n";
  }

  @Test
  void theDefaultsAreLoopbackAndStartAsToday() {
    assertEquals(new SecurityPosture.Ok(), assess(""), "127.0.0.1 everywhere, nothing on: no word");
    assertFalse(
        NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty())
            .getBoolean("ringstore.security.allow-insecure"),
        "allow-insecure is off by default");
  }

  @ParameterizedTest(name = "{0} is loopback")
  @CsvSource({
    "127.0.0.1",
    "127.0.0.2",
    "127.1.2.3",
    "localhost",
    "::1",
    "[::1]",
    "node.loopback.test"
  })
  void loopbackHostsNeedNoProtection(String host) {
    assertEquals(
        new SecurityPosture.Ok(),
        assess(hosts(host, host, host)),
        host + " as HTTP, canonical and bind host");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = ';',
      value = {
        "0.0.0.0; every network interface",
        "::; every network interface",
        "192.0.2.1; not a loopback address",
        "10.0.0.1; not a loopback address",
        "db.internal.test; not a loopback address",
        "split.test; not a loopback address",
        "no-such-host.invalid; does not resolve",
        "<getHostAddress>; this machine's network address"
      })
  void exposedHostsWithoutProtectionAreRefused(String host, String reason) {
    Verdict verdict = assess(hosts(host, host, ""));
    Refuse refuse = assertInstanceOf(Refuse.class, verdict, host + " -> " + verdict);
    assertEquals(
        List.of(
            new Exposure("ringstore.http.host", host, reason),
            new Exposure("pekko.remote.artery.canonical.hostname", host, reason)),
        refuse.exposures(),
        host);
    assertEquals(
        List.of(Protection.INTERNODE_TLS, Protection.HTTPS, Protection.AUTHENTICATION),
        refuse.missing(),
        host);
    assertTrue(
        refuse
            .message()
            .startsWith(
                "refusing to start on "
                    + host
                    + " ("
                    + reason
                    + ") without "
                    + "internode TLS, HTTPS and authentication."),
        refuse.message());
  }

  @Test
  void theRefusalSaysHowToFixIt() {
    Refuse refuse = assertInstanceOf(Refuse.class, assess(hosts("10.0.0.1", "10.0.0.1", "")));
    assertEquals(
        "refusing to start on 10.0.0.1 (not a loopback address) without internode TLS, HTTPS"
            + " and authentication. Make the material with `bin/ringstore certs DIR --nodes 10.0.0.1` and"
            + " start with `--config DIR/ringstore.conf` (see conf/secure.conf and README \"Security\"), or"
            + " pass --insecure to run unprotected anyway.",
        refuse.message());

    Refuse wildcard =
        assertInstanceOf(Refuse.class, assess(hosts("0.0.0.0", "10.0.0.1", "0.0.0.0")));
    assertTrue(
        wildcard
            .message()
            .contains(
                "on 0.0.0.0 (every network interface), 10.0.0.1 (not a loopback address) without"),
        "each exposed host once: " + wildcard.message());
    assertTrue(
        wildcard.message().contains("--nodes 10.0.0.1`"),
        "certificates are for the advertised host, never the wildcard: " + wildcard.message());
  }

  static Stream<Arguments> eachSettingAlone() {
    return Stream.of(
        Arguments.of("ringstore.http.host", hosts("10.0.0.1", "127.0.0.1", "")),
        Arguments.of("pekko.remote.artery.canonical.hostname", hosts("127.0.0.1", "10.0.0.1", "")),
        Arguments.of(
            "pekko.remote.artery.bind.hostname", hosts("127.0.0.1", "127.0.0.1", "10.0.0.1")));
  }

  @ParameterizedTest(name = "{0} alone off loopback")
  @MethodSource("eachSettingAlone")
  void anyOneAddressOffLoopbackExposesTheNode(String setting, String hocon) {
    Refuse refuse = assertInstanceOf(Refuse.class, assess(hocon), setting);
    assertEquals(
        List.of(new Exposure(setting, "10.0.0.1", "not a loopback address")),
        refuse.exposures(),
        setting);
  }

  @ParameterizedTest(name = "without {0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "INTERNODE_TLS; pekko.remote.artery.transport = tcp",
        "HTTPS; ringstore.http.tls.enabled = off",
        "AUTHENTICATION; ringstore.http.auth.enabled = off"
      })
  void eachMissingProtectionAloneIsRefusedAndNamed(Protection missing, String off) {
    String hocon = hosts("10.0.0.1", "10.0.0.1", "") + ALL_PROTECTIONS + off + "\n";
    Refuse refuse = assertInstanceOf(Refuse.class, assess(hocon), off);
    assertEquals(List.of(missing), refuse.missing(), off);
    assertTrue(
        refuse.message().contains(") without " + missing.label() + ". Make"), refuse.message());
  }

  @Test
  void everyProtectionOnStartsOffLoopback() {
    assertEquals(
        new SecurityPosture.Ok(),
        assess(hosts("10.0.0.1", "10.0.0.1", "0.0.0.0") + ALL_PROTECTIONS));
  }

  @Test
  void internodeTlsWithoutMutualAuthenticationIsNotEnough() {
    Refuse refuse =
        assertInstanceOf(
            Refuse.class,
            assess(
                hosts("10.0.0.1", "10.0.0.1", "0.0.0.0")
                    + ALL_PROTECTIONS
                    + "pekko.remote.artery.ssl.config-ssl-engine.require-mutual-authentication = off\n"));
    assertEquals(
        List.of(SecurityPosture.Protection.INTERNODE_TLS),
        refuse.missing(),
        "TLS that lets any JVM in does not count");
  }

  @Test
  void allowInsecureTurnsTheRefusalIntoAWarningThatNamesWhatIsMissing() {
    Warn warn =
        assertInstanceOf(
            Warn.class,
            assess(
                hosts("10.0.0.1", "10.0.0.1", "")
                    + "ringstore.http.port = 8443\npekko.remote.artery.canonical.port = 25600\n"
                    + "ringstore.security.allow-insecure = on\n"));
    assertEquals(
        List.of(Protection.INTERNODE_TLS, Protection.HTTPS, Protection.AUTHENTICATION),
        warn.missing());
    String m = warn.message();
    assertTrue(
        m.startsWith(
            "running on 10.0.0.1 (not a loopback address) WITHOUT internode TLS, HTTPS and"
                + " authentication (ringstore.security.allow-insecure, --insecure): "),
        m);
    assertTrue(
        m.contains("anyone who can reach HTTP port 8443 can read, write and delete every key"), m);
    assertTrue(m.contains("any JVM that can reach cluster port 25600 can join the cluster"), m);
    assertTrue(m.contains("plain text"), m);

    Warn authOnly =
        assertInstanceOf(
            Warn.class,
            assess(
                hosts("10.0.0.1", "10.0.0.1", "")
                    + ALL_PROTECTIONS
                    + "ringstore.http.auth.enabled = off\nringstore.security.allow-insecure = on\n"));
    assertEquals(List.of(Protection.AUTHENTICATION), authOnly.missing());
    assertFalse(
        authOnly.message().contains("plain text") || authOnly.message().contains("cluster port"),
        "only the risk of what is missing: " + authOnly.message());
  }

  @Test
  void allowInsecureChangesNothingOnLoopbackOrWhenProtected() {
    assertEquals(new SecurityPosture.Ok(), assess("ringstore.security.allow-insecure = on"));
    assertEquals(
        new SecurityPosture.Ok(),
        assess(
            hosts("10.0.0.1", "10.0.0.1", "")
                + ALL_PROTECTIONS
                + "ringstore.security.allow-insecure = on\n"));
  }

  @Test
  void theLauncherFlagSetsAllowInsecure() {
    assertFalse(LaunchOptions.parse("--host", "10.0.0.1").insecure());
    LaunchOptions options =
        LaunchOptions.parse("--insecure", "--host", "10.0.0.1", "--http-port", "9000");
    assertTrue(options.insecure(), "--insecure parsed before other options");
    assertTrue(LaunchOptions.parse("--host", "10.0.0.1", "--insecure").insecure(), "and last");
    var config = NodeConfig.load(options);
    assertTrue(config.getBoolean("ringstore.security.allow-insecure"));
    assertInstanceOf(Warn.class, SecurityPosture.assess(config, RESOLVER));
    assertInstanceOf(
        Refuse.class,
        SecurityPosture.assess(
            NodeConfig.load(LaunchOptions.parse("--host", "10.0.0.1")), RESOLVER));
    assertTrue(LaunchOptions.USAGE.contains("--insecure"), "the usage names the flag");
  }

  @Test
  void theSystemResolverKnowsLiteralsWithoutLookingThemUp() {
    assertEquals(Arrays.asList(literal("192.0.2.1")), HostResolver.SYSTEM.resolve("192.0.2.1"));
    assertTrue(SecurityPosture.exposureReason("127.0.0.1", HostResolver.SYSTEM).isEmpty());
    assertEquals(
        "every network interface",
        SecurityPosture.exposureReason("0.0.0.0", HostResolver.SYSTEM).orElseThrow());
  }
}
