package io.ringstore.config;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Secure by default once off loopback (issue 11): decides, from a node's final configuration and
 * before anything binds, whether it may start. A node whose addresses are all loopback ({@code
 * 127.x.y.z}, {@code ::1}, {@code localhost}) starts as it is configured. A node reachable from
 * elsewhere (any of {@code ringstore.http.host}, {@code pekko.remote.artery.canonical.hostname} and
 * {@code pekko.remote.artery.bind.hostname} is a wildcard, a non-loopback address, or a name that
 * does not resolve or resolves to any non-loopback address) needs internode TLS ({@code tls-tcp}),
 * HTTPS and authentication; without one of them it is refused, unless {@code
 * ringstore.security.allow-insecure} ({@code --insecure}) is on, and then it is warned about at
 * every start. Plain Java and Typesafe Config; host names are resolved through a {@link
 * HostResolver} so tests never touch DNS.
 */
public final class SecurityPosture {
  static final String HTTP_HOST = "ringstore.http.host";
  static final String CANONICAL_HOST = "pekko.remote.artery.canonical.hostname";
  static final String BIND_HOST = "pekko.remote.artery.bind.hostname";
  static final String ALLOW_INSECURE = "ringstore.security.allow-insecure";
  static final String WILDCARD = "every network interface";

  private SecurityPosture() {}

  /** Resolves a host name to its addresses; an empty list when it does not resolve. */
  @FunctionalInterface
  public interface HostResolver {
    List<InetAddress> resolve(String host);

    /** The JVM's resolver ({@link InetAddress#getAllByName}): no lookup for an IP literal. */
    HostResolver SYSTEM =
        host -> {
          try {
            return Arrays.asList(InetAddress.getAllByName(host));
          } catch (UnknownHostException | SecurityException e) {
            return List.of();
          }
        };
  }

  /** What protects a node reachable beyond loopback; all three are needed. */
  public enum Protection {
    INTERNODE_TLS("internode TLS"),
    HTTPS("HTTPS"),
    AUTHENTICATION("authentication");

    private final String label;

