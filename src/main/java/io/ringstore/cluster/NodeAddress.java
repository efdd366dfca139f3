package io.ringstore.cluster;

import org.apache.pekko.actor.Address;

/** A node's public name: the {@code host:port} of its cluster address, as the ring and the APIs use it. */
public final class NodeAddress {
  private NodeAddress() {}

  public static String of(Address address) {
    if (address.host().isEmpty() || address.port().isEmpty()) {
      throw new IllegalArgumentException("not a remote address: " + address);
    }
    return address.host().get() + ":" + address.port().get();
  }
}
