package io.ringstore.cluster;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artery's TLS engine for {@code transport = tls-tcp}: Pekko's {@link ConfigSSLEngineProvider} (same
 * settings, {@code pekko.remote.artery.ssl.config-ssl-engine}) whose trust managers log every peer
 * certificate they refuse, on both sides of a connection. Pekko itself logs a refused handshake only on
 * the side that connects, so without this a member would reject a foreign JVM's join attempts
 * silently. Select it with
 * {@code pekko.remote.artery.ssl.ssl-engine-provider = io.ringstore.cluster.LoggingSslEngineProvider}
 * (conf/secure.conf does).
 */
public class LoggingSslEngineProvider extends ConfigSSLEngineProvider {
  private static final Logger LOG = LoggerFactory.getLogger(LoggingSslEngineProvider.class);

  public LoggingSslEngineProvider(ActorSystem system) {
    super(system);
  }

  @Override
  public TrustManager[] trustManagers() {
    // called by the superclass's constructor: no instance state may be used here
    return Arrays.stream(super.trustManagers())
        .map(tm -> tm instanceof X509ExtendedTrustManager x509 ? new Logging(x509) : tm)
        .toArray(TrustManager[]::new);
  }

  /** Delegates every check; logs (and rethrows) a refusal with the peer and its certificate. */
  private static final class Logging extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;

    Logging(X509ExtendedTrustManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      try {
        delegate.checkClientTrusted(chain, authType, engine);
      } catch (CertificateException e) {
        throw refused("incoming connection from", peer(engine), chain, e);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      try {
        delegate.checkServerTrusted(chain, authType, engine);
      } catch (CertificateException e) {
        throw refused("outgoing connection to", peer(engine), chain, e);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      try {
        delegate.checkClientTrusted(chain, authType, socket);
      } catch (CertificateException e) {
        throw refused("incoming connection from", String.valueOf(socket.getRemoteSocketAddress()), chain, e);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      try {
        delegate.checkServerTrusted(chain, authType, socket);
      } catch (CertificateException e) {
        throw refused("outgoing connection to", String.valueOf(socket.getRemoteSocketAddress()), chain, e);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      try {
        delegate.checkClientTrusted(chain, authType);
      } catch (CertificateException e) {
        throw refused("incoming connection from", "a peer", chain, e);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      try {
        delegate.checkServerTrusted(chain, authType);
      } catch (CertificateException e) {
        throw refused("outgoing connection to", "a peer", chain, e);
      }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }

    private static String peer(SSLEngine engine) {
      if (engine == null || engine.getPeerHost() == null) {
        return "a peer";
      }
      return engine.getPeerHost() + (engine.getPeerPort() > 0 ? ":" + engine.getPeerPort() : "");
    }

    private static CertificateException refused(
        String direction, String peer, X509Certificate[] chain, CertificateException e) {
      String subject = chain == null || chain.length == 0 ? "no certificate"
          : "certificate " + chain[0].getSubjectX500Principal().getName() + " issued by "
              + chain[0].getIssuerX500Principal().getName();
      LOG.warn("internode TLS: refused the {} {}: {} is not trusted ({}): not signed by this "
          + "cluster's CA (pekko.remote.artery.ssl.config-ssl-engine.trust-store)",
          direction, peer, subject, e.getMessage());
      return e;
    }
  }
}