    Protection(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * A configured address that reaches beyond this machine.
   *
   * @param setting the configuration key that holds it
   * @param host its value
   * @param reason why it is not loopback, e.g. {@code not a loopback address}
   */
  public record Exposure(String setting, String host, String reason) {}

  /** The decision: start as configured, refuse to start, or start with a warning. */
  public sealed interface Verdict permits Ok, Refuse, Warn {}

  /** Loopback only, or exposed with every protection on: start, saying nothing. */
  public record Ok() implements Verdict {}

  /**
   * Exposed and unprotected: do not start; {@code message} says what is missing and how to fix it.
   */
  public record Refuse(List<Exposure> exposures, List<Protection> missing, String message)
      implements Verdict {
    public Refuse {
      exposures = List.copyOf(exposures);
      missing = List.copyOf(missing);
    }
  }

  /**
   * Exposed and unprotected, allowed by {@code --insecure}: start, with {@code message} at WARN.
   */
  public record Warn(List<Exposure> exposures, List<Protection> missing, String message)
      implements Verdict {
    public Warn {
      exposures = List.copyOf(exposures);
      missing = List.copyOf(missing);
    }
  }

  /** {@link #assess(Config, HostResolver)} with the JVM's resolver. */
  public static Verdict assess(Config root) {
    return assess(root, HostResolver.SYSTEM);
  }

  /** Decides from the resolved root configuration of a node. */
  public static Verdict assess(Config root, HostResolver resolver) {
    List<Exposure> exposures = new ArrayList<>();
    for (String setting : List.of(HTTP_HOST, CANONICAL_HOST, BIND_HOST)) {
      String host = root.hasPath(setting) ? root.getString(setting).trim() : "";
      if (!host.isEmpty()) {
        exposureReason(host, resolver)
            .ifPresent(r -> exposures.add(new Exposure(setting, host, r)));
      }
    }
    if (exposures.isEmpty()) {
      return new Ok();
    }
    List<Protection> missing = new ArrayList<>();
    // TLS that does not ask the peer for a certificate encrypts, but lets any JVM in
    String mutual = "pekko.remote.artery.ssl.config-ssl-engine.require-mutual-authentication";
    if (!"tls-tcp".equals(root.getString("pekko.remote.artery.transport"))
        || (root.hasPath(mutual) && !root.getBoolean(mutual))) {
      missing.add(Protection.INTERNODE_TLS);
    }
    if (!root.getBoolean("ringstore.http.tls.enabled")) {
      missing.add(Protection.HTTPS);
    }
    if (!root.getBoolean("ringstore.http.auth.enabled")) {
      missing.add(Protection.AUTHENTICATION);
    }
    if (missing.isEmpty()) {
      return new Ok();
    }
    if (root.hasPath(ALLOW_INSECURE) && root.getBoolean(ALLOW_INSECURE)) {
      return new Warn(exposures, missing, warning(root, exposures, missing));
    }
    return new Refuse(exposures, missing, refusal(exposures, missing));
  }

  /** Why {@code host} reaches beyond this machine, or empty when it is loopback. */
  static Optional<String> exposureReason(String host, HostResolver resolver) {
    if (host.startsWith(
        "<")) { // Pekko's <getHostAddress>, <getHostName>: the machine's own address
      return Optional.of("this machine's network address");
    }
    String name =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    List<InetAddress> addresses = resolver.resolve(name);
    if (addresses.isEmpty()) {
      return Optional.of("does not resolve");
    }
    if (addresses.stream().anyMatch(InetAddress::isAnyLocalAddress)) {
      return Optional.of(WILDCARD);
    }
    if (!addresses.stream().allMatch(InetAddress::isLoopbackAddress)) {
      return Optional.of("not a loopback address");
    }
    return Optional.empty();
  }

  private static String refusal(List<Exposure> exposures, List<Protection> missing) {
    List<String> named =
        exposures.stream()
            .filter(e -> !e.host().startsWith("<") && !WILDCARD.equals(e.reason()))
            .map(Exposure::host)
            .distinct()
            .toList();
    String nodes = named.isEmpty() ? "HOST" : String.join(",", named);
    return "refusing to start on "
        + where(exposures)
        + " without "
        + and(missing)
        + ". Make the material with `bin/ringstore certs DIR --nodes "
        + nodes
        + "` and start with `--config DIR/ringstore.conf` (see conf/secure.conf and README \"Security\"),"
        + " or pass --insecure to run unprotected anyway.";
  }

  private static String warning(Config root, List<Exposure> exposures, List<Protection> missing) {
    List<String> risks = new ArrayList<>();
    if (missing.contains(Protection.AUTHENTICATION)) {
      risks.add(
          "anyone who can reach HTTP port "
              + root.getString("ringstore.http.port")
              + " can read, write and delete every key and make this node leave the cluster");
    }
    if (missing.contains(Protection.INTERNODE_TLS)) {
      risks.add(
          "any JVM that can reach cluster port "
              + clusterPort(root)
              + " can join the cluster as a member and send this node any message");
    }
    if (missing.contains(Protection.HTTPS)) {
      risks.add("requests, values and passwords cross the network in plain text");
    }
    return "running on "
        + where(exposures)
        + " WITHOUT "
        + and(missing)
        + " (ringstore.security.allow-insecure, --insecure): "
        + String.join("; ", risks);
  }

  private static String clusterPort(Config root) {
    String bindPort =
        root.hasPath("pekko.remote.artery.bind.port")
            ? root.getString("pekko.remote.artery.bind.port").trim()
            : "";
    String canonical = root.getString("pekko.remote.artery.canonical.port");
    return bindPort.isEmpty() || bindPort.equals(canonical)
        ? canonical
        : canonical + " (bound " + bindPort + ")";
  }

  /**
   * {@code 10.0.0.1 (not a loopback address), 0.0.0.0 (every network interface)}: one entry a host.
   */
  private static String where(List<Exposure> exposures) {
    Map<String, String> byHost = new LinkedHashMap<>();
    exposures.forEach(e -> byHost.putIfAbsent(e.host(), e.reason()));
    return byHost.entrySet().stream()
        .map(e -> e.getKey() + " (" + e.getValue() + ")")
        .collect(Collectors.joining(", "));
  }

  /** {@code A}, {@code A and B}, {@code A, B and C}. */
  private static String and(List<Protection> missing) {
    List<String> labels = missing.stream().map(Protection::label).toList();
    if (labels.size() == 1) {
      return labels.get(0);
    }
    return String.join(", ", labels.subList(0, labels.size() - 1))
        + " and "
        + labels.get(labels.size() - 1);
  }
}
