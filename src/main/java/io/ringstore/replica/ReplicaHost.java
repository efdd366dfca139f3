package io.ringstore.replica;

import java.util.concurrent.Executor;

/**
 * What a data node gives its replica entities: the node's object store, the executor of the storage
 * dispatcher (blocking calls never run on the default dispatcher), the node's public name and the
 * registry of the entities it runs.
 */
public record ReplicaHost(
    LocalObjectStore store, Executor storageExecutor, String node, LocalReplicas localReplicas) {}
