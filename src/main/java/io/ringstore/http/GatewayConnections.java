package io.ringstore.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connection limits of the gateway's listeners by name ({@code api}, and {@code management}
 * when that listener is on), for {@code /metrics}.
 */
final class GatewayConnections {
  static final String API = "api";
  static final String MANAGEMENT = "management";

  private final Map<String, ConnectionLimits> listeners =
      Collections.synchronizedMap(new LinkedHashMap<>());

  /** Registers (or replaces) the limits of {@code listener}; returns them. */
  ConnectionLimits register(String listener, ConnectionLimits limits) {
    listeners.put(listener, limits);
    return limits;
  }

  /** A copy of the listeners' limits, in registration order. */
  Map<String, ConnectionLimits> listeners() {
    synchronized (listeners) {
      return new LinkedHashMap<>(listeners);
    }
  }
}
