package io.ringstore.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-peer bound on unconfirmed bytes: acquire, confirm by mark, release on a peer's exit. */
class PeerBytesTest {
  private static final String A = "127.0.0.1:2551";
  private static final String B = "127.0.0.1:2552";

  @Test
  void bytesPastTheBoundAreRefusedPerPeerAndCounted() {
    PeerBytes bytes = PeerBytes.of(100);
    assertTrue(bytes.tryAcquire(A, 60), "fits");
    assertTrue(bytes.tryAcquire(A, 40), "fits exactly");
    assertFalse(bytes.tryAcquire(A, 1), "one byte past the bound");
    assertTrue(bytes.tryAcquire(B, 100), "another peer has its own bound");
    assertEquals(100, bytes.outstanding(A));
    assertEquals(200, bytes.outstandingTotal());
    assertEquals(1, bytes.refusals());
    assertEquals(List.of(A, B), bytes.peersWithOutstanding().stream().sorted().toList());
  }

  @Test
  void oneMessageLargerThanTheBoundGoesAloneOnly() {
    PeerBytes bytes = PeerBytes.of(100);
    assertTrue(bytes.tryAcquire(A, 500), "nothing outstanding: goes alone");
    assertFalse(bytes.tryAcquire(A, 1), "nothing more while it is unconfirmed");
    bytes.confirm(A, bytes.mark(A));
    assertEquals(0, bytes.outstanding(A));
    assertTrue(bytes.tryAcquire(A, 1));
  }

  @Test
  void aConfirmationGivesBackOnlyWhatWasAcquiredBeforeItsMark() {
    PeerBytes bytes = PeerBytes.of(1000);
    bytes.tryAcquire(A, 300);
    long mark = bytes.mark(A);
    bytes.tryAcquire(A, 200);
    bytes.confirm(A, mark);
    assertEquals(200, bytes.outstanding(A), "the message after the mark is still unconfirmed");
    bytes.confirm(A, mark - 100);
    assertEquals(200, bytes.outstanding(A), "an older confirmation takes nothing back");
    bytes.confirm(A, bytes.mark(A));
    assertEquals(0, bytes.outstanding(A));
    assertTrue(bytes.peersWithOutstanding().isEmpty());
  }

  @Test
  void aPeerThatLeftOrRestartedGivesEverythingBack() {
    PeerBytes bytes = PeerBytes.of(100);
    bytes.tryAcquire(A, 100);
    bytes.tryAcquire(B, 50);
    bytes.releaseAll(A);
    assertEquals(0, bytes.outstanding(A));
    assertEquals(50, bytes.outstanding(B), "other peers unchanged");
    assertTrue(bytes.tryAcquire(A, 100));
    bytes.releaseAll("127.0.0.1:9999");
    bytes.confirm("127.0.0.1:9999", 10);
    assertEquals(0, bytes.outstanding("127.0.0.1:9999"), "an unknown peer has nothing outstanding");
  }

  @Test
  void unlimitedNeverRefusesAndBadArgumentsAreRefused() {
    PeerBytes unlimited = PeerBytes.unlimited();
    for (int i = 0; i < 1000; i++) {
      assertTrue(unlimited.tryAcquire(A, Integer.MAX_VALUE));
    }
    assertThrows(IllegalArgumentException.class, () -> PeerBytes.of(0));
    assertThrows(IllegalArgumentException.class, () -> PeerBytes.of(10).tryAcquire(A, -1));
  }

  @Test
  void concurrentSendersNeverTakeMoreThanTheBound() throws Exception {
    PeerBytes bytes = PeerBytes.of(10_000);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicLong granted = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < 4; t++) {
      pool.submit(
          () -> {
            start.await();
            for (int i = 0; i < 10_000; i++) {
              if (bytes.tryAcquire(A, 7)) {
                granted.addAndGet(7);
              }
            }
            return null;
          });
    }
    start.countDown();
    pool.shutdown();
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    assertEquals(granted.get(), bytes.outstanding(A));
    assertTrue(granted.get() <= 10_000, "granted " + granted.get());
    assertTrue(granted.get() > 10_000 - 7, "filled up to the bound: " + granted.get());
  }
}
