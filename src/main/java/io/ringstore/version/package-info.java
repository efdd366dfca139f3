/**
 * Causality tracking for ringstore: {@link io.ringstore.version.VersionVector} (the causal context
 * a client reads and sends back), {@link io.ringstore.version.DvvSet} (Dotted Version Vector Sets
 * with exactly the semantics of Riak 2.x {@code dvvset.erl}, holding a key's sibling values
 * together with their causal history), and the binary codecs {@link
 * io.ringstore.version.CausalContextCodec} (the opaque, versioned, base64url client context) and
 * {@link io.ringstore.version.DvvSetCodec} (storage and inter-node format). Everything here is
 * pure, immutable Java with no actor-system dependencies; together these classes uphold DESIGN
 * invariant 3: concurrent writes are never silently dropped, they become siblings until a write
 * whose context covers them resolves them.
 */
package io.ringstore.version;
