package io.ringstore.replica;

/**
 * Until when a replica may still apply a {@link ReplicaEntity.CoordinatePut} that carries a budget
 * ({@code applyWithinMillis}): {@code budgetNanos} after the replica received it, both read on the
 * replica's own monotonic clock. Nothing here is a reading of another node's clock, so how far the
 * nodes' wall clocks are apart changes nothing (issue 10, item 5); why a budget counted from
 * receipt is enough for the coordinator is explained on {@link ReplicaEntity.CoordinatePut}. Pure.
 */
record ApplyDeadline(long receivedNanos, long budgetNanos) {

  /** No deadline: the replica applies the write whenever it gets to it. */
  static final ApplyDeadline NONE = new ApplyDeadline(0, 0);

  /**
   * The deadline of a request with budget {@code applyWithinMillis} (0: none) received at {@code
   * receivedNanos}.
   */
  static ApplyDeadline of(long applyWithinMillis, long receivedNanos) {
    return applyWithinMillis <= 0
        ? NONE
        : new ApplyDeadline(receivedNanos, Math.multiplyExact(applyWithinMillis, 1_000_000L));
  }

  /**
   * Whether the budget is used up at {@code nowNanos} (the same monotonic clock as {@code
   * receivedNanos}; compared as a difference, so a wrap of the nano counter does not matter).
   */
  boolean passed(long nowNanos) {
    return budgetNanos > 0 && nowNanos - receivedNanos >= budgetNanos;
  }
}
