/**
 * Membership: the node's uid, its public {@code host:port} name, and the {@link
 * io.ringstore.cluster.RingView} that derives the ring from the members Pekko Cluster gossip
 * reports Up, so every node computes the same ring without a protocol of its own.
 */
package io.ringstore.cluster;
