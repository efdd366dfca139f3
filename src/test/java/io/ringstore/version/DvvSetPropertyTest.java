package io.ringstore.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Generated histories of several replicas and clients (seeded, reproducible), checked against a
 * ground-truth causality model; see {@link Simulation}.
 */
class DvvSetPropertyTest {

  private static final int HISTORIES = 150;

  private static Simulation simulate(long seed) {
    Random shape = new Random(seed * 31 + 7);
    return new Simulation(seed, 2 + shape.nextInt(4), 1 + shape.nextInt(5))
        .run(40 + shape.nextInt(120));
  }

  @Test
  void randomHistoriesMatchTheCausalityModel() {
    for (long seed = 0; seed < HISTORIES; seed++) {
      simulate(seed); // every step asserts the model
    }
  }

  @Test
  void syncIsCommutativeAssociativeAndIdempotent() {
    for (long seed = 1000; seed < 1000 + HISTORIES; seed++) {
      Simulation sim = simulate(seed);
      List<Simulation.Snapshot> snaps = sim.snapshots;
      Random rnd = new Random(seed);
      for (int i = 0; i < 60; i++) {
        Simulation.Snapshot x = snaps.get(rnd.nextInt(snaps.size()));
        Simulation.Snapshot y = snaps.get(rnd.nextInt(snaps.size()));
        Simulation.Snapshot z = snaps.get(rnd.nextInt(snaps.size()));
        String ctx = sim.label() + ", triple " + i;
        DvvSet<String> xy = x.clock().sync(y.clock());
        assertEquals(xy, y.clock().sync(x.clock()), ctx + ": commutative");
        assertEquals(
            xy.sync(z.clock()), x.clock().sync(y.clock().sync(z.clock())), ctx + ": associative");
        assertEquals(x.clock(), x.clock().sync(x.clock()), ctx + ": idempotent");
        assertEquals(xy, xy.sync(x.clock()), ctx + ": absorbs its inputs");
        assertEquals(x.clock(), x.clock().sync(DvvSet.empty()), ctx + ": empty is the identity");
        Set<String> union = new HashSet<>(x.known());
        union.addAll(y.known());
        sim.assertMatchesModel(xy, union, ctx + " sync");
      }
    }
  }

  @Test
  void lessThanAndEqualClocksAgreeWithTheJoinedVersionVectors() {
    for (long seed = 2000; seed < 2000 + HISTORIES; seed++) {
      Simulation sim = simulate(seed);
      List<Simulation.Snapshot> snaps = sim.snapshots;
      Random rnd = new Random(seed);
      for (int i = 0; i < 60; i++) {
        DvvSet<String> x = snaps.get(rnd.nextInt(snaps.size())).clock();
        DvvSet<String> y = snaps.get(rnd.nextInt(snaps.size())).clock();
        VersionVector vx = x.join();
        VersionVector vy = y.join();
        String ctx = sim.label() + ", pair " + i + ": " + x + " vs " + y;
        assertEquals(
            vy.descends(vx) && !vx.equals(vy), x.lessThan(y), ctx + ": less = strictly dominated");
        assertEquals(vx.equals(vy), x.equalClocks(y), ctx + ": equalClocks = same history");
        assertEquals(
            vx.equals(vy), x.equals(y), ctx + ": a server clock is a function of its history");
        if (x.lessThan(y)) {
          assertEquals(y, x.sync(y), ctx + ": syncing into a newer clock changes nothing");
        }
      }
    }
  }

  @Test
  void writeWithCoveringContextSupersedesAllSiblings() {
    for (long seed = 3000; seed < 3000 + HISTORIES; seed++) {
      Simulation sim = simulate(seed);
      for (int r = 0; r < sim.clocks.length; r++) {
        sim.read(0, r);
        String v = sim.write(0, r, false);
        assertEquals(
            List.of(v),
            sim.clocks[r].values(),
            sim.label()
                + ": a write after reading everything at "
                + sim.replicaIds[r]
                + " leaves one value");
      }
    }
  }

  @Test
  void concurrentWritesBecomeSiblings() {
    for (long seed = 4000; seed < 4000 + HISTORIES; seed++) {
      Simulation sim = simulate(seed);
      int n = sim.clocks.length;
      // every client reads from replica 0, then all write concurrently to random replicas
      List<String> written = new ArrayList<>();
      for (int c = 0; c < sim.clients.length; c++) {
        sim.read(c, 0);
      }
      for (int c = 0; c < sim.clients.length; c++) {
        written.add(sim.write(c, sim.rnd.nextInt(n), false));
      }
      DvvSet<String> all = DvvSet.empty();
      for (DvvSet<String> clock : sim.clocks) {
        all = all.sync(clock);
      }
      assertTrue(
          all.values().containsAll(written),
          sim.label() + ": none of the concurrent writes " + written + " is lost in " + all);
    }
  }

  @Test
  void updateThenSyncAcrossReplicasConverges() {
    for (long seed = 5000; seed < 5000 + HISTORIES; seed++) {
      Simulation sim = simulate(seed);
      int n = sim.clocks.length;
      // random gossip until all replicas agree, must terminate quickly
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        order.add(i);
      }
      Collections.shuffle(order, sim.rnd);
      for (int i = 1; i < n; i++) {
        sim.syncPair(order.get(i - 1), order.get(i));
      }
      for (int i = n - 1; i > 0; i--) {
        sim.syncPair(order.get(i), order.get(i - 1));
      }
      Set<String> allKnown = new HashSet<>();
      sim.known.forEach(allKnown::addAll);
      for (int r = 0; r < n; r++) {
        assertEquals(sim.clocks[0], sim.clocks[r], sim.label() + ": replica " + r + " converged");
      }
      sim.assertMatchesModel(sim.clocks[0], allKnown, "converged state");
      // a different merge order gives the same result
      DvvSet<String> folded = DvvSet.empty();
      List<Simulation.Snapshot> snaps = new ArrayList<>(sim.snapshots);
      Collections.shuffle(snaps, sim.rnd);
      DvvSet<String> reverse = DvvSet.empty();
      for (Simulation.Snapshot s : snaps) {
        folded = folded.sync(s.clock());
      }
      Collections.reverse(snaps);
      for (Simulation.Snapshot s : snaps) {
        reverse = s.clock().sync(reverse);
      }
      assertEquals(folded, reverse, sim.label() + ": merge order does not matter");
      assertFalse(
          folded.isEmpty() && !sim.pastOf.isEmpty(),
          sim.label() + ": writes leave a non-empty clock");
    }
  }
}
