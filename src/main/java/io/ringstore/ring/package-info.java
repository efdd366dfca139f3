/**
 * Pure (actor-free) partitioning for ringstore: {@link io.ringstore.ring.KeyHash} maps a key's
 * UTF-8 bytes to a fixed 64-bit MurmurHash3 value whose top bits select one of Q partitions, and
 * {@link io.ringstore.ring.Ring} maps each partition to its replica set and fallbacks by walking
 * clockwise over the members' virtual tokens with a bounded-load cap, as an immutable value that is
 * a pure function of the {@link io.ringstore.ring.RingConfig} and the membership, so every node
 * computes the same ring without coordination.
 */
package io.ringstore.ring;
