/**
 * Active anti-entropy, the mechanism behind DESIGN invariant 4 (replicas converge): every replica
 * keeps a pure, thread-safe {@link io.ringstore.antientropy.TicTacTree} of its partition, whose
 * 64-bit segment hashes are XORs of per-key {@link io.ringstore.antientropy.TicTacTree#entryHash
 * entry hashes} and are updated in O(1) on every write; two replicas of a partition compare roots,
 * then branch hashes, then the segments of differing branches, and finally the {@link
 * io.ringstore.antientropy.KeyHashes} of the differing segments, so that only the keys that
 * actually differ are repaired. This package's tree, shape, snapshot and comparison helpers are
 * plain Java without Pekko, tested without an ActorSystem.
 */
package io.ringstore.antientropy;
