package io.ringstore.handoff;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The disk steps of one {@link HintStore}: its hint values in {@link HintValues}, addressed by
 * index entry ({@link HintQueue.Hint}). Plain Java, no Pekko: each step runs on the values'
 * executor (the storage dispatcher) and returns a stage that the store pipes to itself, so the
 * actor never waits for the disk. What to do with each result (persist, refuse, log) is the
 * store's.
 */
final class HintStoreValues {

  /**
   * A new hint's value is stored as {@code hint}; {@code replaced} is the queued hint it was merged
   * with (null for a new key), {@code replacedLost} whether that one's value was missing or
   * damaged.
   */
  record Stored(HintQueue.Hint hint, HintQueue.Hint replaced, boolean replacedLost) {}

  /** A queued value read back: its object, or null and why ({@code lost}: missing or damaged). */
  @SuppressWarnings("ArrayRecordComponent") // carries the array as it is, never compared
  record Read(byte[] object, String lost) {}

  /**
   * The values checked against the index: how many unnamed ones were deleted, which hints lack one.
   */
  record Checked(int orphans, List<HintQueue.Hint> missing) {}

  private final HintValues values;
  private final String persistenceId;

  HintStoreValues(HintValues values, String persistenceId) {
    this.values = values;
    this.persistenceId = persistenceId;
  }

  HintValues.ValueId id(HintQueue.Hint hint) {
    return new HintValues.ValueId(persistenceId, hint.key(), hint.digest(), hint.ref());
  }

  /**
   * Stores the value of a new hint for {@code key}, as a new copy: {@code object} as is when the
   * key is not queued; when it is, the merge of the queued object (read back) and {@code object},
   * created at the later of the two times (the new object alone when the queued one is missing or
   * damaged).
   */
  CompletionStage<Stored> store(
      Optional<HintQueue.Hint> queued, String key, byte[] object, long nowMillis) {
    long ref = ThreadLocalRandom.current().nextLong();
    if (queued.isEmpty()) {
      return values
          .calls()
          .call(() -> HintQueue.Hint.of(key, object, nowMillis, ref))
          .thenCompose(
              hint ->
                  values.put(id(hint), object).thenApply(done -> new Stored(hint, null, false)));
    }
    HintQueue.Hint old = queued.get();
    return read(old)
        .thenCompose(
            found -> {
              byte[] next =
                  found.object() != null ? HintQueue.merge(found.object(), object) : object;
              HintQueue.Hint hint =
                  HintQueue.Hint.of(key, next, Math.max(old.createdAtMillis(), nowMillis), ref);
              return values
                  .put(id(hint), next)
                  .thenApply(done -> new Stored(hint, old, found.object() == null));
            });
  }

  /** Reads the value of {@code hint}, checking it against the hint's digest. */
  CompletionStage<Read> read(HintQueue.Hint hint) {
    return values
        .get(id(hint))
        .thenApply(
            found -> {
              if (found.isEmpty()) {
                return new Read(null, "missing");
              }
              return HintQueue.digest(found.get()).equals(hint.digest())
                  ? new Read(found.get(), null)
                  : new Read(null, "damaged (its digest does not match)");
            });
  }

  /**
   * Compares the values on disk with the recovered index {@code queued}: deletes the values no
   * entry names (a crash after a value was stored and before its event, or after the event that
   * removed it) and reports the entries whose value is missing.
   */
  CompletionStage<Checked> check(List<HintQueue.Hint> queued) {
    Set<HintValues.ValueId> indexed = new HashSet<>();
    queued.forEach(h -> indexed.add(id(h)));
    return values
        .list(persistenceId)
        .thenCompose(
            stored -> {
              Set<HintValues.ValueId> present = new HashSet<>(stored);
              List<HintValues.ValueId> orphans =
                  stored.stream().filter(id -> !indexed.contains(id)).toList();
              List<HintQueue.Hint> missing =
                  queued.stream().filter(h -> !present.contains(id(h))).toList();
              return values.delete(orphans).thenApply(done -> new Checked(orphans.size(), missing));
            });
  }

  /** Deletes the values of {@code hints}. */
  CompletionStage<Void> delete(List<HintQueue.Hint> hints) {
    return values.delete(hints.stream().map(this::id).toList());
  }
}
