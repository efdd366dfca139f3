package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A node keystore made by the JDK's {@code keytool} (an EC key for 127.0.0.1), the node config that
 * serves HTTPS with it, and a client context that trusts exactly its certificate.
 */
record SelfSignedTls(Path keystore, String password) {
  /** Makes {@code node.p12} in {@code dir}. */
  static SelfSignedTls create(Path dir) throws Exception {
    String password = "test-password";
    Path keystore = dir.resolve("node.p12");
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
                "-ext",
                "SAN=ip:127.0.0.1",
                "-validity",
                "2",
                "-keystore",
                keystore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass:env",
                "TEST_STOREPASS")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    keytool.environment().put("TEST_STOREPASS", password);
    Process p = keytool.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool made the keystore");
    return new SelfSignedTls(keystore, password);
  }

  /** HOCON turning the gateway's HTTPS on with this keystore. */
  String nodeConfig() {
    return "ringstore.http.tls { enabled = on, keystore = \""
        + keystore.toString().replace("\\", "/")
        + "\", keystore-password = \""
        + password
        + "\" }";
  }

  /** A client context trusting this keystore's certificate only. */
  SSLContext clientContext() throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, password.toCharArray());
    }
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("node", keys.getCertificate("node"));
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
