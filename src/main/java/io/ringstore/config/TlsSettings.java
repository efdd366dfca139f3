package io.ringstore.config;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Transport security settings: the HTTP gateway's HTTPS ({@code ringstore.http.tls}) and a check of
 * Artery's {@code tls-tcp} key material ({@code pekko.remote.artery.ssl.config-ssl-engine}). Both
 * load their keystores when the settings are built, so a missing or unreadable file or a wrong
 * password stops the node at start-up with a message that names the file and the setting, before
 * anything binds. Plain JDK (java.security, javax.net.ssl); no Pekko.
 */
public final class TlsSettings {
  private TlsSettings() {}

  /**
   * HTTPS for the gateway.
   *
   * @param enabled serve HTTPS instead of HTTP on {@code ringstore.http.port}
   * @param keystore the node's private key and certificate chain (PKCS12 or JKS)
   * @param keystorePassword its password (also the key's: PKCS12 has one)
   * @param keystoreType {@code PKCS12} or {@code JKS}
   * @param protocols the TLS versions offered to clients
   */
  public record HttpTls(
      boolean enabled,
      Path keystore,
      String keystorePassword,
      String keystoreType,
      List<String> protocols) {
    /** HTTPS off. */
    public static final HttpTls DISABLED =
        new HttpTls(false, Path.of(""), "", "PKCS12", List.of("TLSv1.3", "TLSv1.2"));

    public HttpTls {
      protocols = List.copyOf(protocols);
      keystoreType = keystoreType.toUpperCase(Locale.ROOT);
      if (enabled) {
        require(
            !keystore.toString().isBlank(),
            "ringstore.http.tls.enabled = on needs ringstore.http.tls.keystore (a PKCS12 file with "
                + "the node's key and certificate, e.g. from `bin/ringstore certs DIR`)");
        require(!protocols.isEmpty(), "ringstore.http.tls.protocols must not be empty");
        List<String> supported = supportedProtocols();
        for (String protocol : protocols) {
          require(
              supported.contains(protocol),
              "ringstore.http.tls.protocols: "
                  + protocol
                  + " is not a TLS version this JVM supports ("
                  + String.join(", ", supported)
                  + ")");
        }
        KeyStore store =
            load(
                keystore,
                keystorePassword,
                keystoreType,
                "ringstore.http.tls.keystore",
                "ringstore.http.tls.keystore-password");
        requirePrivateKey(store, keystore, "ringstore.http.tls.keystore");
      }
    }

    /** Reads {@code ringstore.http.tls} (a section of {@code ringstore.http}). */
    static HttpTls fromConfig(Config tls) {
      return new HttpTls(
          tls.getBoolean("enabled"),
          Path.of(tls.getString("keystore")),
          tls.getString("keystore-password"),
          tls.getString("keystore-type"),
          tls.getStringList("protocols"));
    }

    /** A server-side SSLContext with this keystore's key (the gateway's HTTPS). */
    public SSLContext serverContext() {
      require(enabled, "HTTPS is not enabled (ringstore.http.tls.enabled = off)");
      KeyStore store =
          load(
              keystore,
              keystorePassword,
              keystoreType,
              "ringstore.http.tls.keystore",
              "ringstore.http.tls.keystore-password");
      try {
        KeyManagerFactory keys =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, keystorePassword.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(
            "ringstore.http.tls.keystore: cannot use the key in "
                + keystore.toAbsolutePath()
                + ": "
                + e.getMessage(),
            e);
      }
    }

    @Override
    public String toString() { // never the password
      return "HttpTls[enabled="
          + enabled
          + ", keystore="
          + keystore
          + ", keystoreType="
          + keystoreType
          + ", protocols="
          + protocols
          + "]";
    }
  }

  /**
   * Artery's TLS (internode, mutual authentication), as Pekko's {@code ConfigSSLEngineProvider}
   * will read it: checked here only, because Pekko itself fails late and vaguely on a bad keystore.
   *
   * @param enabled {@code pekko.remote.artery.transport = tls-tcp}
   * @param configEngine the config-based SSL engine provider is used (the only one checked)
   * @param mutualAuthentication {@code require-mutual-authentication}
   */
  public record InternodeTls(boolean enabled, boolean configEngine, boolean mutualAuthentication) {
    static final String ENGINE = "pekko.remote.artery.ssl.config-ssl-engine";
    static final String CONFIG_PROVIDER =
        "org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider";

