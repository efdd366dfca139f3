package io.ringstore.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pure judge of a check's history (no I/O, no clock of its own): it is fed the operations of
 * single-writer keys, the fault windows, each key's final converged value and when convergence
 * happened, and computes the {@link Report}:
 *
 * <ul>
 *   <li><b>lost writes</b> (DESIGN invariant 1): a key whose final value has a lower sequence
 *       number than the key's last acknowledged write;
 *   <li><b>stale reads</b> (invariant 2): a successful read that started after a write of its key
 *       was acknowledged and saw a highest sequence number below that write's (a read of siblings
 *       is not stale when any sibling carries that write or a later one). A write that was not
 *       acknowledged is indeterminate: seeing it later, or never, is fine;
 *   <li><b>availability</b>: successful over attempted load operations: overall; to up nodes
 *       (without the operations sent to a node while a window of that node's was open, successful
 *       or not); for the operations overlapping a marked fault window, each window, each observed
 *       window, and for those overlapping no window at all;
 *   <li><b>time to converge</b> (invariant 4): from the end of the load to the moment every key's
 *       replicas were found equal.
 * </ul>
 *
 * Thread-safe: the runner's client threads record into it concurrently.
 */
public final class HistoryChecker {
  static final int MAX_EXAMPLES = 10;

  private final long startNanos;
  private final List<Op> ops = new ArrayList<>();
  private final List<FaultWindow> faults = new ArrayList<>();
  private final List<FaultWindow> observed = new ArrayList<>();
  private final List<FaultWindow> nodesDown = new ArrayList<>();
  private final Set<String> keys = new LinkedHashSet<>();
  private final Map<String, Long> finalValues = new HashMap<>();
  private long loadEndNanos = -1;
  private Long convergedAtNanos;
  private Map<String, String> notConverged; // null: convergence never checked

  /** A checker whose reported times are relative to {@code startNanos} (the start of the load). */
  public HistoryChecker(long startNanos) {
    this.startNanos = startNanos;
  }

  /**
   * Declares a key of the run, so that a key with no operation at all still appears in the report.
   */
  public synchronized void key(String key) {
    keys.add(key);
  }

  public synchronized void record(Op op) {
    keys.add(op.key());
    ops.add(op);
  }

  /** A fault window marked by whoever caused the fault. */
  public synchronized void fault(FaultWindow window) {
    faults.add(window);
  }

  /**
   * A fault window the health monitor observed (the whole cluster: from the first problem to all
   * well).
   */
  public synchronized void observed(FaultWindow window) {
    observed.add(window);
  }

  /**
   * A time when one node (its {@link FaultWindow#node()}, required) did not answer or was not
   * ready: operations sent to it then do not count toward the availability to up nodes. Not listed
   * itself.
   */
  public synchronized void nodeDown(FaultWindow window) {
    if (window.node() == null) {
      throw new IllegalArgumentException("a node-down window names its node: " + window);
    }
    nodesDown.add(window);
  }

  /**
   * When the load (the clients' reads and writes) stopped; the convergence time counts from here.
   */
  public synchronized void loadEnded(long nanos) {
    loadEndNanos = nanos;
  }

  /** The highest sequence number found over a key's replicas after the load (0: none found). */
  public synchronized void finalValue(String key, long maxSeq) {
    keys.add(key);
    finalValues.put(key, maxSeq);
  }

  /** Every key's replicas were found complete and equal at {@code nanos}. */
  public synchronized void converged(long nanos) {
    convergedAtNanos = nanos;
    notConverged = Map.of();
  }

  /**
   * The replicas of these keys were still missing or different when the check gave up waiting; the
   * values say what was seen wrong last (in the key order of the map).
   */
  public synchronized void notConverged(Map<String, String> whyByKey) {
    convergedAtNanos = null;
    notConverged = new LinkedHashMap<>(whyByKey);
  }

  public synchronized Report analyze() {
    if (loadEndNanos < 0) {
      throw new IllegalStateException("the load has not ended: call loadEnded first");
    }
    Map<String, List<Op>> byKey = new HashMap<>();
    ops.forEach(op -> byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op));

    List<Report.LostWrite> lost = new ArrayList<>();
    List<Report.StaleRead> stale = new ArrayList<>();
    for (String key : keys) {
      List<Op> history = byKey.getOrDefault(key, List.of());
      long lastAcked =
          history.stream()
              .filter(op -> op.type() == Op.Type.WRITE && op.ok())
              .mapToLong(Op::seq)
              .max()
              .orElse(0);
      long finalSeq = finalValues.getOrDefault(key, 0L);
      if (finalSeq < lastAcked) {
        lost.add(new Report.LostWrite(key, lastAcked, finalSeq));
      }
      stale.addAll(staleReads(history));
    }
    stale.sort(Comparator.comparingDouble(Report.StaleRead::atSeconds));

