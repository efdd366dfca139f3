package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.testing.TestNode;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With HTTPS on, both listeners of the gateway (bound connection by connection) speak TLS with the
 * node's key: the data port and the management port; the management port serves only health and
 * metrics.
 */
class ManagementListenerTlsHttpTest {
  private static final String PASSWORD = "test-password";

  @TempDir
  static Path dir;

  private static TestNode node;
  private static int port;
  private static int managementPort;
  private static HttpClient https;

  @BeforeAll
  static void startNode() throws Exception {
    Path keystore = dir.resolve("node.p12");
    ProcessBuilder keytool = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
        "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass:env", "TEST_STOREPASS")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    keytool.environment().put("TEST_STOREPASS", PASSWORD);
    Process p = keytool.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool made the keystore");

    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("node", keys.getCertificate("node"));
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    https = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10))
        .version(HttpClient.Version.HTTP_1_1).build();

    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      managementPort = free.getLocalPort();
    }
    node = TestNode.start(TestNode.config(dir.resolve("data"), 1, 1, 1,
        "ringstore.http.tls { enabled = on, keystore = \""
            + keystore.toString().replace("\\", "/") + "\", keystore-password = \"" + PASSWORD
            + "\" }\nringstore.http.management-port = " + managementPort)).joinSelf();
    port = node.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void bothListenersServeHttps() throws Exception {
    assertEquals(200, get(port, "/health/alive").statusCode(), "data port over HTTPS");
    assertEquals(200, get(managementPort, "/health/alive").statusCode(),
        "management port over HTTPS");
    HttpResponse<String> metrics = get(managementPort, "/metrics");
    assertEquals(200, metrics.statusCode(), "/metrics on the management port");
    assertTrue(metrics.body().contains("ringstore_http_connections_open{listener=\"management\"}"),
        "the management listener's connections are reported");
    assertEquals(404, get(managementPort, "/kv/key").statusCode(), "no data on the management port");
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
