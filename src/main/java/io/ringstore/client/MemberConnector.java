package io.ringstore.client;

import io.ringstore.cluster.RingView;
import io.ringstore.cluster.SettingsService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.pattern.Patterns;

/**
 * Brings a client member from "joining" to "can serve", one step after the other, and completes
 * {@code connected} then (or fails it when the join timeout passes first): this member is Up; a
 * data node's {@link SettingsService} told the cluster's ring shape and N, R, W; the client was
 * built with them (sharding proxy, gateway); the ring holds the data members; and the sharding
 * proxy has registered with the shard coordinator. Until that registration a proxy holds every
 * request, and the coordinator ignores it until it sees the member Up, so a request sent earlier
 * waited for the next registration attempt (up to 2 s, Pekko's retry interval), its coordinator
 * timed out and the replicas' late replies went to dead letters. The connector always stops once it
 * has answered.
 */
final class MemberConnector extends AbstractBehavior<MemberConnector.Command> {
  /** How often the ring and the proxy's registration are checked once the client is built. */
  static final Duration POLL = Duration.ofMillis(100);

  /** How long one data node's settings service may take to answer before another is asked. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);

  /** The client, built once the cluster's settings are known: what is checked before it serves. */
  record Built(RingstoreClient client, RingView ringView, ActorRef<?> region) {}

  /** Messages of the connector; all local. */
  interface Command extends NoSerializationVerificationNeeded {}

  private record SelfIsUp() implements Command {}

  private record Listed(Receptionist.Listing listing) implements Command {}

  private record SettingsRead(SettingsService.ClusterSettings settings, Throwable failure)
      implements Command {}

  private record ClientBuilt(Built built, Throwable failure) implements Command {}

  private record RegionsChecked(boolean registered) implements Command {}

  private enum Poll implements Command {
    INSTANCE
  }

  private enum AskAgain implements Command {
    INSTANCE
  }

  private enum TimedOut implements Command {
    INSTANCE
  }

  private final ClientSettings settings;
  private final Function<SettingsService.ClusterSettings, Built> build;
  private final Executor blocking;
  private final CompletableFuture<Built> connected;
  private final TimerScheduler<Command> timers;

  private boolean up;
  private List<ActorRef<SettingsService.Command>> services = List.of();
  private int asked;
  private boolean asking;
  private SettingsService.ClusterSettings clusterSettings;
  private Built built;
  private String waitingFor = "it did not join the cluster: no seed node answered or let it in";

  /**
   * A connector for {@code settings}' join timeout; {@code build} runs on {@code blocking} (it
   * starts sharding, which blocks a moment).
   */
  static Behavior<Command> create(
      ClientSettings settings,
      Function<SettingsService.ClusterSettings, Built> build,
      Executor blocking,
      CompletableFuture<Built> connected) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new MemberConnector(ctx, timers, settings, build, blocking, connected)));
  }

  private MemberConnector(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ClientSettings settings,
      Function<SettingsService.ClusterSettings, Built> build,
      Executor blocking,
      CompletableFuture<Built> connected) {
    super(ctx);
    this.timers = timers;
    this.settings = settings;
    this.build = build;
    this.blocking = blocking;
    this.connected = connected;
    timers.startSingleTimer(TimedOut.INSTANCE, settings.joinTimeout());
    Cluster.get(ctx.getSystem())
        .subscriptions()
        .tell(
            Subscribe.create(ctx.messageAdapter(SelfUp.class, u -> new SelfIsUp()), SelfUp.class));
    ctx.getSystem()
        .receptionist()
        .tell(
            Receptionist.subscribe(
                SettingsService.KEY, ctx.messageAdapter(Receptionist.Listing.class, Listed::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(SelfIsUp.class, this::onSelfUp)
        .onMessage(Listed.class, this::onListed)
        .onMessageEquals(AskAgain.INSTANCE, this::askSettings)
        .onMessage(SettingsRead.class, this::onSettingsRead)
        .onMessage(ClientBuilt.class, this::onClientBuilt)
        .onMessageEquals(Poll.INSTANCE, this::onPoll)
        .onMessage(RegionsChecked.class, this::onRegionsChecked)
        .onMessageEquals(TimedOut.INSTANCE, this::onTimedOut)
        .build();
  }

  private Behavior<Command> onSelfUp(SelfIsUp msg) {
    up = true;
    waitingFor = "it joined, but no data node's settings service answered";
    return askSettings();
  }

  private Behavior<Command> onListed(Listed listed) {
    services = new ArrayList<>(listed.listing().getServiceInstances(SettingsService.KEY));
    return askSettings();
  }

  private Behavior<Command> askSettings() {
    if (!up || asking || clusterSettings != null || services.isEmpty()) {
      return this;
    }
    asking = true;
    ActorRef<SettingsService.Command> service = services.get(asked++ % services.size());
    getContext()
        .ask(
            SettingsService.ClusterSettings.class,
            service,
            ASK_TIMEOUT,
            SettingsService.GetSettings::new,
            SettingsRead::new);
    return this;
  }

  private Behavior<Command> onSettingsRead(SettingsRead read) {
    asking = false;
    if (read.failure() != null) {
      // that node did not answer in time (busy, leaving): ask another one shortly
      timers.startSingleTimer(AskAgain.INSTANCE, POLL);
      return this;
    }
    clusterSettings = read.settings();
    waitingFor = "it read the cluster's settings, but its client did not start";
    CompletionStage<Built> building =
        CompletableFuture.supplyAsync(() -> build.apply(read.settings()), blocking);
    getContext().pipeToSelf(building, ClientBuilt::new);
    return this;
  }

  private Behavior<Command> onClientBuilt(ClientBuilt result) {
    if (result.failure() != null) {
      Throwable cause =
          result.failure().getCause() != null ? result.failure().getCause() : result.failure();
      return fail("the client could not start: " + cause.getMessage(), cause);
    }
    built = result.built();
    return onPoll();
  }

  private Behavior<Command> onPoll() {
    if (built.ringView().current().members().isEmpty()) {
      waitingFor = "it joined, but sees no data member Up";
      timers.startSingleTimer(Poll.INSTANCE, POLL);
      return this;
    }
    waitingFor = "the shard coordinator did not accept its replica sharding proxy";
    CompletionStage<Object> regions =
        Patterns.ask(
            Adapter.toClassic(built.region()),
            ShardRegion.getCurrentRegionsInstance(),
            ASK_TIMEOUT);
    getContext()
        .pipeToSelf(
            regions,
            (reply, failure) ->
                new RegionsChecked(
                    reply instanceof ShardRegion.CurrentRegions current
                        && !current.getRegions().isEmpty()));
    return this;
  }

  private Behavior<Command> onRegionsChecked(RegionsChecked checked) {
    if (!checked.registered()) {
      timers.startSingleTimer(Poll.INSTANCE, POLL);
      return this;
    }
    timers.cancelAll();
    connected.complete(built);
    return Behaviors.stopped();
  }

  private Behavior<Command> onTimedOut() {
    return fail(waitingFor, null);
  }

  private Behavior<Command> fail(String what, Throwable cause) {
    timers.cancelAll();
    connected.completeExceptionally(
        new ConnectFailedException(what, settings.endpoints(), settings.joinTimeout(), cause));
    return Behaviors.stopped();
  }
}
