package io.ringstore.coordinator;

import io.ringstore.CborSerializable;
import io.ringstore.cluster.NodeAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Confirms what a node's {@link PeerBytes} counts as sent to each peer: for every peer with
 * unconfirmed bytes it sends, every {@link #TICK}, a {@link Flush} to the peer's own flow actor at
 * {@link #PATH}, on Artery's large-message lane like the replica messages it confirms (one lane
 * keeps the order of what one node sends another), and the peer answers {@link FlushAck}. The ack
 * proves the peer took in every message queued before the flush, so the bytes acquired by then are
 * given back. The mark a flush confirms is taken one tick before the flush is sent: a coordinator
 * acquires before it sends, and a send through a local shard region passes another mailbox first,
 * so a message whose bytes were acquired just before the mark is given that tick to reach Artery's
 * queue. A peer that is no member any more, or a member with a new uid (restarted), gets everything
 * back: Artery dropped what was queued to it. Upholds DESIGN invariant 6 (memory bounded in bytes).
 */
public final class PeerFlow extends AbstractBehavior<PeerFlow.Command> {
  /** Where every node runs it; listed in {@code large-message-destinations}. */
  public static final String NAME = "peer-flow";

  public static final String PATH = "/system/" + NAME;

  /** How often unconfirmed bytes are flushed. */
  static final Duration TICK = Duration.ofMillis(200);

  /** A flush unanswered this long is followed by another one (the newer confirms more). */
  static final Duration RESEND_AFTER = Duration.ofSeconds(2);

  /** Most flushes awaiting an ack per peer. */
  private static final int MAX_PENDING = 8;

  /** Messages the flow actor accepts. */
  public interface Command extends CborSerializable {}

  /**
   * Sent by a node's flow actor to a peer's after replica messages: answered at once with an ack.
   */
  public record Flush(long seq, ActorRef<Command> replyTo) implements Command {}

  /** The answer to {@link Flush}: every message the sender queued before the flush arrived. */
  public record FlushAck(long seq) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /** How the actor sees the cluster: member addresses by node name, and reaching a peer's actor. */
  interface Peers {
    /** The cluster's members by node name ({@code host:port}). */
    Map<String, PeerMember> members();

    ActorRef<Command> flowOf(Address address);
  }

  /** A member's address and the uid of its incarnation. */
  record PeerMember(Address address, long uid) {}

  private record Marker(String peer, long uid, long mark, long sentTick) {}

  private final PeerBytes bytes;
  private final Peers peers;
  private final Map<Long, Marker> pending = new LinkedHashMap<>();

  /** The mark taken at the last tick, per peer: confirmed by the next flush. */
  private final Map<String, Long> lastMark = new HashMap<>();

  private final Map<String, Long> uids = new HashMap<>();
  private long seq;

  /** Ticks since the start: the clock of resends (the scheduler's, so tests can drive it). */
  private long ticks;

  /** The flow actor of a cluster member. */
  public static Behavior<Command> create(PeerBytes bytes) {
    return Behaviors.setup(
        ctx -> {
          var cluster = Cluster.get(ctx.getSystem());
          ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
          // used from this actor only
          Map<Address, ActorRef<Command>> flows = new HashMap<>();
          Peers peers =
              new Peers() {
                @Override
                public Map<String, PeerMember> members() {
                  Map<String, PeerMember> members = new HashMap<>();
                  for (Member m : cluster.state().getMembers()) {
                    members.put(
                        NodeAddress.of(m.address()),
                        new PeerMember(m.address(), m.uniqueAddress().longUid()));
                  }
                  return members;
                }

                @Override
                public ActorRef<Command> flowOf(Address address) {
                  if (flows.size() > 1024) {
                    flows.clear();
                  }
                  return flows.computeIfAbsent(address, a -> resolver.resolveActorRef(a + PATH));
                }
              };
          return create(bytes, peers);
        });
  }

  static Behavior<Command> create(PeerBytes bytes, Peers peers) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
                  return new PeerFlow(ctx, bytes, peers);
                }));
  }

  private PeerFlow(ActorContext<Command> ctx, PeerBytes bytes, Peers peers) {
    super(ctx);
    this.bytes = bytes;
    this.peers = peers;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Flush.class, this::onFlush)
        .onMessage(FlushAck.class, this::onFlushAck)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .build();
  }

  private Behavior<Command> onFlush(Flush flush) {
    flush.replyTo().tell(new FlushAck(flush.seq()));
    return this;
  }

  private Behavior<Command> onFlushAck(FlushAck ack) {
    Marker marker = pending.remove(ack.seq());
    if (marker == null) {
      return this;
    }
    Long uid = uids.get(marker.peer());
    if (uid != null && uid == marker.uid()) {
      bytes.confirm(marker.peer(), marker.mark());
    }
    pending.values().removeIf(m -> m.peer().equals(marker.peer()) && m.mark() <= marker.mark());
    return this;
  }

  private Behavior<Command> onTick() {
    List<String> waiting = bytes.peersWithOutstanding();
    if (waiting.isEmpty()) {
      lastMark.clear();
      return this;
    }
    Map<String, PeerMember> members = peers.members();
    long now = ++ticks;
    for (String peer : waiting) {
      PeerMember member = members.get(peer);
      Long known = uids.get(peer);
      if (member == null || (known != null && known != member.uid())) {
        // Artery dropped what was queued to the old incarnation (or to a member that left)
        bytes.releaseAll(peer);
        forget(peer);
        if (member != null) {
          uids.put(peer, member.uid());
        }
        continue;
      }
      long uid = member.uid();
      uids.put(peer, uid);
      Long mark = lastMark.put(peer, bytes.mark(peer));
      if (mark != null && due(peer, now)) {
        long next = ++seq;
        pending.put(next, new Marker(peer, uid, mark, now));
        trim(peer);
        peers.flowOf(member.address()).tell(new Flush(next, getContext().getSelf()));
      }
    }
    lastMark.keySet().retainAll(waiting);
    return this;
  }

  /** No flush to {@code peer} awaits an ack, or the newest was sent {@link #RESEND_AFTER} ago. */
  private boolean due(String peer, long now) {
    long newest = Long.MIN_VALUE;
    boolean any = false;
    for (Marker m : pending.values()) {
      if (m.peer().equals(peer)) {
        any = true;
        newest = Math.max(newest, m.sentTick());
      }
    }
    return !any || now - newest >= RESEND_AFTER.toMillis() / TICK.toMillis();
  }

  private void trim(String peer) {
    List<Long> ofPeer = new ArrayList<>();
    pending.forEach(
        (s, m) -> {
          if (m.peer().equals(peer)) {
            ofPeer.add(s);
          }
        });
    for (int i = 0; i < ofPeer.size() - MAX_PENDING; i++) {
      pending.remove(ofPeer.get(i));
    }
  }

  private void forget(String peer) {
    lastMark.remove(peer);
    Iterator<Marker> it = pending.values().iterator();
    while (it.hasNext()) {
      if (it.next().peer().equals(peer)) {
        it.remove();
      }
    }
  }
}
