package io.ringstore.replica;

/**
 * Why a replica did not apply a {@link ReplicaEntity.CoordinatePut}: the {@link
 * ReplicaEntity.PutReply#error()} a write coordinator switches on (serialized by name). Only the
 * refusals carry a message meant for the client ({@link ReplicaEntity.PutReply#reason()}); nothing
 * was stored in any case.
 */
public enum PutError {
  /**
   * The replica got to the request only after its {@code applyWithinMillis} had passed since it
   * arrived: not applied, since another replica may coordinate the write by now (a late apply would
   * add a second dot for the same client write: a false sibling). It still counts once it acks the
   * replicated object.
   */
  EXPIRED("coordinate-put expired: not applied"),
  /**
   * The replica is still catching up after a move: it lacks objects, so it must not add a dot of
   * its own; another replica applies the write, and this one still stores the result.
   */
  SYNCING("replica is catching up after a move: not applied"),
  /**
   * The write's causal context names versions the stored clock does not hold. Another replica may
   * hold them (this one may be behind), so the coordinator tries the next one.
   */
  CONTEXT_NOT_HELD(null),
  /** The write would leave the key with more siblings than allowed. */
  TOO_MANY_SIBLINGS(null),
  /**
   * The write would leave the key's object larger than {@code ringstore.requests.max-object-size}.
   */
  OBJECT_TOO_LARGE(null),
  /** The storage call failed (the reason names the exception). */
  STORAGE_FAILED(null);

  private final String fixedReason;

  PutError(String fixedReason) {
    this.fixedReason = fixedReason;
  }

  /** The reason text of an error that always has the same one (null for the others). */
  public String fixedReason() {
    return fixedReason;
  }

  /** The error of a write {@link WriteAdmission} refused. */
  public static PutError of(WriteAdmission.Refusal refusal) {
    return switch (refusal) {
      case CONTEXT_NOT_HELD -> CONTEXT_NOT_HELD;
      case TOO_MANY_SIBLINGS -> TOO_MANY_SIBLINGS;
      case OBJECT_TOO_LARGE -> OBJECT_TOO_LARGE;
    };
  }
}
