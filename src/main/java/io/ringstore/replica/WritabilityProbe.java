package io.ringstore.replica;

import io.ringstore.ring.Ring;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Holds a data node's readiness until a write at the default W to any key would be acknowledged
 * (DESIGN invariant 1 counts only real acks): once this node is in the ring, it asks every
 * partition's replica entities for their {@link ReplicaEntity.Status} through sharding, which
 * allocates and starts any that is not running and teaches this node's region every shard's home,
 * and counts the answers in a {@link Writability}. A partition passes with W answers from distinct
 * nodes, one of them caught up; a partition that does not pass within {@code askTimeout} (or whose
 * replicas all answered without passing) is asked again after a backoff that doubles up to {@code
 * maxBackoff}. At most {@code window} partitions are asked at a time. A change of the ring's
 * members starts the count over. When every partition passed on the current ring it sets {@link
 * Progress#writable()} and stops: at most a few rounds of Q x N small messages per start, nothing
 * in steady state, and readiness does not flap on later membership changes (see README, health).
 */
public final class WritabilityProbe extends AbstractBehavior<WritabilityProbe.Command> {

  /** The timer tick and the adapted status replies; local to this node. */
  public interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record StatusReply(ReplicaEntity.Status status) implements Command {}

  /** Tuning: the default W, partitions asked at a time, how long an ask waits, backoff. */
  public record Settings(
      int w,
      int window,
      Duration askTimeout,
      Duration tick,
      Duration minBackoff,
      Duration maxBackoff) {
    public Settings {
      if (w < 1 || window < 1) {
        throw new IllegalArgumentException("w and window must be at least 1");
      }
    }

    /** These settings with asks waiting {@code askTimeout} for their answers. */
    public Settings withAskTimeout(Duration askTimeout) {
      return new Settings(w, window, askTimeout, tick, minBackoff, maxBackoff);
    }

    /** The probe of a node whose default W is {@code w}. */
    public static Settings of(int w) {
      return new Settings(
          w,
          16,
          Duration.ofSeconds(3),
          Duration.ofMillis(200),
          Duration.ofMillis(200),
          Duration.ofSeconds(2));
    }
  }

  /** What the probe found so far; written by the probe, read by {@code /health/ready}. */
  public static final class Progress {
    private volatile boolean writable;
    private volatile int writablePartitions;
    private volatile int partitions = -1;
    private volatile int w;

    /** Whether every partition passed once (stays true). */
    public boolean writable() {
      return writable;
    }

    /** What readiness waits for while not {@link #writable()}, for the health JSON. */
    public String waitingFor() {
      if (writable) {
        return null;
      }
      if (partitions < 0) {
        return "this node in the ring";
      }
      return "partitions writable at w=" + w + ": " + writablePartitions + "/" + partitions;
    }

    void counted(int writablePartitions, int partitions, int w) {
      this.w = w;
      this.partitions = partitions;
      this.writablePartitions = writablePartitions;
    }

    void notInRing() {
      partitions = -1;
    }

    void passed() {
      writable = true;
    }
  }

  private final ReplicaDirectory directory;
  private final String self;
  private final Settings settings;
  private final Progress progress;
  private final ActorRef<ReplicaEntity.Status> replies;
  private final Deque<Integer> queue = new ArrayDeque<>();

  /** Partitions asked and not passed yet: when their ask times out (System.nanoTime). */
  private final Map<Integer, Long> inFlight = new HashMap<>();

  /** Partitions that failed an ask: when to ask them again (System.nanoTime). */
  private final Map<Integer, Long> retryAt = new HashMap<>();

  private final Map<Integer, Integer> failures = new HashMap<>();
  private final Set<Integer> passed = new HashSet<>();
  private Writability tally;

  public static Behavior<Command> create(
      ReplicaDirectory directory, String self, Settings settings, Progress progress) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new WritabilityProbe(ctx, timers, directory, self, settings, progress)));
  }

  private WritabilityProbe(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ReplicaDirectory directory,
      String self,
      Settings settings,
      Progress progress) {
    super(ctx);
    this.directory = directory;
    this.self = self;
    this.settings = settings;
    this.progress = progress;
    this.replies = ctx.messageAdapter(ReplicaEntity.Status.class, StatusReply::new);
    timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, settings.tick());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(StatusReply.class, this::onStatus)
        .build();
  }

  private Behavior<Command> onTick() {
    Ring current = directory.ring();
    if (tally == null || !current.members().equals(tally.ring().members())) {
      if (!current.members().contains(self) || current.partitionCount() == 0) {
        tally = null;
        progress.notInRing();
        return this;
      }
      restart(current);
    }
    long now = System.nanoTime();
    inFlight
        .entrySet()
        .removeIf(
            e -> {
              if (now - e.getValue() >= 0) {
                failed(e.getKey(), now);
                return true;
              }
              return false;
            });
    retryAt
        .entrySet()
        .removeIf(
            e -> {
              if (now - e.getValue() >= 0) {
                queue.add(e.getKey());
                return true;
              }
              return false;
            });
    askMore();
    return finishIfDone();
  }

  private void restart(Ring ring) {
    if (tally != null) {
      getContext()
          .getLog()
          .info(
              "readiness: the ring changed ({} members) before every partition was writable;"
                  + " counting again",
              ring.members().size());
    }
    tally = new Writability(ring, settings.w());
    queue.clear();
    inFlight.clear();
    retryAt.clear();
    failures.clear();
    passed.clear();
    for (int p = 0; p < tally.partitions(); p++) {
      queue.add(p);
    }
    progress.counted(0, tally.partitions(), tally.required(0));
  }

  private Behavior<Command> onStatus(StatusReply reply) {
    ReplicaEntity.Status status = reply.status();
    ReplicaId id;
    try {
      id = ReplicaId.parse(status.replica());
    } catch (IllegalArgumentException e) {
      return this;
    }
    int p = id.partition();
    if (tally == null || !inFlight.containsKey(p)) {
      return this;
    }
    tally.answered(id, status.node(), status.syncing());
    if (tally.writable(p)) {
      inFlight.remove(p);
      passed.add(p);
      progress.counted(passed.size(), tally.partitions(), tally.required(p));
    } else if (tally.allAnswered(p)) {
      // every replica answered and still not writable (all catching up): ask again later
      inFlight.remove(p);
      failed(p, System.nanoTime());
    } else {
      return this;
    }
    askMore();
    return finishIfDone();
  }

  private void failed(int partition, long now) {
    int failed = failures.merge(partition, 1, Integer::sum);
    retryAt.put(
        partition, now + backoff(failed, settings.minBackoff(), settings.maxBackoff()).toNanos());
  }

  /** The pause before the {@code failed}-th retry of a partition: doubling from min up to max. */
  static Duration backoff(int failed, Duration min, Duration max) {
    Duration pause = min;
    for (int i = 1; i < failed && pause.compareTo(max) < 0; i++) {
      pause = pause.multipliedBy(2);
    }
    return pause.compareTo(max) < 0 ? pause : max;
  }

  /** Asks the replicas of queued partitions, up to {@code window} partitions in flight. */
  private void askMore() {
    while (inFlight.size() < settings.window() && !queue.isEmpty()) {
      int p = queue.poll();
      tally.clear(p);
      inFlight.put(p, System.nanoTime() + settings.askTimeout().toNanos());
      for (int r = 0; r < tally.replicasOf(p); r++) {
        directory.entity(new ReplicaId(p, r)).tell(new ReplicaEntity.GetStatus(replies));
      }
    }
  }

  private Behavior<Command> finishIfDone() {
    if (tally == null
        || passed.size() < tally.partitions()
        || !directory.ring().members().equals(tally.ring().members())) {
      return this;
    }
    progress.passed();
    getContext()
        .getLog()
        .info(
            "readiness: all {} partitions writable at w={} ({} ring members); this node reports"
                + " ready",
            tally.partitions(),
            tally.required(0),
            tally.ring().members().size());
    return Behaviors.stopped();
  }
}
