/**
 * Replica entities: the N sharded entities {@code p:r} of each partition, placed on the partition's
 * replica set by a ring-driven allocation strategy, each owning its partition's data on its node.
 */
package io.ringstore.replica;
