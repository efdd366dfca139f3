package io.ringstore.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Leaving members stay out of the ring while their announcements are fresh, and only then. */
class DrainingMembersTest {
  private static final long TTL = 10_000;
  private static final String A = "127.0.0.1:1";
  private static final String B = "127.0.0.1:2";

  @ParameterizedTest(name = "{0} ms after the announcement: draining={1}")
  @CsvSource({
    "0,true",
    "1,true",
    "9999,true",
    "10000,true",
    "10001,false",
    "60000,false",
    "100001,false"
  })
  void freshUntilTheTtl(long elapsed, boolean draining) {
    DrainingMembers members = new DrainingMembers(TTL);
    members.announced(A, 1_000_000);
    assertEquals(
        draining ? Set.of(A) : Set.of(),
        members.draining(1_000_000 + elapsed),
        elapsed + " ms after the announcement");
  }

  @Test
  void withoutATimeGiven_itReadsItsOwnClock() {
    AtomicLong clock = new AtomicLong(-50);
    DrainingMembers members = new DrainingMembers(TTL, clock::get);
    members.announced(A);
    clock.addAndGet(TTL);
    assertEquals(Set.of(A), members.draining(), "fresh for the TTL after it was received here");
    clock.incrementAndGet();
    assertEquals(Set.of(), members.draining(), "expired 1 ms later");
  }

  @Test
  void aNewAnnouncementRefreshes() {
    DrainingMembers members = new DrainingMembers(TTL);
    members.announced(A, 0);
    members.announced(A, 8_000);
    assertEquals(Set.of(A), members.draining(15_000), "refreshed at 8 s, fresh until 18 s");
    assertEquals(Set.of(), members.draining(18_001));
  }

  @Test
  void eachMemberExpiresOnItsOwn() {
    DrainingMembers members = new DrainingMembers(TTL);
    members.announced(A, 0);
    members.announced(B, 5_000);
    assertEquals(Set.of(A, B), members.draining(9_000));
    assertEquals(Set.of(B), members.draining(12_000), "A expired, B still fresh");
    assertEquals(Set.of(), members.draining(16_000));
  }

  @Test
  void aMemberThatWasPurgedComesBackWhenItAnnouncesAgain() {
    DrainingMembers members = new DrainingMembers(TTL);
    members.announced(A, 0);
    assertEquals(Set.of(), members.draining(200_000), "long expired (and forgotten)");
    members.announced(A, 200_000);
    assertEquals(Set.of(A), members.draining(200_001));
  }

  @Test
  void nobodyDrainsAtFirst_andTheSetIsUnmodifiable() {
    DrainingMembers members = new DrainingMembers(TTL);
    assertEquals(Set.of(), members.draining(0));
    members.announced(A, 0);
    Set<String> draining = members.draining(0);
    assertThrows(UnsupportedOperationException.class, () -> draining.add(B));
  }
}
