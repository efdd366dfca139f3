package io.ringstore.handoff;

import io.ringstore.cluster.NodeAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Cluster;

/**
 * Which member runs which {@link HintManager}: kept up to date from the Receptionist, so a write
 * coordinator can hand a hint to the manager of a chosen fallback member without asking anyone.
 */
public final class HintDirectory {
  private volatile Map<String, ActorRef<HintManager.Command>> managers = Map.of();

  /** This node's name, or null when it runs no hint manager (tests). */
  private volatile String selfNode;

  private HintDirectory() {}

  /** Starts following the Receptionist's listing of hint managers in {@code system}. */
  public static HintDirectory start(ActorSystem<?> system) {
    HintDirectory directory = new HintDirectory();
    String selfNode = NodeAddress.of(Cluster.get(Adapter.toClassic(system)).selfAddress());
    directory.selfNode = selfNode;
    system.systemActorOf(directory.listener(selfNode), "hint-directory", Props.empty());
    return directory;
  }

  /** A directory that knows no manager (tests of the data path alone). */
  public static HintDirectory empty() {
    return new HintDirectory();
  }

  /** A fixed directory (coordinator tests): node name to its hint manager. */
  public static HintDirectory of(Map<String, ActorRef<HintManager.Command>> managers) {
    return of(managers, null);
  }

  /** A fixed directory in which {@code selfNode} (one of the keys, or null) is this node. */
  public static HintDirectory of(
      Map<String, ActorRef<HintManager.Command>> managers, String selfNode) {
    HintDirectory directory = new HintDirectory();
    directory.managers = Map.copyOf(managers);
    directory.selfNode = selfNode;
    return directory;
  }

  /** This node's name, when it runs a hint manager. */
  public Optional<String> selfNode() {
    return Optional.ofNullable(selfNode).filter(managers::containsKey);
  }

  public Optional<ActorRef<HintManager.Command>> managerOf(String node) {
    return Optional.ofNullable(managers.get(node));
  }

  private Behavior<Receptionist.Listing> listener(String selfNode) {
    return Behaviors.setup(
        ctx -> {
          ctx.getSystem()
              .receptionist()
              .tell(Receptionist.subscribe(HintManager.KEY, ctx.getSelf()));
          return Behaviors.receiveMessage(
              listing -> {
                Map<String, ActorRef<HintManager.Command>> next = new HashMap<>();
                for (ActorRef<HintManager.Command> ref :
                    listing.getServiceInstances(HintManager.KEY)) {
                  var address = ref.path().address();
                  next.put(address.hasLocalScope() ? selfNode : NodeAddress.of(address), ref);
                }
                managers = Map.copyOf(next);
                return Behaviors.same();
              });
        });
  }
}
