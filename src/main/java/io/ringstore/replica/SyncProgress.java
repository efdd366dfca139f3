package io.ringstore.replica;

/**
 * Where a replica entity reports how its catching up goes (DESIGN invariant 2): begun when it
 * starts a transfer, done once the transfer completed (it counts toward R from then on), failed
 * when the entity stopped first. The node's {@code io.ringstore.transfer.TransferTracker}
 * implements it and reports it on {@code /admin/transfers}; this package does not depend on that
 * one.
 */
public interface SyncProgress {
  /** Reports nowhere: for hosts whose entities never sync (tests of the data path alone). */
  SyncProgress NONE =
      new SyncProgress() {
        @Override
        public void begin(ReplicaId id, long now) {}

        @Override
        public void done(ReplicaId id, long now) {}

        @Override
        public void failed(ReplicaId id, String error, long now) {}
      };

  /** Entity {@code id} started a transfer at {@code now} (epoch millis). */
  void begin(ReplicaId id, long now);

  /** Entity {@code id}'s transfer completed; ignored for an entity without a transfer running. */
  void done(ReplicaId id, long now);

  /** Entity {@code id} stopped (handed off) before its transfer completed. */
  void failed(ReplicaId id, String error, long now);
}
