package io.ringstore.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.replica.ReplicaId;
import io.ringstore.transfer.TransferTracker.State;
import io.ringstore.transfer.TransferTracker.Transfer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The registry of partition transfers behind {@code /admin/transfers}: state transitions, counts
 * that accumulate, the rate and the ETA, and final states that stay final.
 */
class TransferTrackerTest {
  private static final String NODE = "127.0.0.1:4";
  private static final ReplicaId ID = new ReplicaId(7, 2);

  private static Transfer only(TransferTracker tracker) {
    List<Transfer> all = tracker.all();
    assertEquals(1, all.size(), "one transfer: " + all);
    return all.get(0);
  }

  @Test
  void beginIsPendingWithNothingCopied() {
    TransferTracker tracker = new TransferTracker(NODE);
    tracker.begin(ID, 1_000);
    Transfer t = only(tracker);
    assertEquals(
        new Transfer("7:2", 7, NODE, null, State.pending, 0, 0, 1_000, 1_000, 0, 0, null), t);
    assertEquals(-1, t.etaSeconds(), "no ETA before the source told its key count");
    assertEquals(0, t.keysPerSecond(), "no rate before the first key");
  }

  @Test
  void walksPendingCopyingSyncingDone_countsAccumulate() {
    TransferTracker tracker = new TransferTracker(NODE);
    tracker.begin(ID, 1_000);
    tracker.copying(ID, "127.0.0.1:1", 1_000, 1_100);
    Transfer copying = only(tracker);
    assertEquals(State.copying, copying.state());
    assertEquals("127.0.0.1:1", copying.source());
    assertEquals(1_000, copying.expectedKeys());

    tracker.copied(ID, 128, 4_000, 1_500);
    tracker.copied(ID, 128, 5_000, 2_000);
    tracker.copied(ID, 44, 1_000, 2_500);
    Transfer copied = only(tracker);
    assertEquals(State.copying, copied.state(), "copied batches keep the state");
    assertEquals(300, copied.keys(), "keys of all batches");
    assertEquals(10_000, copied.bytes(), "bytes of all batches");
    assertEquals(2_500, copied.updatedMillis());
    assertEquals(0, copied.finishedMillis(), "not finished while copying");

    tracker.syncing(ID, null, 3_000);
    Transfer syncing = only(tracker);
    assertEquals(State.syncing, syncing.state());
    assertEquals(300, syncing.keys(), "syncing keeps the copied counts");
    assertEquals("127.0.0.1:1", syncing.source(), "syncing keeps the source");

    tracker.syncing(ID, "no other replica of the partition answered; retrying", 3_500);
    assertEquals(
        "no other replica of the partition answered; retrying",
        only(tracker).error(),
        "the note says what the sync waits for");

    tracker.done(ID, 4_000);
    Transfer done = only(tracker);
    assertEquals(State.done, done.state());
    assertEquals(4_000, done.finishedMillis());
    assertNull(done.error(), "done clears the note");
    assertEquals(300, done.keys());
    assertEquals(10_000, done.bytes());
    assertEquals(1_000, done.startedMillis(), "started stays");
  }

  @Test
  void rateAndEta() {
    TransferTracker tracker = new TransferTracker(NODE);
    tracker.begin(ID, 0);
    tracker.copying(ID, "127.0.0.1:1", 1_500, 0);
    tracker.copied(ID, 500, 50_000, 2_000);
    Transfer t = only(tracker);
    assertEquals(250.0, t.keysPerSecond(), 1e-9, "500 keys in 2 s");
    assertEquals(4.0, t.etaSeconds(), 1e-9, "1000 keys left at 250/s");

    tracker.copied(ID, 1_500, 1, 4_000);
    assertEquals(
        0.0,
        only(tracker).etaSeconds(),
        1e-9,
        "more keys than the source announced: never a negative ETA");

    tracker.syncing(ID, null, 5_000);
    assertEquals(-1, only(tracker).etaSeconds(), 1e-9, "no ETA while syncing");

    tracker.done(ID, 10_000);
    Transfer done = only(tracker);
    assertEquals(0, done.etaSeconds(), 1e-9, "a finished transfer has nothing left");
    assertEquals(200.0, done.keysPerSecond(), 1e-9, "2000 keys from start to finish in 10 s");
  }

  @Test
  void etaIsUnknownWithoutAnExpectedCount() {
    TransferTracker tracker = new TransferTracker(NODE);
    tracker.begin(ID, 0);
    tracker.copying(ID, "127.0.0.1:1", -1, 0);
    tracker.copied(ID, 100, 100, 1_000);
    assertEquals(-1, only(tracker).etaSeconds(), 1e-9, "source did not count its keys");
    assertEquals(100.0, only(tracker).keysPerSecond(), 1e-9);
  }

  @Test
  void rateOfAnInstantBatchIsFinite() {
    TransferTracker tracker = new TransferTracker(NODE);
    tracker.begin(ID, 5_000);
    tracker.copying(ID, "127.0.0.1:1", 10, 5_000);
    tracker.copied(ID, 10, 10, 5_000);
    Transfer t = only(tracker);
    assertTrue(Double.isFinite(t.keysPerSecond()), "rate " + t.keysPerSecond());
    assertEquals(0.0, t.etaSeconds(), 1e-9, "all expected keys copied");
  }

