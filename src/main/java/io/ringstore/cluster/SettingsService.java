package io.ringstore.cluster;

import io.ringstore.CborSerializable;
import io.ringstore.config.RingstoreSettings;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Tells a client member the cluster's settings that it must share with the data nodes instead of
 * repeating them by hand: the ring's shape (a client that computed another ring would send requests
 * to the wrong replicas) and the default N, R, W and timeouts. Every data node runs one, registered
 * with the Receptionist under {@link #KEY}; a client asks any of them once it has joined.
 */
public final class SettingsService {
  /** Where data nodes register the service. */
  public static final ServiceKey<Command> KEY =
      ServiceKey.create(Command.class, "ringstore-settings");

  /** Where a data node runs it. */
  public static final String NAME = "ringstore-settings";

  private SettingsService() {}

  /** Messages the service accepts. */
  public interface Command extends CborSerializable {}

  /** Sent by a client member that joined; answered at once with {@link ClusterSettings}. */
  public record GetSettings(ActorRef<ClusterSettings> replyTo) implements Command {}

  /**
   * A data node's ring and replication settings.
   *
   * @param partitions Q, the ring's partitions
   * @param tokensPerMember T, virtual tokens per data member
   * @param n replicas per key
   * @param r default replies a read waits for
   * @param w default acks a write waits for
   * @param timeoutMillis default request timeout
   * @param maxTimeoutMillis largest timeout a request may ask for
   * @param sloppyQuorum whether writes count hints toward W by default
   */
  public record ClusterSettings(
      int partitions,
      int tokensPerMember,
      int n,
      int r,
      int w,
      long timeoutMillis,
      long maxTimeoutMillis,
      boolean sloppyQuorum)
      implements CborSerializable {

    /** The values of {@code settings}. */
    public static ClusterSettings of(RingstoreSettings settings) {
      return new ClusterSettings(
          settings.ring().partitions(),
          settings.ring().tokensPerMember(),
          settings.replication().n(),
          settings.replication().r(),
          settings.replication().w(),
          settings.requests().timeout().toMillis(),
          settings.requests().maxTimeout().toMillis(),
          settings.requests().sloppyQuorum());
    }
  }

  /** The service of a data node with {@code settings}; registers itself with the Receptionist. */
  public static Behavior<Command> create(RingstoreSettings settings) {
    ClusterSettings answer = ClusterSettings.of(settings);
    return Behaviors.setup(
        ctx -> {
          ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
          return Behaviors.receive(Command.class)
              .onMessage(
                  GetSettings.class,
                  get -> {
                    get.replyTo().tell(answer);
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
