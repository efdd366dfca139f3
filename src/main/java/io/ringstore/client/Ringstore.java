package io.ringstore.client;

import io.ringstore.CborSerializable;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The public message protocol for actor apps: send these to the gateway of a {@link
 * RingstoreClient} ({@link RingstoreClient#gateway()}). Every request gets exactly one reply,
 * within its timeout (plus scheduling): a {@link ReadResult} or {@link WriteResult}; an invalid
 * request is answered with {@code Outcome.Rejected} and changes nothing, as is a write the key's
 * replica refused (its {@code kind}: {@code TOO_MANY_SIBLINGS}, or {@code OBJECT_TOO_LARGE} when
 * the key's object would pass {@code ringstore.requests.max-object-size}; resolve the siblings with
 * the context of a read).
 */
public final class Ringstore {
  private Ringstore() {}

  /** Messages the gateway accepts. */
  public interface Command extends CborSerializable {}

  /** Read a key. */
  public record Get(String key, ReadOptions options, ActorRef<ReadResult> replyTo)
      implements Command {}

  /**
   * Write a value. {@code context} (nullable) is the causal context of an earlier read: the
   * siblings it covers are replaced; without one the value becomes a sibling of whatever is stored.
   */
  @SuppressWarnings("ArrayRecordComponent") // sent over the wire (CBOR), never compared
  public record Put(
      String key,
      byte[] value,
      String contentType,
      String context,
      WriteOptions options,
      ActorRef<WriteResult> replyTo)
      implements Command {}

  /**
   * Delete a key: a tombstone replacing what {@code context} covers, or (context null) what the
   * coordinating replica holds.
   */
  public record Delete(
      String key, String context, WriteOptions options, ActorRef<WriteResult> replyTo)
      implements Command {}
}
