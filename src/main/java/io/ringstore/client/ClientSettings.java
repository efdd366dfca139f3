package io.ringstore.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How {@link StoreClient#connect} reaches a cluster: as a member ({@link #member}: the seed nodes'
 * cluster addresses, {@code host:port}) or over HTTP ({@link #http}: node URLs such as {@code
 * http://127.0.0.1:8080}), with a join timeout (default 30 s). Immutable; the {@code with…} methods
 * return a copy.
 *
 * @param mode member or HTTP
 * @param endpoints seed addresses ({@code host:port}) for a member, node URLs for HTTP
 * @param joinTimeout how long {@code connect} tries before it fails with {@link
 *     ConnectFailedException}
 * @param config (member) extra configuration layered over the client's defaults, e.g. TLS or the
 *     member's own canonical hostname
 * @param user (HTTP) the user for HTTP Basic authentication, or null
 * @param password (HTTP) its password, or null
 * @param sslContext (HTTP) the TLS context for {@code https://} URLs (trusting the cluster's CA),
 *     or null for the JDK's default
 */
public record ClientSettings(
    Mode mode,
    List<String> endpoints,
    Duration joinTimeout,
    Config config,
    String user,
    String password,
    SSLContext sslContext) {

  /** Which way the client talks to the cluster. */
  public enum Mode {
    /** A cluster member with role {@code client}. */
    MEMBER,
    /** HTTP requests to the nodes' gateways. */
    HTTP
  }

  public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(30);

  public ClientSettings {
    Objects.requireNonNull(mode, "mode");
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException(
          mode == Mode.MEMBER ? "no seed node given" : "no node URL given");
    }
    Objects.requireNonNull(joinTimeout, "joinTimeout");
    if (joinTimeout.isNegative() || joinTimeout.isZero()) {
      throw new IllegalArgumentException("joinTimeout must be positive: " + joinTimeout);
    }
    config = config == null ? ConfigFactory.empty() : config;
  }

  /** A cluster member joining through these seed nodes ({@code host:port} cluster addresses). */
  public static ClientSettings member(String... seeds) {
    return new ClientSettings(
        Mode.MEMBER, List.of(seeds), DEFAULT_JOIN_TIMEOUT, ConfigFactory.empty(), null, null, null);
  }

  /** An HTTP client sending to these nodes ({@code http://host:port} or {@code https://…}). */
  public static ClientSettings http(String... urls) {
    return new ClientSettings(
        Mode.HTTP, List.of(urls), DEFAULT_JOIN_TIMEOUT, ConfigFactory.empty(), null, null, null);
  }

  public ClientSettings withJoinTimeout(Duration timeout) {
    return new ClientSettings(mode, endpoints, timeout, config, user, password, sslContext);
  }

  /** (Member) configuration layered over the client's defaults (TLS, canonical hostname, …). */
  public ClientSettings withConfig(Config extra) {
    return new ClientSettings(mode, endpoints, joinTimeout, extra, user, password, sslContext);
  }

  /** (HTTP) HTTP Basic credentials, for a cluster with authentication on. */
  public ClientSettings withCredentials(String user, String password) {
    return new ClientSettings(mode, endpoints, joinTimeout, config, user, password, sslContext);
  }

  /** (HTTP) the TLS context for {@code https://} node URLs. */
  public ClientSettings withSslContext(SSLContext context) {
    return new ClientSettings(mode, endpoints, joinTimeout, config, user, password, context);
  }

  @Override
  public String toString() {
    return "ClientSettings["
        + mode
        + " "
        + endpoints
        + ", joinTimeout="
        + joinTimeout
        + (user == null ? "" : ", user=" + user)
        + "]";
  }
}
