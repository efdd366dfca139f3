package io.ringstore.replica;

import io.ringstore.version.DvvSet;
import io.ringstore.version.VersionVector;
import java.util.Optional;

/**
 * Decides whether a client's write may be applied at the coordinating replica, the one place where
 * a write enters the store (DESIGN invariants 5 and 6). Two rules, checked against the key's stored
 * object under its lock:
 *
 * <ul>
 *   <li>the write's causal context may only name what the stored clock already holds (every actor
 *       known, no counter beyond the stored one): a context is a claim about versions the cluster
 *       issued, never state to adopt, so a made-up context can neither add actors to the key's
 *       clock nor push a counter toward overflow;
 *   <li>a write may not leave the key with more than {@code maxSiblings} siblings unless it leaves
 *       fewer than were there (a resolving write is always accepted);
 *   <li>a write may not leave the key's encoded object (all siblings and their clock) larger than
 *       {@code maxObjectBytes}, also on a key that merges made larger, so every object a client
 *       write creates, and every merge of the replicas' objects, fits the internode frame that
 *       carries it (DESIGN invariant 6).
 * </ul>
 *
 * A context that names more than the stored clock holds is refused (HTTP 400, nothing stored)
 * rather than narrowed to what is held: such a context is made up, damaged, or from before the key
 * was deleted and reaped, and a write narrowed in silence would not supersede what its client meant
 * it to (a resolving write would leave the siblings it was sent to resolve). Availability does not
 * suffer for a replica that is merely behind: its refusal makes the coordinator ask the next
 * replica, and the write is a 400 only when every replica answered and none holds the context (a
 * replica that does not answer makes it a 503, to retry). Because nothing a client sends is merged,
 * no counter can be pushed toward overflow, and a key's clock names only the nodes that coordinated
 * its writes; what the server hands out is bounded separately ({@code
 * CausalContextCodec#contextOf}).
 *
 * <p>Merges of whole objects (replication, read repair, hints, transfers, anti-entropy) never pass
 * here: they add no write. Pure.
 */
public final class WriteAdmission {
  private WriteAdmission() {}

  /**
   * How many siblings a client write may leave on a key, from how many on it is logged, and how
   * large (encoded, in bytes) the key's object may grow through a client write.
   */
  public record Limits(int maxSiblings, int warnSiblings, long maxObjectBytes) {
    /** No limit (tests of the data path that do not care). */
    public static final Limits UNLIMITED =
        new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);

    /** Sibling limits without an object size limit. */
    public Limits(int maxSiblings, int warnSiblings) {
      this(maxSiblings, warnSiblings, Long.MAX_VALUE);
    }

    public Limits {
      if (maxSiblings < 1 || warnSiblings < 1 || warnSiblings > maxSiblings) {
        throw new IllegalArgumentException(
            "need 1 <= warnSiblings <= maxSiblings, got " + warnSiblings + ", " + maxSiblings);
      }
      if (maxObjectBytes < 1) {
        throw new IllegalArgumentException("need maxObjectBytes >= 1, got " + maxObjectBytes);
      }
    }
  }

  /** Why a write was refused; nothing was stored. */
  public enum Refusal {
    /** The context names an actor or a counter the stored clock does not hold. */
    CONTEXT_NOT_HELD,
    /** The write would leave more siblings than the limit. */
    TOO_MANY_SIBLINGS,
    /** The write would leave the key's object larger than the limit. */
    OBJECT_TOO_LARGE
  }

  /**
   * Thrown by {@link LocalObjectStore#coordinate} for a refused write; the message is for the
   * client.
   */
  public static final class WriteRefusedException extends RuntimeException {
    private final Refusal refusal;

    public WriteRefusedException(Refusal refusal, String message) {
      super(message, null, false, false);
      this.refusal = refusal;
    }

    public Refusal refusal() {
      return refusal;
    }
  }

  /** Whether {@code context} names only actors and counters that {@code stored} holds. */
  public static boolean contextHeld(DvvSet<?> stored, Optional<VersionVector> context) {
    return context.isEmpty() || stored.join().descends(context.get());
  }

  /** Whether going from {@code current} to {@code updated} breaks the sibling limit. */
  public static boolean tooManySiblings(DvvSet<?> current, DvvSet<?> updated, Limits limits) {
    return updated.size() > limits.maxSiblings() && updated.size() > current.size();
  }

  /**
   * Whether a client write that leaves the key's object {@code updatedBytes} long (encoded) breaks
   * the object size limit. Every object a client write leaves is at most the limit, also on a key
   * that merges made larger (a write that only shrinks such an object is refused too): the live
   * siblings that one replica's writes created then total at most the limit, so the merge of the N
   * replicas' objects (read repair, hints, transfers, anti-entropy) is at most N times it, the
   * bound the internode frame is sized for ({@code InternodeFrames}). A write with the context of a
   * read resolves all siblings and always fits.
   */
  public static boolean objectTooLarge(long updatedBytes, Limits limits) {
    return updatedBytes > limits.maxObjectBytes();
  }

  /** Whether the write adds a sibling at or past the warning threshold. */
  public static boolean warn(DvvSet<?> current, DvvSet<?> updated, Limits limits) {
    return updated.size() >= limits.warnSiblings() && updated.size() > current.size();
  }

  static final String CONTEXT_NOT_HELD_MESSAGE =
      "the causal context names versions that no replica"
          + " of this key holds (a made-up or damaged context, or one from before the key was deleted):"
          + " read the key and write with the context the read returns";

  static String objectTooLargeMessage(long updatedBytes, int siblings, Limits limits) {
    return "the write would make the key's object "
        + updatedBytes
        + " bytes, all "
        + siblings
        + " siblings together (the limit is "
        + limits.maxObjectBytes()
        + " bytes): resolve the"
        + " siblings (read, then write with the X-Causal-Context the read returns), or write a"
        + " smaller value";
  }

  static String tooManySiblingsMessage(int siblings, Limits limits) {
    return "the key holds "
        + siblings
        + " siblings and a write without a context that covers them"
        + " would add another (the limit is "
        + limits.maxSiblings()
        + "): read the key and write the"
        + " resolved value with the context the read returns";
  }
}
