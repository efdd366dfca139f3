package io.ringstore.cluster;

import java.util.Comparator;
import org.apache.pekko.actor.Address;

/**
 * A node's public name: the {@code host:port} of its cluster address, as the ring and the APIs use
 * it.
 */
public final class NodeAddress {
  /** Orders {@code host:port} names by host, then port as a number (Pekko's address order). */
  public static final Comparator<String> ORDER =
      Comparator.comparing((String n) -> n.substring(0, Math.max(0, n.lastIndexOf(':'))))
          .thenComparingInt(NodeAddress::port);

  private NodeAddress() {}

  private static int port(String node) {
    try {
      return Integer.parseInt(node.substring(node.lastIndexOf(':') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public static String of(Address address) {
    if (address.host().isEmpty() || address.port().isEmpty()) {
      throw new IllegalArgumentException("not a remote address: " + address);
    }
    return address.host().get() + ":" + address.port().get();
  }
}
