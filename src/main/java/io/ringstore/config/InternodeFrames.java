package io.ringstore.config;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Locale;

/**
 * Checks at start-up that every object the store accepts can travel between nodes (DESIGN invariant
 * 6). Replica messages carry whole objects: a client write's object of up to {@code
 * ringstore.requests.max-object-size}, and the merge of N replicas' objects (read repair, hints,
 * transfers, anti-entropy are never refused, and N replicas that each accepted writes while apart
 * can merge to up to N times the limit). Artery drops a message larger than its lane's frame (an
 * {@code OversizedPayloadException}, logged on the sender and never delivered), so every actor that
 * receives objects is on Artery's large-message lane ({@code large-message-destinations}) and that
 * lane's frame ({@code maximum-large-frame-size}) holds {@code max(2, N)} objects at the limit plus
 * the message's own bytes. A configuration that breaks this refuses to start. Pure.
 */
public final class InternodeFrames {
  private InternodeFrames() {}

  /**
   * The actor paths that receive whole objects from other nodes: the sharded replica entities (and
   * their shard region, which forwards messages sent through sharding; transfers and exchange
   * sessions run as their children), the coordinators' gateway of a {@code RingstoreClient}, the
   * anti-entropy sessions, the hint stores, the partition sources of released replicas, and the
   * temporary actors of asks (the admin views of a key's replicas).
   */
  public static final List<String> OBJECT_DESTINATIONS = List.of(
      "/system/sharding/replica",
      "/system/sharding/replica/**",
      "/system/ringstore-gateway/**",
      "/system/anti-entropy/**",
      "/system/hint-manager/**",
      "/system/partition-source/**",
      "/temp/**");

  /** Bytes of a replica message besides its object: the key, replica and node names, CBOR, envelope. */
  static final long ENVELOPE_BYTES = 16 * 1024;

  /** How many objects at the limit one message may have to carry: {@code max(2, n)}. */
  public static int mergeFactor(int replicationFactor) {
    return Math.max(2, replicationFactor);
  }

  /** The large-message frame this configuration needs, in bytes. */
  public static long requiredLargeFrame(long maxObjectBytes, int maxKeyBytes, int replicationFactor) {
    return mergeFactor(replicationFactor) * maxObjectBytes + maxKeyBytes + ENVELOPE_BYTES;
  }

  /**
   * Refuses (IllegalArgumentException with the fix in its message) a configuration under which a
   * replica message could be larger than the Artery frame that carries it. A system without
   * remoting (a local actor provider, in tests) sends nothing between nodes and is not checked.
   */
  public static void check(Config root, long maxObjectBytes, int maxKeyBytes, int maxValueBytes,
      int replicationFactor, long transferBatchBytes, int transferBatchKeys) {
    if (maxObjectBytes < maxValueBytes) {
      throw new IllegalArgumentException("ringstore.requests.max-object-size (" + maxObjectBytes
          + " bytes) must be at least ringstore.requests.max-value-size (" + maxValueBytes
          + " bytes): a key must be able to hold one value of the largest size");
    }
    String provider = root.hasPath("pekko.actor.provider")
        ? root.getString("pekko.actor.provider").toLowerCase(Locale.ROOT) : "local";
    if (!provider.equals("cluster") && !provider.equals("remote")
        && !provider.endsWith("clusteractorrefprovider") && !provider.endsWith("remoteactorrefprovider")) {
      return;
    }
    List<String> large = root.getStringList("pekko.remote.artery.large-message-destinations");
    List<String> missing = OBJECT_DESTINATIONS.stream().filter(d -> !large.contains(d)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("pekko.remote.artery.large-message-destinations lacks "
          + missing + ": replica messages carry whole objects and must travel on Artery's"
          + " large-message lane (ringstore-node.conf lists " + OBJECT_DESTINATIONS
          + "; keep them when setting the list)");
    }
    long frame = root.getBytes("pekko.remote.artery.advanced.maximum-large-frame-size");
    long needed = requiredLargeFrame(maxObjectBytes, maxKeyBytes, replicationFactor);
    if (frame < needed) {
      throw new IllegalArgumentException("pekko.remote.artery.advanced.maximum-large-frame-size ("
          + frame + " bytes) is too small for ringstore.requests.max-object-size (" + maxObjectBytes
          + " bytes): replicas merge objects of up to " + mergeFactor(replicationFactor)
          + " x max-object-size (one per replica, N = " + replicationFactor + ") plus the key and"
          + " " + ENVELOPE_BYTES + " bytes of message, " + needed + " bytes in all; raise the frame"
          + " or lower max-object-size");
    }
    // a transfer batch holds up to batch-size bytes of objects (or one larger object) and its keys
    long batch = transferBatchBytes + (long) transferBatchKeys * maxKeyBytes + ENVELOPE_BYTES;
    if (frame < batch) {
      throw new IllegalArgumentException("pekko.remote.artery.advanced.maximum-large-frame-size ("
          + frame + " bytes) is too small for a partition transfer batch: ringstore.transfers"
          + ".batch-size (" + transferBatchBytes + ") + batch-keys (" + transferBatchKeys + ") x"
          + " max-key-bytes (" + maxKeyBytes + ") + " + ENVELOPE_BYTES + " bytes = " + batch
          + "; raise the frame or lower the batch");
    }
  }
}
