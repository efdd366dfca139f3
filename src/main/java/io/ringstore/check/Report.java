package io.ringstore.check;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The verdict of a consistency check, computed by {@link HistoryChecker}: it passes when no
 * acknowledged write was lost, no read was stale and every key's replicas converged. Times are
 * seconds from the start of the load. Printable as a text block ({@link #toText()}) and as JSON
 * ({@link #toJson()}).
 *
 * @param loadSeconds how long the load ran
 * @param keys how many keys the clients wrote
 * @param writesAttempted load-phase writes sent
 * @param writesAcknowledged writes answered 204 (W replicas acked)
 * @param readsAttempted load-phase reads sent
 * @param readsSucceeded reads answered 200, 300 or 404
 * @param lostWrites keys whose final value is older than their last acknowledged write
 * @param staleReads how many successful reads saw less than a write acknowledged before they
 *     started
 * @param staleReadExamples the first few of them
 * @param availability successful over attempted load operations
 * @param availabilityToUpNodes the same without the operations sent to a node while it was down,
 *     paused or not ready: a node-specific fault window (marked, e.g. "kill node-2", or observed by
 *     the health monitor) overlapped the operation. Both the failed and the successful ones are
 *     left out, so this is the availability a client sees when it sends to a node that is up
 * @param availabilityDuringFaults the same as {@code availability} for the operations that
 *     overlapped a marked fault window
 * @param availabilityOutsideFaults the same for the operations that overlapped no fault window,
 *     marked or observed
 * @param faults the marked fault windows, each with the availability of the operations overlapping
 *     it
 * @param observedFaults the windows the health monitor observed: from the first poll that found a
 *     node not answering, not ready or seen unreachable to the first poll that found every node
 *     healthy
 * @param minAvailabilityToUpNodes the required {@code availabilityToUpNodes} in percent, or null
 *     for none (see {@link #withMinAvailabilityToUpNodes})
 * @param convergence whether and when the replicas converged after the load
 * @param opsByOutcome operation counts by type and outcome, e.g. {@code "write 503"}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Report(
    double loadSeconds,
    int keys,
    long writesAttempted,
    long writesAcknowledged,
    long readsAttempted,
    long readsSucceeded,
    List<LostWrite> lostWrites,
    long staleReads,
    List<StaleRead> staleReadExamples,
    Availability availability,
    Availability availabilityToUpNodes,
    Availability availabilityDuringFaults,
    Availability availabilityOutsideFaults,
    List<Fault> faults,
    List<Fault> observedFaults,
    Convergence convergence,
    Map<String, Long> opsByOutcome,
    Double minAvailabilityToUpNodes) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public Report {
    lostWrites = List.copyOf(lostWrites);
    staleReadExamples = List.copyOf(staleReadExamples);
    faults = List.copyOf(faults);
    observedFaults = List.copyOf(observedFaults);
    if (minAvailabilityToUpNodes != null
        && !(minAvailabilityToUpNodes >= 0 && minAvailabilityToUpNodes <= 100)) {
      throw new IllegalArgumentException(
          "a minimum availability is 0..100 %, got " + minAvailabilityToUpNodes);
    }
    opsByOutcome = Collections.unmodifiableMap(new TreeMap<>(opsByOutcome));
  }

  /**
   * A key whose final value ({@code finalSeq}, 0 when none was found) is older than its last ack.
   */
  public record LostWrite(String key, long lastAcknowledgedSeq, long finalSeq) {}

  /**
   * A read ({@code type} "read" or "final-read") that saw {@code sawSeq} after {@code expectedSeq}
   * was acked.
   */
  public record StaleRead(
      String key, String type, double atSeconds, String outcome, long sawSeq, long expectedSeq) {}

  /** Successful over attempted operations. */
  public record Availability(long attempted, long succeeded) {
    /** The successful fraction; null when nothing was attempted. */
    @JsonProperty("ratio")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Double ratio() {
      return attempted == 0 ? null : (double) succeeded / attempted;
    }

    String describe() {
      return attempted == 0
          ? "n/a (no operations)"
          : String.format(Locale.ROOT, "%.1f %% (%d of %d)", 100 * ratio(), succeeded, attempted);
    }
  }

  /**
   * A fault window and the availability of the operations that overlapped it: all of them, and
   * those sent to nodes that were up ({@code availabilityToUpNodes}, as in the report).
   *
   * @param node the node the fault took down or paused, when it was one node; null otherwise
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Fault(
      String name,
      String node,
      double fromSeconds,
      double toSeconds,
      Availability availability,
      Availability availabilityToUpNodes) {}

  /**
   * Convergence after the load: {@code seconds} from the end of the load until every replica of
   * every key was found holding the same values; or not converged, with the keys that were not and,
   * for each, what was last seen wrong ({@code why}).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Convergence(
      boolean converged, Double seconds, List<String> notConverged, Map<String, String> why) {
    public Convergence {
      notConverged = List.copyOf(notConverged);
      why = Collections.unmodifiableMap(new LinkedHashMap<>(why));
    }
  }

  /**
   * The check passed: no lost write, no stale read, converged, the availability to up nodes at
   * least the minimum when one is set — and at least one write was acknowledged (a run in which
   * nothing was acknowledged checked nothing).
   */
  @JsonProperty("passed")
  public boolean passed() {
    return lostWrites.isEmpty()
        && staleReads == 0
        && convergence.converged()
        && writesAcknowledged > 0
        && availabilityMet();
  }

  /**
   * Whether {@code availabilityToUpNodes} reaches {@code minAvailabilityToUpNodes}; true when no
   * minimum is set, false when one is set and no operation went to an up node.
   */
  @JsonProperty("availabilityMet")
  public boolean availabilityMet() {
    if (minAvailabilityToUpNodes == null) {
      return true;
    }
    Double ratio = availabilityToUpNodes.ratio();
    return ratio != null && 100 * ratio >= minAvailabilityToUpNodes - 1e-9;
  }

  /** This report with the minimum availability to up nodes, in percent (0..100; null: none). */
  public Report withMinAvailabilityToUpNodes(Double percent) {
    return new Report(
        loadSeconds,
        keys,
        writesAttempted,
        writesAcknowledged,
        readsAttempted,
        readsSucceeded,
        lostWrites,
        staleReads,
        staleReadExamples,
        availability,
        availabilityToUpNodes,
        availabilityDuringFaults,
        availabilityOutsideFaults,
        faults,
        observedFaults,
        convergence,
        opsByOutcome,
        percent);
  }

  /** The keys of the lost writes. */
  public List<String> lostWriteKeys() {
    return lostWrites.stream().map(LostWrite::key).toList();
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the report as JSON", e);
    }
  }

  /** A readable text block, one finding per line. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append("ringstore consistency check: ")
        .append(passed() ? "PASSED" : "FAILED")
        .append(writesAcknowledged == 0 ? " (no write was acknowledged: nothing was checked)" : "")
        .append('\n');
    line(out, "load", String.format(Locale.ROOT, "%.1f s over %d keys", loadSeconds, keys));
    line(out, "writes", writesAttempted + " attempted, " + writesAcknowledged + " acknowledged");
    line(out, "reads", readsAttempted + " attempted, " + readsSucceeded + " succeeded");
    line(
        out,
        "lost writes",
        lostWrites.isEmpty()
            ? "0"
            : lostWrites.size()
                + ": "
                + lostWrites.stream()
                    .map(
                        l ->
                            l.key()
                                + " (acked seq "
                                + l.lastAcknowledgedSeq()
                                + ", final seq "
                                + l.finalSeq()
                                + ")")
                    .collect(Collectors.joining(", ")));
    line(out, "stale reads", Long.toString(staleReads));
    staleReadExamples.forEach(
        s ->
            line(
                out,
                "",
                String.format(
                    Locale.ROOT,
                    "%s at %.3f s: %s %s saw seq %d, seq %d was acknowledged before it started",
                    s.key(),
                    s.atSeconds(),
                    s.type(),
                    s.outcome(),
                    s.sawSeq(),
                    s.expectedSeq())));
    line(out, "availability", availability.describe());
    line(
        out,
        "to up nodes",
        availabilityToUpNodes.describe()
            + (availability.attempted() == availabilityToUpNodes.attempted()
                ? ""
                : String.format(
                    Locale.ROOT,
                    "; leaves out the %d operations sent to a node while it "
                        + "was down, paused or not ready",
                    availability.attempted() - availabilityToUpNodes.attempted())));
    if (minAvailabilityToUpNodes != null) {
      line(
          out,
          "",
          String.format(
              Locale.ROOT,
              "%s: at least %s %% required",
              availabilityMet() ? "met" : "NOT MET",
              percent(minAvailabilityToUpNodes)));
    }
    line(
        out,
        "outside faults",
        faults.isEmpty() && observedFaults.isEmpty()
            ? "n/a (no fault marked or observed)"
            : availabilityOutsideFaults.describe());
    line(
        out,
        "during faults",
        faults.isEmpty() ? "n/a (no fault marked)" : availabilityDuringFaults.describe());
    faults.forEach(f -> line(out, "", describe(f)));
    line(
        out,
        "observed",
        observedFaults.isEmpty()
            ? "no fault observed"
            : observedFaults.size()
                + (observedFaults.size() == 1 ? " window" : " windows")
                + " (a node not answering /health/ready, not ready, or seen unreachable)");
    observedFaults.forEach(f -> line(out, "", describe(f)));
    line(
        out,
        "converged",
        convergence.converged()
            ? String.format(
                Locale.ROOT, "yes, %.1f s after the load stopped", convergence.seconds())
            : "NO; keys not converged: " + String.join(", ", convergence.notConverged()));
    convergence.why().forEach((key, why) -> line(out, "", key + ": " + why));
    line(
        out,
        "outcomes",
        opsByOutcome.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> e.getKey() + ": " + e.getValue())
            .collect(Collectors.joining(", ")));
    return out.toString();
  }

  private static String describe(Fault f) {
    return String.format(
        Locale.ROOT,
        "%s [%.1f s .. %.1f s]: %s; to up nodes %s",
        f.name(),
        f.fromSeconds(),
        f.toSeconds(),
        f.availability().describe(),
        f.availabilityToUpNodes().describe());
  }

  private static String percent(double p) {
    return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
  }

  private static void line(StringBuilder out, String label, String text) {
    out.append(String.format(Locale.ROOT, "  %-14s %s%n", label, text));
  }
}
