package io.ringstore.bench;

/** The operations a workload issues, each with its own latencies and errors in the report. */
public enum Operation {
  /** {@code GET /kv/user<N>} of a loaded record. */
  READ,
  /** {@code PUT /kv/user<N>} of a loaded record with a new value (see {@link UpdateMode}). */
  UPDATE,
  /** {@code PUT /kv/user<N>} of a record of the load phase, with no context. */
  INSERT
}
