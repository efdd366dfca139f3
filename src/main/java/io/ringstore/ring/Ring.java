package io.ringstore.ring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The partition → replica-set map of the store: an immutable value that is a pure function of a
 * {@link RingConfig} and a set of member addresses ({@code "host:port"} of data-holding cluster
 * members). Every node that sees the same membership computes an equal ring, independent of the
 * order in which members were given.
 *
 * <h2>Construction</h2>
 *
 * <ol>
 *   <li><b>Tokens.</b> Member {@code a} places {@code tokensPerMember} virtual tokens at {@link
 *       KeyHash#hash64(String) hash64}{@code (a + "#" + i)}, {@code i = 0..T-1}, on the unsigned
 *       64-bit ring.
 *   <li><b>Walks.</b> Partition {@code p} starts at {@link KeyHash#partitionStart} (the first hash
 *       of its range). Walking clockwise from there, the distinct members in the order first met
 *       form {@code p}'s walk order; the clockwise distance to a member's first token met is its
 *       distance from {@code p}.
 *   <li><b>Bounded-load lockstep walk</b> (in the spirit of "consistent hashing with bounded
 *       loads", Mirrokni, Thorup, Zadimoghaddam). All partitions walk clockwise in lockstep: the
 *       (partition, member) pairs are visited by increasing distance (ties: partition, then
 *       member), and a pair is taken when the partition still lacks replicas and the member still
 *       has capacity. Capacity is exact: with {@code S = Q * min(N, m)} replica slots over {@code
 *       m} members, every member may hold {@code floor(S/m)} slots and only the first {@code S mod
 *       m} members to reach it may hold one more ({@code ceil(S/m)}). Using the lockstep order
 *       rather than partition order avoids favouring low partitions and roughly halves the cascade
 *       a join causes.
 *   <li><b>Completion.</b> If the greedy pass leaves a partition short (rare: about once per ring
 *       at Q = 64), a breadth-first augmenting path (a member moves from one partition to another
 *       so that a member with spare capacity can be placed) completes it without breaking the caps.
 *       Such a path always exists because the caps sum to exactly {@code S} and no cap exceeds Q.
 *       (A cap-ignoring fill guards against the impossible case.)
 * </ol>
 *
 * <p>{@link #replicas(int)} lists the chosen members in walk order (so the first replica is the
 * nearest one); {@link #fallbacks(int)} lists every other member in walk order, i.e. the members
 * "after" the replicas when continuing the walk, including members skipped because they were full.
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>Determinism: equal (config, member set) ⇒ equal ring.
 *   <li>Each replica list has {@code min(N, m)} distinct members; replicas and fallbacks are
 *       disjoint and together are exactly the members.
 *   <li>Balance: every member holds {@code floor(S/m)} or {@code ceil(S/m)} replica slots, so the
 *       spread is below one slot. For Q = 64, N = 3 the maximum deviation from the mean is 0 % (m =
 *       3, 4, 6, 8, 12), 1.6 % (m = 5), 2.1 % (m = 7), 3.1 % (m = 9, 11), 4.2 % (m = 10).
 *   <li>Minimal movement (measured, not guaranteed). Count a slot as moved when a member that was
 *       in p's replica set no longer is. With the default {@code T = 32}, Q = 64, N = 3, over 3
 *       address families and 64 joining addresses each, a member joining m members moves, as a
 *       ratio to the ideal {@code S/(m+1)} (mean / max): m=3 1.00/1.00, 4 1.13/1.30, 5 1.12/1.25, 6
 *       1.14/1.31, 7 1.23/1.46, 8 1.21/1.50, 9 1.29/1.67, 10 1.27/1.55, 11 1.41/1.69. Removing one
 *       of m members moves, as a ratio to the slots it held: m=4 1.00/1.00, 5 1.11/1.29, 6
 *       1.11/1.19, 7 1.16/1.32, 8 1.23/1.46, 9 1.22/1.33, 10 1.26/1.47, 11 1.27/1.47, 12 1.39/1.69.
 *       The excess over 1 is the cascade the exact caps cause. {@code T = 64} and {@code T = 128}
 *       measured worse (worst join 1.94 and 1.88), hence the default of 32. {@code RingTest}
 *       asserts at most 2 x for every case and a mean of at most 1.5 x.
 *   <li>Cost (paid once per membership change): about 0.5 ms for Q = 64, m = 12; 0.3 to 2.5 s at Q
 *       = 65536, where the augmenting-path completion dominates.
 * </ul>
 *
 * <p>All lists are precomputed, immutable, and returned in O(1).
 */
public final class Ring {

  private final RingConfig config;
  private final SortedSet<String> members;
  private final List<List<String>> replicas;
  private final List<List<String>> fallbacks;
  private final List<List<String>> preference;
  private final List<BitSet> replicaBits; // per partition, bit i = sorted member index i
  private final List<String> memberList; // sorted
  private final Map<String, Integer> memberIndex;
  private final Map<String, Integer> slotsPerMember;

  private Ring(RingConfig config, SortedSet<String> members) {
    this.config = config;
    this.members = Collections.unmodifiableSortedSet(members);
    this.memberList = List.copyOf(members);
    Map<String, Integer> idx = new LinkedHashMap<>();
    for (int i = 0; i < memberList.size(); i++) {
      idx.put(memberList.get(i), i);
    }
    this.memberIndex = Collections.unmodifiableMap(idx);

    final int q = config.partitionCount();
    final int m = memberList.size();
    final int n = Math.min(config.replicationFactor(), m);

    int[][] walk = new int[q][];
    long[][] dist = new long[q][];
    computeWalks(walk, dist);

    boolean[][] in = new boolean[q][m];
    int[] count = new int[q];
    int[] load = new int[m];
    if (n > 0) {
      assign(walk, dist, n, in, count, load);
    }

    List<List<String>> reps = new ArrayList<>(q);
    List<List<String>> fbs = new ArrayList<>(q);
    List<List<String>> prefs = new ArrayList<>(q);
    List<BitSet> bits = new ArrayList<>(q);
    for (int p = 0; p < q; p++) {
      List<String> r = new ArrayList<>(n);
      List<String> f = new ArrayList<>(m - n);
      BitSet b = new BitSet(m);
      for (int x : walk[p]) {
        if (in[p][x]) {
          r.add(memberList.get(x));
          b.set(x);
        } else {
          f.add(memberList.get(x));
        }
      }
      List<String> pref = new ArrayList<>(r);
      pref.addAll(f);
      reps.add(List.copyOf(r));
      fbs.add(List.copyOf(f));
      prefs.add(List.copyOf(pref));
      bits.add(b);
    }
    this.replicas = List.copyOf(reps);
    this.fallbacks = List.copyOf(fbs);
    this.preference = List.copyOf(prefs);
    this.replicaBits = List.copyOf(bits);
    Map<String, Integer> slots = new LinkedHashMap<>();
    for (int x = 0; x < m; x++) {
      slots.put(memberList.get(x), load[x]);
    }
    this.slotsPerMember = Collections.unmodifiableMap(slots);
  }

  /**
   * Builds the ring for {@code members} (duplicates collapse; order is irrelevant; may be empty).
   *
   * @throws IllegalArgumentException if a member address is null or blank
   */
  public static Ring of(RingConfig config, Collection<String> members) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(members, "members");
    TreeSet<String> set = new TreeSet<>();
    for (String a : members) {
      if (a == null || a.isBlank()) {
        throw new IllegalArgumentException("member address must be non-blank, was: " + a);
      }
      set.add(a);
    }
    return new Ring(config, set);
  }

  /** Walk order (member indices, first met first) and distances for every partition. */
  private void computeWalks(int[][] walk, long[][] dist) {
    final int q = config.partitionCount();
    final int m = memberList.size();
    final int t = config.tokensPerMember();
    final int nt = m * t;
    // Sort tokens by unsigned position (ties: member index) via sign-flipped primitive sort of
    // positions, then stable grouping of equal positions.
    long[] pos = new long[nt];
    int[] owner = new int[nt];
    {
      long[] raw = new long[nt];
      for (int x = 0; x < m; x++) {
        String a = memberList.get(x);
        for (int i = 0; i < t; i++) {
          raw[x * t + i] = KeyHash.hash64(a + "#" + i);
        }
      }
      Integer[] order = new Integer[nt];
      for (int k = 0; k < nt; k++) {
        order[k] = k;
      }
      Arrays.sort(
          order,
          (a, b) -> {
            int c = Long.compareUnsigned(raw[a], raw[b]);
            return c != 0 ? c : Integer.compare(a, b);
          });
      for (int k = 0; k < nt; k++) {
        pos[k] = raw[order[k]];
        owner[k] = order[k] / t;
      }
    }
    int start = 0;
    int[] seenAt = new int[m];
    Arrays.fill(seenAt, -1);
    for (int p = 0; p < q; p++) {
      long ps = KeyHash.partitionStart(p, q);
      while (start < nt && Long.compareUnsigned(pos[start], ps) < 0) {
        start++;
      }
      walk[p] = new int[m];
      dist[p] = new long[m];
      int c = 0;
      for (int k = 0; k < nt && c < m; k++) {
        int j = start + k < nt ? start + k : start + k - nt;
        int x = owner[j];
        if (seenAt[x] != p) {
          seenAt[x] = p;
          walk[p][c] = x;
          dist[p][c] = pos[j] - ps; // unsigned clockwise distance
          c++;
        }
      }
    }
  }

  /** Bounded-load lockstep assignment plus augmenting-path completion. */
  private void assign(int[][] walk, long[][] dist, int n, boolean[][] in, int[] count, int[] load) {
    final int q = config.partitionCount();
    final int m = memberList.size();
    final long total = (long) q * n;
    final Caps caps = new Caps((int) (total / m), (int) (total % m), load);

    // Lockstep walk: order (partition, rank) pairs by distance with a primitive sort. The key is
    // the top bits of the unsigned distance (sign-flipped) above the pair index, so ties resolve
    // by partition, then rank, i.e. deterministically.
    final int pairs = q * m;
    final int idxBits = 64 - Long.numberOfLeadingZeros(Math.max(1, pairs - 1));
    final long idxMask = (1L << idxBits) - 1;
    long[] keys = new long[pairs];
    for (int p = 0; p < q; p++) {
      for (int c = 0; c < m; c++) {
        long d = dist[p][c] >>> idxBits; // keep the high bits of the distance
        keys[p * m + c] = ((d << idxBits) | (p * m + c)) ^ Long.MIN_VALUE;
      }
    }
    Arrays.sort(keys);
    for (long key : keys) {
      int pair = (int) ((key ^ Long.MIN_VALUE) & idxMask);
      int p = pair / m;
      int x = walk[p][pair % m];
      if (count[p] < n && caps.spare(x)) {
        in[p][x] = true;
        count[p]++;
        caps.add(x);
      }
    }

    // Completion by augmenting paths for partitions the greedy pass left short.
    Augmenter augmenter = new Augmenter(walk, in, count, caps, q, m);
    for (int p = 0; p < q; p++) {
      while (count[p] < n) {
        if (!augmenter.augment(p)) {
          break;
        }
      }
    }
    // Safety net (never reached when the caps are feasible): fill ignoring caps.
    for (int p = 0; p < q; p++) {
      for (int c = 0; c < m && count[p] < n; c++) {
        int x = walk[p][c];
        if (!in[p][x]) {
          in[p][x] = true;
          count[p]++;
          load[x]++;
        }
      }
    }
  }

  /**
   * Breadth-first augmenting paths over (partition, member) replica assignments: partition u_0
   * takes member x_0 from u_1, u_1 takes x_1 from u_2, ..., u_k takes a member with spare capacity.
   * Scratch arrays are reused and reset by generation stamps.
   */
  private static final class Augmenter {
    private final int[][] walk;
    private final boolean[][] in;
    private final int[] count;
    private final Caps caps;
    private final BitSet[] partitionsOf; // per member: partitions where it is a replica
    private final int[] parent;
    private final int[] viaMember;
    private final int[] visitedAt;
    private final int[] expandedAt;
    private final int[] queue;
    private int generation;

    Augmenter(int[][] walk, boolean[][] in, int[] count, Caps caps, int q, int m) {
      this.walk = walk;
      this.in = in;
      this.count = count;
      this.caps = caps;
      this.partitionsOf = new BitSet[m];
      for (int x = 0; x < m; x++) {
        partitionsOf[x] = new BitSet(q);
      }
      for (int p = 0; p < q; p++) {
        for (int x = 0; x < m; x++) {
          if (in[p][x]) {
            partitionsOf[x].set(p);
          }
        }
      }
      this.parent = new int[q];
      this.viaMember = new int[q];
      this.visitedAt = new int[q];
      this.expandedAt = new int[m];
      this.queue = new int[q];
    }

    boolean augment(int p) {
      generation++;
      int head = 0;
      int tail = 0;
      queue[tail++] = p;
      visitedAt[p] = generation;
      parent[p] = -1;
      while (head < tail) {
        int u = queue[head++];
        for (int x : walk[u]) {
          if (!in[u][x] && caps.spare(x)) {
            place(u, x);
            caps.add(x);
            for (int v = u; parent[v] != -1; v = parent[v]) {
              int y = viaMember[v];
              unplace(v, y);
              place(parent[v], y);
            }
            return true;
          }
        }
        for (int x : walk[u]) {
          if (in[u][x] || expandedAt[x] == generation) {
            continue;
          }
          expandedAt[x] = generation;
          BitSet holders = partitionsOf[x];
          for (int v = holders.nextSetBit(0); v >= 0; v = holders.nextSetBit(v + 1)) {
            if (visitedAt[v] != generation) {
              visitedAt[v] = generation;
              parent[v] = u;
              viaMember[v] = x;
              queue[tail++] = v;
            }
          }
        }
      }
      return false;
    }

    private void place(int p, int x) {
      in[p][x] = true;
      count[p]++;
      partitionsOf[x].set(p);
    }

    private void unplace(int p, int x) {
      in[p][x] = false;
      count[p]--;
      partitionsOf[x].clear(p);
    }
  }

  /** Exact capacities: floor(S/m) each, plus one extra for the first (S mod m) to claim it. */
  private static final class Caps {
    private final int floor;
    private final int extras;
    private final int[] load;
    private int extrasUsed;

    Caps(int floor, int extras, int[] load) {
      this.floor = floor;
      this.extras = extras;
      this.load = load;
    }

    boolean spare(int x) {
      return load[x] < floor || (load[x] == floor && extrasUsed < extras);
    }

    void add(int x) {
      load[x]++;
      if (load[x] == floor + 1) {
        extrasUsed++;
      }
    }
  }

  /** The configuration this ring was built with. */
  public RingConfig config() {
    return config;
  }

  /** Number of partitions Q. */
  public int partitionCount() {
    return config.partitionCount();
  }

  /** Configured replication factor N (replica lists hold {@code min(N, members)} entries). */
  public int replicationFactor() {
    return config.replicationFactor();
  }

  /** The member addresses, sorted and unmodifiable. */
  public SortedSet<String> members() {
    return members;
  }

  /** Partition of a key (hashed as UTF-8). */
  public int partitionOf(String key) {
    return KeyHash.partitionOf(key, config.partitionCount());
  }

  /** Partition of a key given as its UTF-8 bytes. */
  public int partitionOf(byte[] keyUtf8) {
    return KeyHash.partitionOf(keyUtf8, config.partitionCount());
  }

  /** The replica set of {@code partition}, nearest first; {@code min(N, m)} distinct members. */
  public List<String> replicas(int partition) {
    return replicas.get(checkPartition(partition));
  }

  /** Every member not in the replica set, in walk order. */
  public List<String> fallbacks(int partition) {
    return fallbacks.get(checkPartition(partition));
  }

  /** {@link #replicas(int)} followed by {@link #fallbacks(int)}: all members. */
  public List<String> preferenceList(int partition) {
    return preference.get(checkPartition(partition));
  }

  /** Whether {@code member} is in the replica set of {@code partition}. */
  public boolean isReplica(int partition, String member) {
    BitSet bits = replicaBits.get(checkPartition(partition));
    Integer x = memberIndex.get(member);
    return x != null && bits.get(x);
  }

  /** Replica slots held by each member (sorted by address); values sum to {@code Q*min(N,m)}. */
  public Map<String, Integer> replicaSlotsPerMember() {
    return slotsPerMember;
  }

  private int checkPartition(int partition) {
    if (partition < 0 || partition >= config.partitionCount()) {
      throw new IndexOutOfBoundsException(
          "partition " + partition + " not in 0.." + (config.partitionCount() - 1));
    }
    return partition;
  }

  @Override
  public boolean equals(Object o) {
    // The ring is a pure function of (config, members), so these determine equality.
    return o instanceof Ring other && config.equals(other.config) && members.equals(other.members);
  }

  @Override
  public int hashCode() {
    return Objects.hash(config, members);
  }

  @Override
  public String toString() {
    return "Ring[config=" + config + ", members=" + members + ", slots=" + slotsPerMember + "]";
  }
}