    /** Reads and checks Artery's TLS settings from the root configuration. */
    static InternodeTls fromConfig(Config root) {
      boolean enabled = "tls-tcp".equals(root.getString("pekko.remote.artery.transport"));
      if (!enabled) {
        return new InternodeTls(false, false, false);
      }
      boolean configEngine =
          readsEngineConfig(root.getString("pekko.remote.artery.ssl.ssl-engine-provider"));
      if (!configEngine) {
        return new InternodeTls(true, false, true);
      }
      Config engine = root.getConfig(ENGINE);
      Path keyStore = Path.of(engine.getString("key-store"));
      KeyStore keys =
          load(
              keyStore,
              engine.getString("key-store-password"),
              "PKCS12",
              ENGINE + ".key-store",
              ENGINE + ".key-store-password");
      requirePrivateKey(keys, keyStore, ENGINE + ".key-store");
      Path trustStore = Path.of(engine.getString("trust-store"));
      KeyStore trust =
          load(
              trustStore,
              engine.getString("trust-store-password"),
              "PKCS12",
              ENGINE + ".trust-store",
              ENGINE + ".trust-store-password");
      try {
        require(
            Collections.list(trust.aliases()).stream().anyMatch(a -> isCertificate(trust, a)),
            ENGINE
                + ".trust-store: "
                + trustStore.toAbsolutePath()
                + " holds no certificate to trust");
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(
            ENGINE
                + ".trust-store: cannot list "
                + trustStore.toAbsolutePath()
                + ": "
                + e.getMessage(),
            e);
      }
      return new InternodeTls(true, true, engine.getBoolean("require-mutual-authentication"));
    }

    /** Pekko's config-based provider or a subclass (such as ringstore's, which logs refusals). */
    private static boolean readsEngineConfig(String providerClass) {
      try {
        for (Class<?> c = Class.forName(providerClass); c != null; c = c.getSuperclass()) {
          if (c.getName().equals(CONFIG_PROVIDER)) {
            return true;
          }
        }
        return false;
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalArgumentException(
            "pekko.remote.artery.ssl.ssl-engine-provider: no class " + providerClass, e);
      }
    }
  }

  private static List<String> supportedProtocols() {
    try {
      return List.of(SSLContext.getDefault().getSupportedSSLParameters().getProtocols());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no TLS: " + e.getMessage(), e);
    }
  }

  /**
   * Loads a keystore, turning every way it can fail into one message naming the file and the
   * setting. The type is a hint: a PKCS12 or JKS file is read whichever it is (the JDK's keystores
   * detect it).
   */
  static KeyStore load(
      Path file, String password, String type, String setting, String passwordSetting) {
    Path absolute = file.toAbsolutePath();
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(setting + ": " + absolute + " does not exist");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(
          setting
              + ": cannot read "
              + absolute
              + " (not a readable file: check its owner and permissions)");
    }
    KeyStore store;
    try {
      store = KeyStore.getInstance(type);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          setting + ": unknown keystore type " + type + " for " + absolute + " (use PKCS12 or JKS)",
          e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password.toCharArray());
      return store;
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException
          || String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("password")) {
        throw new IllegalArgumentException(
            setting + ": wrong password for " + absolute + " (" + passwordSetting + ")", e);
      }
      throw new IllegalArgumentException(
          setting + ": cannot read " + absolute + " as a " + type + " keystore: " + e.getMessage(),
          e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          setting + ": cannot read " + absolute + " as a " + type + " keystore: " + e.getMessage(),
          e);
    }
  }

  private static void requirePrivateKey(KeyStore store, Path file, String setting) {
    try {
      boolean hasKey = false;
      for (String alias : Collections.list(store.aliases())) {
        hasKey |= store.isKeyEntry(alias);
      }
      require(
          hasKey,
          setting
              + ": "
              + file.toAbsolutePath()
              + " holds no private key (a truststore given as the keystore?)");
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          setting + ": cannot list " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  private static boolean isCertificate(KeyStore store, String alias) {
    try {
      return store.getCertificate(alias) != null;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
