package io.ringstore.config;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Checks at start-up that every object the store accepts can travel between nodes (DESIGN invariant
 * 6). Replica messages carry whole objects: a client write's object of up to {@code
 * ringstore.requests.max-object-size}, and merges of replicas' objects (read repair, hints,
 * transfers, anti-entropy are never refused, and replicas that each accepted writes while apart
 * merge above the limit; a merge above two objects' worth travels in parts, {@code
 * io.ringstore.storage.ObjectParts}, so the frame must hold two objects, and holds N for N > 2 so
 * that the usual merges of N replicas go whole). Artery drops a message larger than its lane's
 * frame (an {@code OversizedPayloadException}, logged on the sender and never delivered), so every
 * actor that receives objects is on Artery's large-message lane ({@code
 * large-message-destinations}) and that lane's frame ({@code maximum-large-frame-size}) holds
 * {@code max(2, N)} objects at the limit plus the message's own bytes. The check proves it message
 * kind by message kind: the actor each kind is sent to (as its path looks on a node, {@link
 * #OBJECT_MESSAGES}) must match a pattern of {@code large-message-destinations} (Pekko's rules:
 * {@code *} one element, a trailing {@code **} one or more), and the largest message of each kind
 * must fit the large frame. It also requires one inbound lane: with more, Pekko reports the stop of
 * a watched remote actor only after its flush timeout while the large lane is in use
 * (akka/akka-core#32963), and routes to moved replica entities stay stale that long. A
 * configuration that breaks any of this refuses to start. Pure.
 */
public final class InternodeFrames {
  private InternodeFrames() {}

  /**
   * A kind of message that carries objects ({@code kinds}, for the error message) and the path of
   * an actor it is sent to, as such an actor's path looks on a node.
   */
  public record ObjectMessage(String kinds, String recipient) {}

  /**
   * Every message that carries objects, by where it goes: replica commands through sharding (the
   * remote shard region receives them) or on a direct route to the entity; the replies to the
   * coordinators of a node's {@code RingstoreClient} (the gateway's children); hints to a fallback
   * node's hint manager and its stores; the exchanges of anti-entropy sessions and of transfers
   * (children of the entity), the batches of a partition copy (to the transfer's adapter); the
   * partition sources' copies of released partitions; the replies to asks (tools reading a replica
   * directly; the admin view of a key reads through a child of the gateway); and the peer-flow
   * actor's flushes, which carry no object but must follow the objects they confirm on their lane
   * ({@code io.ringstore.coordinator.PeerFlow}).
   */
  public static final List<ObjectMessage> OBJECT_MESSAGES =
      List.of(
          new ObjectMessage(
              "Read, CoordinatePut, Replicate, repairs and hint deliveries through sharding",
              "/system/sharding/replica"),
          new ObjectMessage(
              "Read, CoordinatePut, Replicate on a direct route to a replica entity",
              "/system/sharding/replica/17%3A0/17%3A0"),
          new ObjectMessage(
              "ReadReply and PutReply to a coordinator", "/system/ringstore-gateway/$a"),
          new ObjectMessage("StoreHint to a fallback node's hint manager", "/system/hint-manager"),
          new ObjectMessage("StoreHint to a hint store", "/system/hint-manager/hints-17:0"),
          new ObjectMessage("ReadReply to an anti-entropy exchange", "/system/anti-entropy/$a"),
          new ObjectMessage(
              "Batch of a partition copy to a transfer",
              "/system/sharding/replica/17%3A0/17%3A0/transfer/$$a-adapter"),
          new ObjectMessage(
              "ReadReply to a transfer's exchange",
              "/system/sharding/replica/17%3A0/17%3A0/transfer/$a"),
          new ObjectMessage(
              "Read and Replicate to a previous host's copy of a partition",
              "/system/partition-source/partition-17"),
          new ObjectMessage("ReadReply to an ask (tools reading one replica directly)", "/temp/$a"),
          new ObjectMessage(
              "Flush confirming the replica messages queued before it (it must follow"
                  + " them on their lane)",
              "/system/peer-flow"));

  /**
   * The large-message destinations a node uses ({@code ringstore-node.conf}): every {@link
   * #OBJECT_MESSAGES} recipient matches one of them, and nothing else does but the children of the
   * gateway's coordinators and of the other object receivers.
   */
  public static final List<String> OBJECT_DESTINATIONS =
      List.of(
          "/system/sharding/replica",
          "/system/sharding/replica/**",
          "/system/ringstore-gateway/**",
          "/system/anti-entropy/**",
          "/system/hint-manager",
          "/system/hint-manager/**",
          "/system/partition-source/**",
          "/system/peer-flow",
          "/temp/**");

  /**
   * Bytes of a replica message besides its object: the key, replica and node names, CBOR, envelope.
   */
  static final long ENVELOPE_BYTES = 16 * 1024;

  /** How many objects at the limit one message may have to carry: {@code max(2, n)}. */
  public static int mergeFactor(int replicationFactor) {
    return Math.max(2, replicationFactor);
  }

  /** The large-message frame this configuration needs for one object, in bytes. */
  public static long requiredLargeFrame(
      long maxObjectBytes, int maxKeyBytes, int replicationFactor) {
    return mergeFactor(replicationFactor) * maxObjectBytes + maxKeyBytes + ENVELOPE_BYTES;
  }

  /**
   * Whether the actor path {@code path} matches the {@code large-message-destinations} pattern
   * {@code pattern} as Pekko matches them ({@code WildcardIndex}): element by element, {@code *}
   * matching any one element and {@code abc*} any element starting with {@code abc}; a last {@code
   * **} matches one or more further elements (not none: {@code /a/**} does not match {@code /a}).
   */
  static boolean matches(String pattern, String path) {
    String[] p = elements(pattern);
    String[] e = elements(path);
    for (int i = 0; i < p.length; i++) {
      if (p[i].equals("**") && i == p.length - 1) {
        return e.length > i;
      }
      if (i >= e.length) {
        return false;
      }
      boolean same =
          p[i].equals("*")
              || p[i].equals(e[i])
              || (p[i].endsWith("*") && e[i].startsWith(p[i].substring(0, p[i].length() - 1)));
      if (!same) {
        return false;
      }
    }
    return p.length == e.length;
  }

  private static String[] elements(String path) {
    return Arrays.stream(path.split("/")).filter(e -> !e.isEmpty()).toArray(String[]::new);
  }

  /**
   * Refuses (IllegalArgumentException with the fix in its message) a configuration under which a
   * replica message could be larger than the Artery frame that carries it. A system without
   * remoting (a local actor provider, in tests) sends nothing between nodes and is not checked.
   */
  public static void check(
      Config root,
      long maxObjectBytes,
      int maxKeyBytes,
      int maxValueBytes,
      int replicationFactor,
      long transferBatchBytes,
      int transferBatchKeys) {
    if (maxObjectBytes < maxValueBytes) {
      throw new IllegalArgumentException(
          "ringstore.requests.max-object-size ("
              + maxObjectBytes
              + " bytes) must be at least ringstore.requests.max-value-size ("
              + maxValueBytes
              + " bytes): a key must be able to hold one value of the largest size");
    }
    String provider =
        root.hasPath("pekko.actor.provider")
            ? root.getString("pekko.actor.provider").toLowerCase(Locale.ROOT)
            : "local";
    if (!provider.equals("cluster")
        && !provider.equals("remote")
        && !provider.endsWith("clusteractorrefprovider")
        && !provider.endsWith("remoteactorrefprovider")) {
      return;
    }
    List<String> large = root.getStringList("pekko.remote.artery.large-message-destinations");
    List<ObjectMessage> missing =
        OBJECT_MESSAGES.stream()
            .filter(m -> large.stream().noneMatch(pattern -> matches(pattern, m.recipient())))
            .toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "pekko.remote.artery.large-message-destinations "
              + large
              + " lacks a pattern for "
              + missing.stream().map(m -> m.recipient() + " (" + m.kinds() + ")").toList()
              + ": replica messages carry whole objects and must travel on Artery's large-message"
              + " lane (ringstore-node.conf lists "
              + OBJECT_DESTINATIONS
              + "; keep them when setting the list)");
    }
    int inboundLanes = root.getInt("pekko.remote.artery.advanced.inbound-lanes");
    boolean flushes =
        !root.getString("pekko.remote.artery.advanced.death-watch-notification-flush-timeout")
            .equalsIgnoreCase("off");
    if (inboundLanes != 1 && flushes) {
      throw new IllegalArgumentException(
          "pekko.remote.artery.advanced.inbound-lanes = "
              + inboundLanes
              + " with the large-message lane on: Pekko then waits for more flush"
              + " acknowledgements than it sends before every remote Terminated (akka/akka-core#32963),"
              + " so each stop of a watched remote actor is reported only after"
              + " death-watch-notification-flush-timeout and routes to moved replicas stay stale that"
              + " long; set inbound-lanes = 1 (ringstore-node.conf does)");
    }
    long frame = root.getBytes("pekko.remote.artery.advanced.maximum-large-frame-size");
    long needed = requiredLargeFrame(maxObjectBytes, maxKeyBytes, replicationFactor);
    if (frame < needed) {
      throw new IllegalArgumentException(
          "pekko.remote.artery.advanced.maximum-large-frame-size ("
              + frame
              + " bytes) is too small for ringstore.requests.max-object-size ("
              + maxObjectBytes
              + " bytes): replicas merge objects of up to "
              + mergeFactor(replicationFactor)
              + " x max-object-size (one per replica, N = "
              + replicationFactor
              + ") plus the key and"
              + " "
              + ENVELOPE_BYTES
              + " bytes of message, "
              + needed
              + " bytes in all; raise the frame"
              + " or lower max-object-size");
    }
    // a transfer batch holds up to batch-size bytes of objects and their keys, or one larger object
    // (checked above)
    long batch = transferBatchBytes + (long) transferBatchKeys * maxKeyBytes + ENVELOPE_BYTES;
    if (frame < batch) {
      throw new IllegalArgumentException(
          "pekko.remote.artery.advanced.maximum-large-frame-size ("
              + frame
              + " bytes) is too small for a partition transfer batch: ringstore.transfers"
              + ".batch-size ("
              + transferBatchBytes
              + ") + batch-keys ("
              + transferBatchKeys
              + ") x"
              + " max-key-bytes ("
              + maxKeyBytes
              + ") + "
              + ENVELOPE_BYTES
              + " bytes = "
              + batch
              + "; raise the frame or lower the batch");
    }
  }
}
