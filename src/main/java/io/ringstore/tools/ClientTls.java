package io.ringstore.tools;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Collections;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS side of the command-line clients ({@code status}, {@code leave}, {@code check}, {@code
 * bench}): an SSLContext that trusts the CA given with {@code --cacert FILE}, either a PEM file of
 * certificates ({@code ca.pem} of {@code bin/ringstore certs}) or a PKCS12/JKS truststore, whose
 * password comes from {@code RINGSTORE_TRUSTSTORE_PASSWORD} (not from the command line). Without
 * {@code --cacert} the JDK's default trusted CAs are used. Host names are verified as usual (the
 * node certificates carry their host as a subject alternative name).
 */
public final class ClientTls {
  /** Environment variable with the password of a truststore given as {@code --cacert}. */
  public static final String TRUSTSTORE_PASSWORD_ENV = "RINGSTORE_TRUSTSTORE_PASSWORD";

  private ClientTls() {}

  /**
   * An SSLContext trusting the certificates of {@code cacert}; a message fit for the user on
   * failure.
   */
  public static SSLContext trusting(Path cacert) {
    KeyStore trusted = load(cacert);
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("--cacert " + cacert + ": " + e.getMessage(), e);
    }
  }

  /** The JDK's default SSLContext (the system's trusted CAs). */
  public static SSLContext systemDefault() {
    try {
      return SSLContext.getDefault();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no default TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * What went wrong when {@code e} (or one of its causes) is a TLS failure, as one phrase that says
   * what to check; empty for any other failure.
   */
  public static Optional<String> tlsProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SSLException) {
        return Optional.of(
            "TLS failed: "
                + t.getMessage()
                + "; is --cacert the cluster's CA (ca.pem of "
                + "bin/ringstore certs), and does the node serve HTTPS?");
      }
    }
    return Optional.empty();
  }

  static KeyStore load(Path file) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException("--cacert: cannot read " + file.toAbsolutePath());
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.US_ASCII)
          .contains("-----BEGIN CERTIFICATE-----")) {
        return fromPem(file);
      }
      String password = System.getenv().getOrDefault(TRUSTSTORE_PASSWORD_ENV, "");
      KeyStore store = KeyStore.getInstance("PKCS12"); // reads JKS files too
      try (InputStream in = Files.newInputStream(file)) {
        store.load(in, password.toCharArray());
      }
      boolean anyCertificate = false;
      for (String alias : Collections.list(store.aliases())) {
        anyCertificate |= store.getCertificate(alias) != null;
      }
      if (!anyCertificate) {
        throw new IllegalArgumentException(
            "--cacert "
                + file.toAbsolutePath()
                + ": no certificate in it (is "
                + TRUSTSTORE_PASSWORD_ENV
                + " set to its password?)");
      }
      return store;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--cacert "
              + file.toAbsolutePath()
              + ": neither PEM certificates nor a truststore readable with the password in "
              + TRUSTSTORE_PASSWORD_ENV
              + " ("
              + e.getMessage()
              + ")",
          e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "--cacert " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  private static KeyStore fromPem(Path file) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(file)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          "--cacert " + file.toAbsolutePath() + ": no certificate in it");
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    int i = 0;
    for (Certificate certificate : certificates) {
      store.setCertificateEntry("ca-" + i++, certificate);
    }
    return store;
  }
}
