package io.ringstore.http;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The connection counts of one listener: admits a new connection while its client address holds
 * fewer than the per-address cap and the listener fewer than the total cap, counts refusals by
 * reason, and says when a refusal is worth a log line (once per address per minute). Pure and
 * thread-safe; {@link ConnectionGuard} calls it as connections open and close. Upholds DESIGN
 * invariant 6 (one client cannot starve the others).
 */
final class ConnectionLimits {
  /** Why a connection was refused or closed early; the label in {@code /metrics}. */
  enum Refusal {
    PER_ADDRESS("per_address"),
    TOTAL("total"),
    HEAD_TIMEOUT("head_timeout");

    private final String label;

    Refusal(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  /** How long a refused address stays quiet in the log after a line about it. */
  static final long LOG_INTERVAL_MILLIS = 60_000;

  /** Addresses remembered for log rate limiting at most (the oldest are forgotten first). */
  private static final int MAX_LOGGED_ADDRESSES = 10_000;

  private final int maxPerAddress;
  private final int maxTotal;
  private final Map<String, Integer> open = new HashMap<>();
  private int total;
  private final EnumMap<Refusal, Long> refusals = new EnumMap<>(Refusal.class);
  private final LinkedHashMap<String, Long> lastLogged = new LinkedHashMap<>();

  ConnectionLimits(int maxPerAddress, int maxTotal) {
    if (maxPerAddress < 1 || maxTotal < 1) {
      throw new IllegalArgumentException("connection caps must be at least 1");
    }
    this.maxPerAddress = maxPerAddress;
    this.maxTotal = maxTotal;
    for (Refusal reason : Refusal.values()) {
      refusals.put(reason, 0L);
    }
  }

  /**
   * Takes a slot for a new connection from {@code address}: empty when admitted (the caller then
   * {@link #release}s it when the connection ends), else the refusal, counted.
   */
  synchronized Optional<Refusal> admit(String address) {
    int held = open.getOrDefault(address, 0);
    Refusal refusal =
        held >= maxPerAddress ? Refusal.PER_ADDRESS : total >= maxTotal ? Refusal.TOTAL : null;
    if (refusal != null) {
      refusals.merge(refusal, 1L, Long::sum);
      return Optional.of(refusal);
    }
    open.put(address, held + 1);
    total++;
    return Optional.empty();
  }

  /** Gives back the slot of an admitted connection from {@code address} that ended. */
  synchronized void release(String address) {
    Integer held = open.get(address);
    if (held == null) {
      throw new IllegalStateException("no open connection from " + address + " to release");
    }
    if (held == 1) {
      open.remove(address);
    } else {
      open.put(address, held - 1);
    }
    total--;
  }

  /** Counts an admitted connection closed for not delivering a request head in time. */
  synchronized void headTimedOut() {
    refusals.merge(Refusal.HEAD_TIMEOUT, 1L, Long::sum);
  }

  /**
   * True when a refusal of {@code address} at {@code nowMillis} should be logged: the first one,
   * and then at most one per {@link #LOG_INTERVAL_MILLIS}.
   */
  synchronized boolean shouldLog(String address, long nowMillis) {
    Long last = lastLogged.get(address);
    if (last != null && nowMillis - last < LOG_INTERVAL_MILLIS) {
      return false;
    }
    lastLogged.remove(address);
    lastLogged.put(address, nowMillis);
    if (lastLogged.size() > MAX_LOGGED_ADDRESSES) {
      lastLogged.remove(lastLogged.keySet().iterator().next());
    }
    return true;
  }

  /** Connections open now from {@code address}. */
  synchronized int openFrom(String address) {
    return open.getOrDefault(address, 0);
  }

  /** Connections open now. */
  synchronized int openTotal() {
    return total;
  }

  /** Refusals so far by their {@code /metrics} label, every reason present. */
  synchronized Map<String, Long> refusals() {
    Map<String, Long> byLabel = new LinkedHashMap<>();
    refusals.forEach((reason, count) -> byLabel.put(reason.label(), count));
    return byLabel;
  }
}