    long writes = count(Op.Type.WRITE, false);
    long acked = count(Op.Type.WRITE, true);
    long reads = count(Op.Type.READ, false);
    long readsOk = count(Op.Type.READ, true);

    List<Op> load = ops.stream().filter(op -> op.type() != Op.Type.FINAL_READ).toList();
    List<FaultWindow> down = new ArrayList<>(nodesDown);
    faults.stream().filter(f -> f.node() != null).forEach(down::add);
    List<Op> toUpNodes =
        load.stream().filter(op -> down.stream().noneMatch(d -> d.downAt(op))).toList();
    Report.Availability total = availability(load);
    Report.Availability duringFaults =
        availability(
            load.stream().filter(op -> faults.stream().anyMatch(f -> f.overlaps(op))).toList());
    Report.Availability outsideFaults =
        availability(
            load.stream()
                .filter(op -> faults.stream().noneMatch(f -> f.overlaps(op)))
                .filter(op -> observed.stream().noneMatch(f -> f.overlaps(op)))
                .toList());

    Map<String, Long> outcomes = new TreeMap<>();
    ops.forEach(op -> outcomes.merge(op.type().label() + " " + op.outcome(), 1L, Long::sum));

    Report.Convergence convergence =
        convergedAtNanos != null
            ? new Report.Convergence(
                true,
                Math.round((convergedAtNanos - loadEndNanos) / 1e6) / 1e3,
                List.of(),
                Map.of())
            : notConverged == null
                ? new Report.Convergence(false, null, List.copyOf(keys), Map.of())
                : new Report.Convergence(
                    false, null, List.copyOf(notConverged.keySet()), notConverged);

    lost.sort(Comparator.comparing(Report.LostWrite::key));
    return new Report(
        seconds(loadEndNanos),
        keys.size(),
        writes,
        acked,
        reads,
        readsOk,
        lost,
        stale.size(),
        stale.subList(0, Math.min(MAX_EXAMPLES, stale.size())),
        total,
        availability(toUpNodes),
        duringFaults,
        outsideFaults,
        faultReports(faults, load, toUpNodes),
        faultReports(observed, load, toUpNodes),
        convergence,
        outcomes,
        null);
  }

  private List<Report.Fault> faultReports(
      List<FaultWindow> windows, List<Op> load, List<Op> toUpNodes) {
    return windows.stream()
        .sorted(Comparator.comparingLong(FaultWindow::startNanos))
        .map(
            f ->
                new Report.Fault(
                    f.name(),
                    f.node(),
                    seconds(f.startNanos()),
                    seconds(f.endNanos()),
                    availability(load.stream().filter(f::overlaps).toList()),
                    availability(toUpNodes.stream().filter(f::overlaps).toList())))
        .toList();
  }

  /**
   * The successful reads of one key that saw less than a write acknowledged before they started.
   */
  private List<Report.StaleRead> staleReads(List<Op> history) {
    List<Op> acked =
        history.stream()
            .filter(op -> op.type() == Op.Type.WRITE && op.ok())
            .sorted(Comparator.comparingLong(Op::endNanos))
            .toList();
    if (acked.isEmpty()) {
      return List.of();
    }
    long[] ends = new long[acked.size()];
    long[] maxSeq = new long[acked.size()];
    long max = 0;
    for (int i = 0; i < acked.size(); i++) {
      ends[i] = acked.get(i).endNanos();
      max = Math.max(max, acked.get(i).seq());
      maxSeq[i] = max;
    }
    List<Report.StaleRead> stale = new ArrayList<>();
    for (Op read : history) {
      if (read.type() == Op.Type.WRITE || !read.ok()) {
        continue;
      }
      int before = lastBefore(ends, read.startNanos());
      if (before >= 0 && read.seq() < maxSeq[before]) {
        stale.add(
            new Report.StaleRead(
                read.key(),
                read.type().label(),
                seconds(read.startNanos()),
                read.outcome(),
                read.seq(),
                maxSeq[before]));
      }
    }
    return stale;
  }

  /**
   * The index of the last element of the sorted {@code ends} strictly below {@code nanos}, or -1.
   */
  private static int lastBefore(long[] ends, long nanos) {
    int lo = 0;
    int hi = ends.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (ends[mid] < nanos) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private long count(Op.Type type, boolean onlyOk) {
    return ops.stream().filter(op -> op.type() == type && (!onlyOk || op.ok())).count();
  }

  private static Report.Availability availability(List<Op> ops) {
    return new Report.Availability(ops.size(), ops.stream().filter(Op::ok).count());
  }

  private double seconds(long nanos) {
    return Math.round((nanos - startNanos) / 1e6) / 1e3;
  }
}
