package io.ringstore.cluster;

import io.ringstore.config.LogText;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artery's TLS engine for {@code transport = tls-tcp}: Pekko's {@link ConfigSSLEngineProvider}
 * (same settings, {@code pekko.remote.artery.ssl.config-ssl-engine}) whose trust managers log every
 * peer certificate they refuse, on both sides of a connection. Pekko itself logs a refused
 * handshake only on the side that connects, so without this a member would reject a foreign JVM's
 * join attempts silently. An incoming connection that fails its handshake for any reason (the peer
 * refused this node's certificate, sent none, or spoke plain TCP) is logged too, once per
 * connection. Select it with {@code pekko.remote.artery.ssl.ssl-engine-provider =
 * io.ringstore.cluster.LoggingSslEngineProvider} (conf/secure.conf does).
 */
public class LoggingSslEngineProvider extends ConfigSSLEngineProvider {
  private static final Logger LOG = LoggerFactory.getLogger(LoggingSslEngineProvider.class);

  public LoggingSslEngineProvider(ActorSystem system) {
    super(system);
  }

  @Override
  public SSLEngine createServerSSLEngine(String hostname, int port) {
    return new RefusalLoggingEngine(super.createServerSSLEngine(hostname, port));
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
        throw refused(
            "incoming connection from", String.valueOf(socket.getRemoteSocketAddress()), chain, e);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      try {
        delegate.checkServerTrusted(chain, authType, socket);
      } catch (CertificateException e) {
        throw refused(
            "outgoing connection to", String.valueOf(socket.getRemoteSocketAddress()), chain, e);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      try {
        delegate.checkClientTrusted(chain, authType);
      } catch (CertificateException e) {
        throw refused("incoming connection from", "a peer", chain, e);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
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
      String subject =
          chain == null || chain.length == 0
              ? "no certificate"
              : "certificate "
                  + LogText.escape(chain[0].getSubjectX500Principal().getName())
                  + " issued by "
                  + LogText.escape(chain[0].getIssuerX500Principal().getName());
      LOG.warn(
          "internode TLS: refused the {} {}: {} is not trusted ({}): not signed by this "
              + "cluster's CA (pekko.remote.artery.ssl.config-ssl-engine.trust-store)",
          direction,
          peer,
          subject,
          LogText.escape(e.getMessage()));
      return e;
    }
  }

  /**
   * A server-side engine that logs the first TLS failure of its connection (a refused handshake)
   * and otherwise only delegates.
   */
  private static final class RefusalLoggingEngine extends SSLEngine {
    private final SSLEngine delegate;
    private boolean logged;

    RefusalLoggingEngine(SSLEngine delegate) {
      super(delegate.getPeerHost(), delegate.getPeerPort());
      this.delegate = delegate;
    }

    private SSLException logged(SSLException e) {
      if (!logged) {
        logged = true;
        LOG.warn(
            "internode TLS: refused an incoming connection ({}): the peer has no certificate from "
                + "this cluster's CA, does not trust this node's, or does not speak TLS",
            e.getMessage());
      }
      return e;
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst)
        throws SSLException {
      try {
        return delegate.wrap(srcs, offset, length, dst);
      } catch (SSLException e) {
        throw logged(e);
      }
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length)
        throws SSLException {
      try {
        return delegate.unwrap(src, dsts, offset, length);
      } catch (SSLException e) {
        throw logged(e);
      }
    }

    @Override
    public Runnable getDelegatedTask() {
      return delegate.getDelegatedTask();
    }

    @Override
    public void closeInbound() throws SSLException {
      delegate.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
      return delegate.isInboundDone();
    }

    @Override
    public void closeOutbound() {
      delegate.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
      return delegate.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
      return delegate.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
      delegate.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
      return delegate.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
      return delegate.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
      delegate.setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession() {
      return delegate.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
      return delegate.getHandshakeSession();
    }

    @Override
    public void beginHandshake() throws SSLException {
      try {
        delegate.beginHandshake();
      } catch (SSLException e) {
        throw logged(e);
      }
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
      return delegate.getHandshakeStatus();
    }

    @Override
    public void setUseClientMode(boolean mode) {
      delegate.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
      return delegate.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
      delegate.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
      return delegate.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
      delegate.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
      return delegate.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
      delegate.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
      return delegate.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
      return delegate.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
      delegate.setSSLParameters(params);
    }

    @Override
    public String getApplicationProtocol() {
      return delegate.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
      return delegate.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(
        BiFunction<SSLEngine, List<String>, String> selector) {
      delegate.setHandshakeApplicationProtocolSelector(selector);
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
      return delegate.getHandshakeApplicationProtocolSelector();
    }
  }
}
