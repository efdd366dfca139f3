package io.ringstore.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Whether a node that released a partition is still its copy source: decided from the age the
 * source reports (measured on its clock) plus the time since this node asked (on this node's
 * monotonic clock), never from a time of one node compared with the clock of another.
 */
class PartitionTransferWindowTest {

  private record Case(
      String name,
      Long releasedMillisAgo,
      long sinceDescribedMillis,
      long windowMillis,
      boolean recent) {}

  @Test
  void aReleaseIsRecentWhileItsAgeUpperBoundIsWithinTheWindow() {
    long hour = 3_600_000L;
    Case[] cases = {
      new Case("no release", null, 0, hour, false),
      new Case("just released", 0L, 0, hour, true),
      new Case("released a minute ago, answered at once", 60_000L, 5, hour, true),
      new Case("exactly the window", hour - 100, 100, hour, true),
      new Case("the answer's way back pushes it past the window", hour - 100, 101, hour, false),
      new Case("older than the window", hour + 1, 0, hour, false),
      new Case("a negative age is no release", -1L, 0, hour, false),
    };
    for (Case c : cases) {
      assertEquals(
          c.recent(),
          PartitionTransfer.recent(
              c.releasedMillisAgo(), c.sinceDescribedMillis(), c.windowMillis()),
          c.name());
    }
  }
}
