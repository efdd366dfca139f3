package io.ringstore.replica;

import java.util.concurrent.CompletionStage;

/**
 * Test access to {@link LocalReplicas}' registration, which only replica entities call in
 * production: tests of other packages (transfers, reclaiming) stand in for an entity starting or
 * stopping on the node.
 */
public final class LocalReplicasTesting {
  private LocalReplicasTesting() {}

  /**
   * As if replica entity {@code id} started on the node: completes (true) once it is registered,
   * after a drop of its partition in progress.
   */
  public static CompletionStage<Boolean> register(LocalReplicas locals, ReplicaId id) {
    return locals.register(id);
  }

  /** As if replica entity {@code id} stopped on the node (it moved away). */
  public static void deregister(LocalReplicas locals, ReplicaId id) {
    locals.deregister(id);
  }
}