  @Test
  void failedAfterDoneStaysDone() {
    TransferTracker tracker = new TransferTracker(NODE);
    tracker.begin(ID, 0);
    tracker.syncing(ID, null, 10);
    tracker.done(ID, 20);
    tracker.failed(ID, "handed off before it caught up", 30);
    Transfer t = only(tracker);
    assertEquals(State.done, t.state(), "a transfer that finished does not fail afterwards");
    assertEquals(20, t.finishedMillis());
    assertNull(t.error());
  }

  @Test
  void failedWhileSyncing_isFailedWithTheReason() {
    TransferTracker tracker = new TransferTracker(NODE);
    tracker.begin(ID, 0);
    tracker.copying(ID, "127.0.0.1:1", 10, 5);
    tracker.copied(ID, 3, 30, 6);
    tracker.failed(ID, "handed off before it caught up", 30);
    Transfer t = only(tracker);
    assertEquals(State.failed, t.state());
    assertEquals("handed off before it caught up", t.error());
    assertEquals(30, t.finishedMillis());
    assertEquals(3, t.keys(), "the counts so far stay");
  }

  @Test
  void finalStatesAreNotReopenedByLateProgress() {
    // the class Javadoc: done and failed are final
    for (State last : new State[] {State.done, State.failed}) {
      TransferTracker tracker = new TransferTracker(NODE);
      tracker.begin(ID, 0);
      tracker.copying(ID, "127.0.0.1:1", 10, 1);
      if (last == State.done) {
        tracker.done(ID, 2);
      } else {
        tracker.failed(ID, "gone", 2);
      }
      tracker.copied(ID, 5, 50, 3);
      tracker.syncing(ID, "late", 4);
      tracker.copying(ID, "127.0.0.1:2", 10, 5);
      assertEquals(last, only(tracker).state(), "late progress after " + last);
    }
  }

  @Test
  void beginAgainStartsAFreshTransfer() {
    TransferTracker tracker = new TransferTracker(NODE);
    tracker.begin(ID, 0);
    tracker.copying(ID, "127.0.0.1:1", 10, 1);
    tracker.copied(ID, 10, 100, 2);
    tracker.failed(ID, "handed off before it caught up", 3);
    tracker.begin(ID, 100);
    Transfer t = only(tracker);
    assertEquals(State.pending, t.state(), "the latest transfer of the replica id");
    assertEquals(0, t.keys());
    assertEquals(100, t.startedMillis());
  }

  @Test
  void progressOfAnUnknownTransferIsIgnored() {
    TransferTracker tracker = new TransferTracker(NODE);
    tracker.copying(ID, "127.0.0.1:1", 10, 1);
    tracker.copied(ID, 10, 100, 2);
    tracker.syncing(ID, null, 3);
    tracker.done(ID, 4);
    tracker.failed(ID, "x", 5);
    assertEquals(List.of(), tracker.all());
    assertEquals(0, tracker.bytesCopied(), "nor counted");
  }

  @Test
  void keysAndBytesCopiedAddUpOverTransfersAndOutliveThem_theRateIsOfThoseCopyingNow() {
    TransferTracker tracker = new TransferTracker(NODE);
    ReplicaId other = new ReplicaId(9, 0);
    tracker.begin(ID, 1_000);
    tracker.begin(other, 1_000);
    assertEquals(0, tracker.copyRateBytesPerSecond(2_000), "nothing copying: no rate");
    tracker.copying(ID, "127.0.0.1:1", 100, 1_000);
    tracker.copying(other, "127.0.0.1:1", 100, 1_000);
    tracker.copied(ID, 10, 4_000, 1_500);
    tracker.copied(other, 5, 1_000, 1_500);
    assertEquals(15, tracker.keysCopied());
    assertEquals(5_000, tracker.bytesCopied());
    assertEquals(
        2_500,
        tracker.copyRateBytesPerSecond(3_000),
        1e-9,
        "4000 B and 1000 B over the 2 s since each started");
    tracker.syncing(ID, null, 3_000);
    assertEquals(500, tracker.copyRateBytesPerSecond(3_000), 1e-9, "only the one still copying");
    tracker.done(ID, 3_500);
    tracker.copied(ID, 1, 1, 3_600);
    tracker.begin(ID, 4_000);
    assertEquals(
        5_000,
        tracker.bytesCopied(),
        "a finished transfer takes no more bytes, and a new one does not reset the total");
  }

  @Test
  void allIsOrderedByPartitionThenReplica() {
    TransferTracker tracker = new TransferTracker(NODE);
    tracker.begin(new ReplicaId(12, 0), 0);
    tracker.begin(new ReplicaId(3, 2), 0);
    tracker.begin(new ReplicaId(3, 1), 0);
    tracker.begin(new ReplicaId(40, 1), 0);
    assertEquals(
        List.of("3:1", "3:2", "12:0", "40:1"),
        tracker.all().stream().map(Transfer::replica).toList());
    assertTrue(
        tracker.all().stream().allMatch(t -> t.node().equals(NODE)), "every entry names the node");
  }
}
