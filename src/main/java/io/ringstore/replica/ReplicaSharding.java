package io.ringstore.replica;

import io.ringstore.cluster.RingView;
import io.ringstore.config.RingstoreSettings;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Sets up Cluster Sharding for replica entities: one entity per shard (shard id = entity id {@code
 * "p:r"}), only on members with the data role, placed by {@link RingAllocationStrategy}. On a
 * client member ({@code host} null) this starts a proxy.
 */
public final class ReplicaSharding {
  public static final EntityTypeKey<ReplicaEntity.Command> TYPE_KEY =
      EntityTypeKey.create(ReplicaEntity.Command.class, "replica");

  private ReplicaSharding() {}

  /** {@code maxSimultaneousMoves}: entities the coordinator may move in one rebalance round. */
  public static ActorRef<ShardingEnvelope<ReplicaEntity.Command>> init(
      ActorSystem<?> system, RingView ringView, ReplicaHost host, int maxSimultaneousMoves) {
    Entity<ReplicaEntity.Command, ShardingEnvelope<ReplicaEntity.Command>> entity =
        Entity.of(
                TYPE_KEY,
                ctx -> {
                  if (host == null) {
                    throw new IllegalStateException(
                        "replica entity started on a member without data role");
                  }
                  return ReplicaEntity.create(ReplicaId.parse(ctx.getEntityId()), host);
                })
            .withRole(RingstoreSettings.DATA_ROLE)
            .withMessageExtractor(new OneEntityPerShard())
            .withAllocationStrategy(new RingAllocationStrategy(ringView, maxSimultaneousMoves));
    return ClusterSharding.get(system).init(entity);
  }

  private static final class OneEntityPerShard
      extends ShardingMessageExtractor<
          ShardingEnvelope<ReplicaEntity.Command>, ReplicaEntity.Command> {
    @Override
    public String entityId(ShardingEnvelope<ReplicaEntity.Command> envelope) {
      return envelope.entityId();
    }

    @Override
    public String shardId(String entityId) {
      return entityId;
    }

    @Override
    public ReplicaEntity.Command unwrapMessage(ShardingEnvelope<ReplicaEntity.Command> envelope) {
      return envelope.message();
    }
  }
}
