package io.ringstore.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RingTest {

  private static final RingConfig DEFAULT = RingConfig.defaults();

  /** Address families used throughout: realistic local ports and random-ish host names. */
  enum Family {
    LOCAL_PORTS {
      @Override
      String address(int i) {
        return "127.0.0.1:" + (25520 + i);
      }
    },
    HOSTNAMES {
      @Override
      String address(int i) {
        return "node-" + Integer.toHexString(i * 2654435 + 77) + ".ringstore.svc:2552";
      }
    },
    PRIVATE_IPS {
      @Override
      String address(int i) {
        return "10.0." + (i / 3) + "." + (i * 7 % 255) + ":" + (2552 + i);
      }
    };

    abstract String address(int i);

    List<String> members(int m) {
      return IntStream.range(0, m).mapToObj(this::address).collect(Collectors.toList());
    }
  }

  private static Stream<Arguments> familiesAndSizes(int from, int to) {
    return Stream.of(Family.values())
        .flatMap(f -> IntStream.rangeClosed(from, to).mapToObj(m -> Arguments.of(f, m)));
  }

  static Stream<Arguments> sizes1to12() {
    return familiesAndSizes(1, 12);
  }

  static Stream<Arguments> sizes3to12() {
    return familiesAndSizes(3, 12);
  }

  static Stream<Arguments> sizes3to11() {
    return familiesAndSizes(3, 11);
  }

  static Stream<Arguments> sizes4to12() {
    return familiesAndSizes(4, 12);
  }

  /** Replica slots of {@code before} whose member is no longer a replica in {@code after}. */
  private static int movedSlots(Ring before, Ring after) {
    int moved = 0;
    for (int p = 0; p < before.partitionCount(); p++) {
      for (String member : before.replicas(p)) {
        if (!after.isReplica(p, member)) {
          moved++;
        }
      }
    }
    return moved;
  }

  // ---------------------------------------------------------------- basic shape

  @Test
  void emptyRingHasNoReplicasButStillPartitionsKeys() {
    Ring ring = Ring.of(DEFAULT, List.of());
    assertTrue(ring.members().isEmpty(), "no members");
    assertTrue(ring.replicaSlotsPerMember().isEmpty(), "no slots");
    for (int p = 0; p < ring.partitionCount(); p++) {
      assertTrue(ring.replicas(p).isEmpty(), "replicas of p" + p);
      assertTrue(ring.fallbacks(p).isEmpty(), "fallbacks of p" + p);
      assertTrue(ring.preferenceList(p).isEmpty(), "preference of p" + p);
      assertFalse(ring.isReplica(p, "127.0.0.1:25520"), "isReplica p" + p);
    }
    assertEquals(KeyHash.partitionOf("user:42", 64), ring.partitionOf("user:42"), "partitionOf");
  }

  @Test
  void accessorsReflectConfigAndKeysAgreeAcrossEncodings() {
    Ring ring = Ring.of(new RingConfig(256, 16, 2), Family.LOCAL_PORTS.members(4));
    assertEquals(256, ring.partitionCount(), "Q");
    assertEquals(2, ring.replicationFactor(), "N");
    assertEquals(new RingConfig(256, 16, 2), ring.config(), "config");
    for (String key : List.of("", "a", "user:42", "ключ", "x".repeat(100))) {
      assertEquals(
          ring.partitionOf(key),
          ring.partitionOf(key.getBytes(StandardCharsets.UTF_8)),
          "string vs bytes for " + key);
      assertEquals(KeyHash.partitionOf(key, 256), ring.partitionOf(key), "ring vs KeyHash " + key);
    }
  }

  @Test
  void rejectsBadInput() {
    Ring ring = Ring.of(DEFAULT, Family.LOCAL_PORTS.members(3));
    assertThrows(IndexOutOfBoundsException.class, () -> ring.replicas(-1), "p=-1");
    assertThrows(IndexOutOfBoundsException.class, () -> ring.replicas(64), "p=Q");
    assertThrows(IndexOutOfBoundsException.class, () -> ring.fallbacks(64), "fallbacks p=Q");
    assertThrows(IndexOutOfBoundsException.class, () -> ring.isReplica(64, "x"), "isReplica p=Q");
    assertThrows(
        IllegalArgumentException.class, () -> Ring.of(DEFAULT, List.of(" ")), "blank member");
    List<String> withNull = new ArrayList<>();
    withNull.add(null);
    assertThrows(IllegalArgumentException.class, () -> Ring.of(DEFAULT, withNull), "null member");
    assertFalse(ring.isReplica(0, "not-a-member:1"), "unknown member is never a replica");
  }

  @Test
  void everythingReturnedIsUnmodifiable() {
    Ring ring = Ring.of(DEFAULT, Family.LOCAL_PORTS.members(5));
    assertThrows(UnsupportedOperationException.class, () -> ring.members().add("x"), "members");
    assertThrows(UnsupportedOperationException.class, () -> ring.replicas(0).add("x"), "replicas");
    assertThrows(UnsupportedOperationException.class, () -> ring.fallbacks(0).clear(), "fallbacks");
    assertThrows(
        UnsupportedOperationException.class, () -> ring.preferenceList(0).remove(0), "preference");
    assertThrows(
        UnsupportedOperationException.class,
        () -> ring.replicaSlotsPerMember().put("x", 1),
        "slots");
  }

  // ---------------------------------------------------------------- determinism

  @ParameterizedTest(name = "{0} m={1}")
  @MethodSource("sizes1to12")
  void sameMembersInAnyOrderGiveEqualRings(Family family, int m) {
    List<String> members = family.members(m);
    Ring reference = Ring.of(DEFAULT, members);
    Random random = new Random(m * 31L + family.ordinal());
    for (int round = 0; round < 5; round++) {
      List<String> shuffled = new ArrayList<>(members);
      Collections.shuffle(shuffled, random);
      if (round == 4) {
        shuffled.addAll(members); // duplicates collapse
      }
      Ring other = Ring.of(DEFAULT, shuffled);
      assertEquals(reference, other, "equals, order " + shuffled);
      assertEquals(reference.hashCode(), other.hashCode(), "hashCode, order " + shuffled);
      assertEquals(reference.toString(), other.toString(), "toString, order " + shuffled);
      for (int p = 0; p < reference.partitionCount(); p++) {
        assertEquals(
            reference.preferenceList(p), other.preferenceList(p), "p" + p + " order " + shuffled);
      }
    }
  }

  @Test
  void ringsDifferByConfigAndMembership() {
    List<String> members = Family.LOCAL_PORTS.members(4);
    Ring ring = Ring.of(DEFAULT, members);
    assertNotEquals(ring, Ring.of(RingConfig.withReplicationFactor(2), members), "N differs");
    assertNotEquals(ring, Ring.of(DEFAULT, Family.LOCAL_PORTS.members(5)), "members differ");
  }

  /**
   * Golden output: every node, in every version, must compute this exact ring, so any change to the
   * hash, token derivation or walk is a wire-incompatible change and must fail here.
   */
  @Test
  void outputIsStableAcrossVersions() {
    Ring ring = Ring.of(DEFAULT, Family.LOCAL_PORTS.members(5));
    assertEquals(
        List.of(
            "127.0.0.1:25520",
            "127.0.0.1:25524",
            "127.0.0.1:25523",
            "127.0.0.1:25522",
            "127.0.0.1:25521"),
        ring.preferenceList(0),
        "preference list of p0");
    assertEquals(
        List.of("127.0.0.1:25522", "127.0.0.1:25520", "127.0.0.1:25524"),
        ring.replicas(63),
        "replicas of p63");
    StringBuilder all = new StringBuilder();
    for (int p = 0; p < 64; p++) {
      all.append(ring.preferenceList(p)).append('\n');
    }
    assertEquals(
        0x964ec72185ab7a68L, KeyHash.hash64(all.toString()), "fingerprint of all 64 lists");
  }

  // ---------------------------------------------------------------- replica / fallback shape

  @ParameterizedTest(name = "{0} m={1}")
  @MethodSource("sizes1to12")
  void replicasDistinctAndFallbacksComplementThem(Family family, int m) {
    for (int n = 1; n <= 5; n++) {
      RingConfig config = new RingConfig(64, RingConfig.DEFAULT_TOKENS_PER_MEMBER, n);
      Ring ring = Ring.of(config, family.members(m));
      for (int p = 0; p < ring.partitionCount(); p++) {
        String where = family + " m=" + m + " N=" + n + " p" + p;
        List<String> replicas = ring.replicas(p);
        List<String> fallbacks = ring.fallbacks(p);
        assertEquals(Math.min(n, m), replicas.size(), where + " replica count");
        assertEquals(replicas.size(), new HashSet<>(replicas).size(), where + " distinct");
        Set<String> overlap = new HashSet<>(replicas);
        overlap.retainAll(fallbacks);
        assertTrue(overlap.isEmpty(), where + " disjoint, overlap " + overlap);
        List<String> preference = ring.preferenceList(p);
        List<String> concatenated = new ArrayList<>(replicas);
        concatenated.addAll(fallbacks);
        assertEquals(concatenated, preference, where + " preference = replicas + fallbacks");
        assertEquals(ring.members(), new TreeSet<>(preference), where + " covers all members");
        assertEquals(m, preference.size(), where + " no duplicates in preference list");
        for (String member : ring.members()) {
          assertEquals(
              replicas.contains(member), ring.isReplica(p, member), where + " isReplica " + member);
        }
      }
    }
  }

  // ---------------------------------------------------------------- balance

  /**
   * Every member holds floor(S/m) or ceil(S/m) of the S = Q*N replica slots. Measured maximum
   * deviation from the mean at Q=64, N=3: 0% for m=3,4,6,8,12; 1.6% m=5; 2.1% m=7; 3.1% m=9,11;
   * 4.2% m=10 (always below one slot). The 10% bound from the design is asserted as well.
   */
  @ParameterizedTest(name = "{0} m={1}")
  @MethodSource("sizes3to12")
  void replicaSlotsAreBalanced(Family family, int m) {
    Ring ring = Ring.of(DEFAULT, family.members(m));
    assertBalanced(ring, family + " m=" + m);
    double mean = 64.0 * 3 / m;
    for (Map.Entry<String, Integer> e : ring.replicaSlotsPerMember().entrySet()) {
      double deviation = Math.abs(e.getValue() - mean) / mean;
      assertTrue(
          deviation <= 0.10,
          family + " m=" + m + " " + e.getKey() + " holds " + e.getValue() + " vs mean " + mean);
    }
  }

  static Stream<Arguments> otherConfigs() {
    return Stream.of(
        Arguments.of(new RingConfig(1, 1, 1), 1),
        Arguments.of(new RingConfig(1, 4, 3), 5),
        Arguments.of(new RingConfig(8, 1, 3), 7),
        Arguments.of(new RingConfig(16, 4, 2), 13),
        Arguments.of(new RingConfig(64, 1, 3), 12),
        Arguments.of(new RingConfig(64, 128, 5), 9),
        Arguments.of(new RingConfig(256, 32, 3), 20),
        Arguments.of(new RingConfig(1024, 16, 3), 37),
        Arguments.of(new RingConfig(4096, 8, 3), 50));
  }

  @ParameterizedTest(name = "{0} m={1}")
  @MethodSource("otherConfigs")
  void balancedForOtherConfigs(RingConfig config, int m) {
    Ring ring = Ring.of(config, Family.HOSTNAMES.members(m));
    assertBalanced(ring, config + " m=" + m);
  }

  private static void assertBalanced(Ring ring, String where) {
    int m = ring.members().size();
    int total = ring.partitionCount() * Math.min(ring.replicationFactor(), m);
    Map<String, Integer> slots = ring.replicaSlotsPerMember();
    assertEquals(ring.members(), new TreeSet<>(slots.keySet()), where + " slot map keys");
    assertEquals(
        total, slots.values().stream().mapToInt(Integer::intValue).sum(), where + " slot sum");
    for (Map.Entry<String, Integer> e : slots.entrySet()) {
      long counted =
          IntStream.range(0, ring.partitionCount())
              .filter(p -> ring.isReplica(p, e.getKey()))
              .count();
      assertEquals(counted, e.getValue().longValue(), where + " slot count of " + e.getKey());
      assertTrue(
          e.getValue() == total / m || e.getValue() == (total + m - 1) / m,
          where
              + " "
              + e.getKey()
              + " holds "
              + e.getValue()
              + ", expected floor/ceil of "
              + total
              + "/"
              + m);
    }
  }

  // ---------------------------------------------------------------- minimal movement

  /** Joining addresses per family; the first is the family's own next address. */
  private static List<String> joiners(Family family, int m) {
    return List.of(
        family.address(m),
        "127.0.0.1:" + (26000 + m),
        "node-x" + m + ".ringstore.svc:2552",
        "10.9.9." + m + ":2552",
        "172.16.0." + (m * 3) + ":25520",
        "join-" + m + ".example:2000");
  }

  /**
   * A join moves about S/(m+1) slots (the newcomer's share) and never more than twice that.
   * Measured with the default T=32 (these joiners plus 60 more per case): mean/max ratio to the
   * ideal 1.00/1.00 (m=3), 1.13/1.30 (4), 1.12/1.25 (5), 1.14/1.31 (6), 1.23/1.46 (7), 1.21/1.50
   * (8), 1.29/1.67 (9), 1.27/1.55 (10), 1.41/1.69 (11).
   */
  @ParameterizedTest(name = "{0} m={1}")
  @MethodSource("sizes3to11")
  void joinMovesAboutTheNewcomersShare(Family family, int m) {
    List<String> members = family.members(m);
    Ring before = Ring.of(DEFAULT, members);
    double ideal = 64.0 * 3 / (m + 1);
    for (String joiner : joiners(family, m)) {
      List<String> grown = new ArrayList<>(members);
      grown.add(joiner);
      Ring after = Ring.of(DEFAULT, grown);
      int moved = movedSlots(before, after);
      String where = family + " m=" + m + " +" + joiner;
      assertTrue(
          moved >= after.replicaSlotsPerMember().get(joiner),
          where + ": at least the newcomer's slots move, moved " + moved);
      assertTrue(
          moved <= 2 * ideal,
          where + ": moved " + moved + " slots, ideal " + ideal + ", bound " + 2 * ideal);
    }
  }

  /** Across all join cases the average movement stays well below the 2x bound (measured 1.20). */
  @Test
  void averageJoinMovementIsCloseToIdeal() {
    double sumRatio = 0;
    int cases = 0;
    for (Family family : Family.values()) {
      for (int m = 3; m <= 11; m++) {
        Ring before = Ring.of(DEFAULT, family.members(m));
        for (String joiner : joiners(family, m)) {
          List<String> grown = new ArrayList<>(family.members(m));
          grown.add(joiner);
          sumRatio += movedSlots(before, Ring.of(DEFAULT, grown)) / (64.0 * 3 / (m + 1));
          cases++;
        }
      }
    }
    double mean = sumRatio / cases;
    assertTrue(mean <= 1.5, "mean join movement / ideal = " + mean + " over " + cases + " cases");
  }

  /**
   * Removing a member moves about the slots it held (those must move) and never more than twice
   * that. Measured mean/max ratio: 1.00/1.00 (m=4), 1.11/1.29 (5), 1.11/1.19 (6), 1.16/1.32 (7),
   * 1.23/1.46 (8), 1.22/1.33 (9), 1.26/1.47 (10), 1.27/1.47 (11), 1.39/1.69 (12).
   */
  @ParameterizedTest(name = "{0} m={1}")
  @MethodSource("sizes4to12")
  void leaveMovesAboutTheLeaversShare(Family family, int m) {
    List<String> members = family.members(m);
    Ring before = Ring.of(DEFAULT, members);
    for (String leaver : members) {
      List<String> shrunk = new ArrayList<>(members);
      shrunk.remove(leaver);
      Ring after = Ring.of(DEFAULT, shrunk);
      int held = before.replicaSlotsPerMember().get(leaver);
      int moved = movedSlots(before, after);
      String where = family + " m=" + m + " -" + leaver;
      assertTrue(moved >= held, where + ": the leaver's " + held + " slots move, moved " + moved);
      assertTrue(moved <= 2 * held, where + ": moved " + moved + ", held " + held);
    }
  }

  @Test
  void replicationFactorAboveMemberCountUsesEveryMember() {
    Ring ring = Ring.of(RingConfig.withReplicationFactor(5), Family.LOCAL_PORTS.members(3));
    for (int p = 0; p < ring.partitionCount(); p++) {
      assertEquals(ring.members(), new TreeSet<>(ring.replicas(p)), "p" + p + " uses all 3");
      assertTrue(ring.fallbacks(p).isEmpty(), "p" + p + " has no fallbacks");
    }
  }

  @Test
  void largestPartitionCountIsBuiltAndBalanced() {
    Ring ring = Ring.of(new RingConfig(65536, 32, 3), Family.LOCAL_PORTS.members(12));
    assertBalanced(ring, "Q=65536 m=12");
    assertEquals(65535, KeyHash.partitionOfHash(-1L, 65536), "top partition");
    assertEquals(3, ring.replicas(65535).size(), "replicas of the last partition");
  }
}
