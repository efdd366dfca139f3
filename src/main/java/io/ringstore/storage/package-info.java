/**
 * Local, per-node persistence for ringstore: one embedded RocksDB instance holds every partition
 * this node replicates, each partition being one contiguous key range (a 4-byte big-endian unsigned
 * partition number followed by the user key's bytes, see {@link io.ringstore.storage.StorageKeys}),
 * so a whole partition can be scanned in key order, copied in batches during hand-off and dropped
 * with a single range delete. Values are opaque byte arrays (encoded versioned objects produced by
 * another module); this package never interprets them. Its job in the system is DESIGN invariant 1,
 * <em>an acknowledged write is never lost</em>, as far as the local copy is concerned: a write that
 * {@link io.ringstore.storage.StorageEngine#put} has returned from is in the write-ahead log,
 * fsynced before the return, every interval or never as {@link
 * io.ringstore.storage.RocksDbSettings.WalSync} says, so the replica can acknowledge it. The
 * package is deliberately free of Pekko so it can be used and tested without an actor system.
 */
package io.ringstore.storage;
