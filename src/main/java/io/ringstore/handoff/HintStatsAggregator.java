package io.ringstore.handoff;

import io.ringstore.handoff.HintStore.HintStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A per-request aggregator for {@link HintManager.GetAllStats}: asks every hint store for its
 * stats, answers with what came back once all replied or the timeout passed, and always stops.
 */
final class HintStatsAggregator {
  private HintStatsAggregator() {}

  /** What the aggregator receives (its own adapter's replies and its timeout). */
  sealed interface Message {}

  private record Reply(HintStats stats) implements Message {}

  private enum Timeout implements Message {
    INSTANCE
  }

  static Behavior<Message> create(
      List<ActorRef<HintStore.Command>> stores,
      HintBudget budget,
      Duration timeout,
      ActorRef<HintManager.AllHintStats> replyTo) {
    return Behaviors.<Message>setup(
        ctx -> {
          ActorRef<HintStats> adapter = ctx.messageAdapter(HintStats.class, Reply::new);
          stores.forEach(store -> store.tell(new HintStore.GetStats(adapter)));
          if (stores.isEmpty()) {
            replyTo.tell(
                new HintManager.AllHintStats(
                    List.of(), 0, budget.maxBytes(), budget.usedBytes(), budget.refusals()));
            return Behaviors.stopped();
          }
          return Behaviors.withTimers(
              timers -> {
                timers.startSingleTimer(Timeout.INSTANCE, timeout);
                return collecting(stores.size(), new ArrayList<>(), budget, replyTo);
              });
        });
  }

  private static Behavior<Message> collecting(
      int expected,
      List<HintStats> received,
      HintBudget budget,
      ActorRef<HintManager.AllHintStats> replyTo) {
    return Behaviors.receive(Message.class)
        .onMessage(
            Reply.class,
            reply -> {
              received.add(reply.stats());
              return received.size() == expected
                  ? answer(received, expected, budget, replyTo)
                  : Behaviors.same();
            })
        .onMessageEquals(Timeout.INSTANCE, () -> answer(received, expected, budget, replyTo))
        .build();
  }

  private static Behavior<Message> answer(
      List<HintStats> received,
      int expected,
      HintBudget budget,
      ActorRef<HintManager.AllHintStats> replyTo) {
    List<HintStats> sorted =
        received.stream()
            .sorted(
                Comparator.comparing((HintStats s) -> s.target().partition())
                    .thenComparing(s -> s.target().index()))
            .toList();
    replyTo.tell(
        new HintManager.AllHintStats(
            sorted,
            expected - received.size(),
            budget.maxBytes(),
            budget.usedBytes(),
            budget.refusals()));
    return Behaviors.stopped();
  }
}
