/**
 * A Jepsen-style consistency check run from outside the cluster: clients that each own their keys
 * (single writer) read and write them through the public HTTP contract while faults may happen,
 * then the check waits for the replicas to converge and a pure {@link
 * io.ringstore.check.HistoryChecker} judges the recorded history against DESIGN.md's invariants 1
 * (no acknowledged write lost), 2 (no stale read under strict quorums with R + W > N) and 4
 * (replicas converge). A health monitor (pure core: {@link io.ringstore.check.FaultWindowTracker})
 * records the fault windows it observes, and for a local cluster a {@link
 * io.ringstore.check.Nemesis} kills and restarts or pauses and resumes nodes (through {@link
 * io.ringstore.check.ProcessControl}), marking its windows. An edge package: it talks HTTP (and,
 * for the nemesis, signals) only, and imports from the rest of ringstore only the command-line
 * clients' way to reach a node ({@code io.ringstore.tools}: HTTPS, the CA, credentials).
 */
package io.ringstore.check;
