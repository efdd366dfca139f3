package io.ringstore.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ringstore.NodeConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringstore.http.tls} and Artery's TLS key material, checked when the settings are built:
 * every way a keystore can be wrong stops the node with a message naming the setting and the file.
 * The keystore with a key is made by the JDK's real keytool, as {@code bin/ringstore certs} does.
 */
class TlsSettingsTest {
  private static final String PASSWORD = "s3cret-Passw0rd";

  @TempDir static Path dir;

  static Path nodeKeystore;
  static Path emptyKeystore;
  static Path notAKeystore;

  @BeforeAll
  static void material() throws Exception {
    nodeKeystore = dir.resolve("node.p12");
    ProcessBuilder keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "node",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-validity",
                "2",
                "-keystore",
                nodeKeystore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass:env",
                "TEST_STOREPASS")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    keytool.environment().put("TEST_STOREPASS", PASSWORD);
    Process p = keytool.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool made the keystore");

    emptyKeystore = dir.resolve("truststore-like.p12");
    KeyStore empty = KeyStore.getInstance("PKCS12");
    empty.load(null, null);
    try (OutputStream out = Files.newOutputStream(emptyKeystore)) {
      empty.store(out, PASSWORD.toCharArray());
    }
    notAKeystore =
        Files.writeString(dir.resolve("notes.txt"), "not a keystore", StandardCharsets.UTF_8);
  }

  private static RingstoreSettings settings(String hocon) {
    return RingstoreSettings.fromConfig(
        NodeConfig.load(ConfigFactory.parseString(hocon), ConfigFactory.empty()));
  }

  private static String httpTls(Path keystore, String password) {
    return "ringstore.http.tls { enabled = on, keystore = \""
        + keystore
        + "\", keystore-password = \""
        + password
        + "\" }";
  }

  private static void assertRefused(String hocon, List<String> mentioned) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> settings(hocon), hocon);
    mentioned.forEach(
        m ->
            assertTrue(
                e.getMessage().contains(m),
                () -> "'" + m + "' in the message of " + hocon + " -> " + e.getMessage()));
    assertFalse(
        e.getMessage().contains(PASSWORD), () -> "no password in the message: " + e.getMessage());
  }

  @Test
  void httpsIsOffByDefault() {
    RingstoreSettings s = settings("");
    assertFalse(s.http().tls().enabled());
    assertEquals("http", s.http().scheme());
  }

  @Test
  void aValidKeystoreEnablesHttpsWithAServerContext() {
    RingstoreSettings s = settings(httpTls(nodeKeystore, PASSWORD));
    assertTrue(s.http().tls().enabled());
    assertEquals("https", s.http().scheme());
    assertNotNull(
        s.http().tls().serverContext().createSSLEngine(), "an SSL engine from the keystore");
    assertFalse(s.http().tls().toString().contains(PASSWORD), "toString leaves the password out");
  }

  @Test
  void httpsWithoutAKeystoreIsRefused() {
    assertRefused("ringstore.http.tls.enabled = on", List.of("ringstore.http.tls.keystore"));
  }

  @Test
  void aMissingKeystoreIsRefusedNamingTheFile() {
    Path missing = dir.resolve("nowhere/node.p12");
    assertRefused(
        httpTls(missing, PASSWORD),
        List.of("ringstore.http.tls.keystore", missing.toString(), "does not exist"));
  }

  @Test
  void aWrongPasswordIsRefusedNamingTheFileAndThePasswordSetting() {
    assertRefused(
        httpTls(nodeKeystore, "wrong"),
        List.of("wrong password", nodeKeystore.toString(), "ringstore.http.tls.keystore-password"));
  }

  @Test
  void aFileThatIsNotAKeystoreIsRefused() {
    assertRefused(
        httpTls(notAKeystore, PASSWORD),
        List.of("ringstore.http.tls.keystore", notAKeystore.toString(), "cannot read"));
  }

  @Test
  void aKeystoreWithoutAPrivateKeyIsRefused() {
    assertRefused(
        httpTls(emptyKeystore, PASSWORD),
        List.of(emptyKeystore.toString(), "holds no private key"));
  }

  @Test
  void anUnknownTlsVersionIsRefused() {
    assertRefused(
        httpTls(nodeKeystore, PASSWORD) + "\nringstore.http.tls.protocols = [TLSv9]",
        List.of("ringstore.http.tls.protocols", "TLSv9"));
  }

  @Test
  void aDirectoryIsNotAKeystore() {
    assertRefused(httpTls(dir, PASSWORD), List.of("cannot read", dir.toString()));
  }

  @Test
  void arteryTlsKeyMaterialIsCheckedAtStart() {
    String artery =
        "pekko.remote.artery.transport = tls-tcp\n"
            + "pekko.remote.artery.ssl.config-ssl-engine {\n"
            + "  key-store = \"%s\", key-store-password = \"%s\", key-password = \"%s\"\n"
            + "  trust-store = \"%s\", trust-store-password = \"%s\" }\n";
    Path missing = dir.resolve("missing-truststore.p12");
    assertRefused(
        String.format(artery, nodeKeystore, PASSWORD, PASSWORD, missing, PASSWORD),
        List.of("pekko.remote.artery.ssl.config-ssl-engine.trust-store", missing.toString()));
    assertRefused(
        String.format(artery, nodeKeystore, "wrong", "wrong", emptyKeystore, PASSWORD),
        List.of("config-ssl-engine.key-store", "wrong password", nodeKeystore.toString()));
    assertRefused(
        String.format(artery, nodeKeystore, PASSWORD, PASSWORD, emptyKeystore, PASSWORD),
        List.of("config-ssl-engine.trust-store", "holds no certificate"));
    // the node keystore holds its own certificate: enough to build the settings
    settings(String.format(artery, nodeKeystore, PASSWORD, PASSWORD, nodeKeystore, PASSWORD));
  }

  @Test
  void plainTcpArteryNeedsNoKeyMaterial() throws IOException {
    assertEquals(
        "tcp",
        NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty())
            .getString("pekko.remote.artery.transport"));
    settings(""); // no TLS: nothing to load
  }
}
