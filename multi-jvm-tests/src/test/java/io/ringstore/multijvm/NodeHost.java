package io.ringstore.multijvm;

import java.util.List;

/**
 * Where a node JVM runs: the address it binds and advertises ({@code --host}, also the address the
 * test's HTTP client calls) and a command prefix that places its process, e.g. {@code ip netns exec
 * <namespace>} for a node in a network namespace. The prefix must exec the launcher (not fork it),
 * so that the started process's pid stays the node JVM's pid. {@code launcherOptions} go to every
 * {@code bin/ringstore start} of a node there, e.g. {@code --insecure} for a node on a non-loopback
 * test address without TLS.
 */
public record NodeHost(String address, List<String> commandPrefix, List<String> launcherOptions) {
  /** A node on 127.0.0.1 in the test JVM's own network namespace: what every IT used before. */
  public static final NodeHost LOOPBACK = new NodeHost("127.0.0.1", List.of());

  public NodeHost {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("a node host needs an address");
    }
    commandPrefix = List.copyOf(commandPrefix);
    launcherOptions = List.copyOf(launcherOptions);
  }

  public NodeHost(String address, List<String> commandPrefix) {
    this(address, commandPrefix, List.of());
  }
}
