package io.ringstore.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A random history of replicas (server clocks) and clients, with a ground-truth model: every write
 * records the set of writes its client had seen (its causal past), every replica the set of writes
 * it knows. A write is a live sibling at a replica iff the replica knows it and no known write has
 * it in its past.
 */
final class Simulation {

  /** A replica state together with the writes it knows. */
  record Snapshot(DvvSet<String> clock, Set<String> known) {}

  record Client(VersionVector context, Set<String> seen) {}

  final Random rnd;
  final String[] replicaIds;
  final DvvSet<String>[] clocks;
  final List<Set<String>> known = new ArrayList<>();
  final Map<String, Set<String>> pastOf = new HashMap<>();
  final Client[] clients;
  final List<Snapshot> snapshots = new ArrayList<>();
  private final String label;
  private int writes;

  @SuppressWarnings("unchecked")
  Simulation(long seed, int replicas, int clientCount) {
    this.rnd = new Random(seed);
    this.label = "seed " + seed;
    this.replicaIds = new String[replicas];
    this.clocks = new DvvSet[replicas];
    for (int i = 0; i < replicas; i++) {
      replicaIds[i] = "replica-" + i;
      clocks[i] = DvvSet.empty();
      known.add(new HashSet<>());
    }
    this.clients = new Client[clientCount];
    for (int i = 0; i < clientCount; i++) {
      clients[i] = new Client(VersionVector.empty(), Set.of());
    }
  }

  /** The siblings the model expects for a set of known writes. */
  Set<String> expected(Set<String> knownWrites) {
    Set<String> covered = new HashSet<>();
    for (String w : knownWrites) {
      covered.addAll(pastOf.get(w));
    }
    Set<String> live = new HashSet<>(knownWrites);
    live.removeAll(covered);
    return live;
  }

  void assertMatchesModel(DvvSet<String> clock, Set<String> knownWrites, String what) {
    List<String> values = clock.values();
    assertEquals(
        values.size(),
        new HashSet<>(values).size(),
        label + ", " + what + ": no duplicate siblings " + values);
    assertEquals(
        expected(knownWrites),
        new HashSet<>(values),
        label
            + ", "
            + what
            + ": siblings are exactly the writes not covered by a later write's context");
    assertTrue(
        clock.anonymous().isEmpty(),
        label + ", " + what + ": server clocks have no anonymous values");
  }

  /** Runs {@code steps} random operations, checking the model after each. */
  Simulation run(int steps) {
    for (int s = 0; s < steps; s++) {
      int op = rnd.nextInt(10);
      int r = rnd.nextInt(clocks.length);
      if (op < 3) {
        read(rnd.nextInt(clients.length), r);
      } else if (op < 8) {
        write(rnd.nextInt(clients.length), r, rnd.nextInt(6) == 0);
      } else {
        int r2 = rnd.nextInt(clocks.length);
        syncPair(r, r2);
      }
      snapshots.add(new Snapshot(clocks[r], Set.copyOf(known.get(r))));
    }
    return this;
  }

  void read(int client, int replica) {
    clients[client] = new Client(clocks[replica].join(), Set.copyOf(known.get(replica)));
  }

  /** Writes a fresh value; returns it. */
  String write(int client, int replica, boolean blind) {
    String value = "w" + (writes++);
    Client c = blind ? new Client(VersionVector.empty(), Set.of()) : clients[client];
    DvvSet<String> incoming =
        c.context().isEmpty() ? DvvSet.of(value) : DvvSet.of(c.context(), value);
    DvvSet<String> before = clocks[replica];
    clocks[replica] = before.update(incoming, replicaIds[replica]);
    pastOf.put(value, c.seen());
    known.get(replica).addAll(c.seen());
    known.get(replica).add(value);
    String what = "write " + value + " at " + replicaIds[replica];
    assertTrue(
        clocks[replica].values().contains(value), label + ", " + what + ": new value present");
    for (String old : before.values()) {
      assertEquals(
          !c.seen().contains(old),
          clocks[replica].values().contains(old),
          label + ", " + what + ": old sibling " + old + " kept iff not covered by the context");
    }
    assertTrue(
        before.lessThan(clocks[replica]),
        label + ", " + what + ": update strictly advances the clock");
    assertMatchesModel(clocks[replica], known.get(replica), what);
    return value;
  }

  void syncPair(int a, int b) {
    DvvSet<String> ab = clocks[a].sync(clocks[b]);
    assertEquals(ab, clocks[b].sync(clocks[a]), label + ": sync commutes on live replicas");
    clocks[a] = ab;
    clocks[b] = ab;
    Set<String> union = new HashSet<>(known.get(a));
    union.addAll(known.get(b));
    known.set(a, union);
    known.set(b, new HashSet<>(union));
    assertMatchesModel(ab, union, "sync " + replicaIds[a] + "+" + replicaIds[b]);
  }

  String label() {
    return label;
  }
}
