package io.ringstore.replica;

/**
 * The id {@code "p:r"} of replica entity r of partition p: the sharding entity id and, one entity
 * per shard, also its shard id.
 */
public record ReplicaId(int partition, int index) {
  public ReplicaId {
    if (partition < 0 || index < 0) {
      throw new IllegalArgumentException("negative partition or replica index");
    }
  }

  public static ReplicaId parse(String id) {
    int colon = id.indexOf(':');
    if (colon <= 0 || colon == id.length() - 1) {
      throw new IllegalArgumentException("not a replica id (p:r): '" + id + "'");
    }
    try {
      return new ReplicaId(
          Integer.parseInt(id.substring(0, colon)), Integer.parseInt(id.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a replica id (p:r): '" + id + "'", e);
    }
  }

  public String id() {
    return partition + ":" + index;
  }

  @Override
  public String toString() {
    return id();
  }
}
