package io.ringstore.coordinator;

import io.ringstore.replica.PeerQueue;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of replica messages this node has sent to each peer node and that the peer has not yet been
 * shown to have received, against a bound per peer ({@code
 * ringstore.requests.max-bytes-queued-per-peer}). Messages that carry objects wait in Artery's
 * outbound large-message queue while a peer is paused or slow; the queue is bounded by count, not
 * bytes, so without this a coordinator node's heap fills (DESIGN invariant 6: memory is bounded in
 * bytes). A sender {@link #tryAcquire}s a message's bytes before it sends it and does not send it
 * when refused; {@link PeerFlow} proves receipt by a flush on the same lane and {@link #confirm}s
 * what was acquired before it, and gives everything back when the peer leaves the cluster or
 * restarts (Artery drops its queue then). Peers are named {@code host:port}. Thread-safe, no Pekko.
 */
public final class PeerBytes implements PeerQueue {
  private final long maxBytesPerPeer;
  private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();

  /** Bytes acquired (ever) and given back (ever) for one peer; outstanding is their difference. */
  private static final class Peer {
    private long acquired;
    private long released;

    synchronized boolean tryAcquire(long bytes, long max) {
      long outstanding = acquired - released;
      if (outstanding != 0 && outstanding + bytes > max) {
        return false;
      }
      acquired += bytes;
      return true;
    }

    synchronized long acquired() {
      return acquired;
    }

    synchronized long outstanding() {
      return acquired - released;
    }

    synchronized void confirm(long mark) {
      released = Math.max(released, Math.min(mark, acquired));
    }

    synchronized void releaseAll() {
      released = acquired;
    }
  }

  private PeerBytes(long maxBytesPerPeer) {
    if (maxBytesPerPeer < 1) {
      throw new IllegalArgumentException("bytes per peer must be >= 1 but was " + maxBytesPerPeer);
    }
    this.maxBytesPerPeer = maxBytesPerPeer;
  }

  /** A bound of {@code maxBytesPerPeer} bytes unconfirmed per peer. */
  public static PeerBytes of(long maxBytesPerPeer) {
    return new PeerBytes(maxBytesPerPeer);
  }

  /** No bound (tests of the data path alone; nothing is ever refused). */
  public static PeerBytes unlimited() {
    return new PeerBytes(Long.MAX_VALUE);
  }

  /**
   * Counts {@code bytes} about to be sent to {@code peer} if they fit under the bound, or if
   * nothing is outstanding to that peer (one message larger than the bound still goes, alone);
   * false, counted as a refusal and nothing acquired, if not: the message must then not be sent.
   */
  @Override
  public boolean tryAcquire(String peer, long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0 but was " + bytes);
    }
    if (maxBytesPerPeer == Long.MAX_VALUE) {
      return true;
    }
    if (peers.computeIfAbsent(peer, p -> new Peer()).tryAcquire(bytes, maxBytesPerPeer)) {
      return true;
    }
    refused.incrementAndGet();
    return false;
  }

  /**
   * A mark of everything acquired for {@code peer} so far: once a flush sent after this mark is
   * answered, {@link #confirm} with it gives those bytes back.
   */
  public long mark(String peer) {
    Peer p = peers.get(peer);
    return p == null ? 0 : p.acquired();
  }

  /** The peer received every message whose bytes were acquired before {@code mark}. */
  public void confirm(String peer, long mark) {
    Peer p = peers.get(peer);
    if (p != null) {
      p.confirm(mark);
    }
  }

  /** The peer is gone or restarted: nothing sent to it waits any more. */
  public void releaseAll(String peer) {
    Peer p = peers.get(peer);
    if (p != null) {
      p.releaseAll();
    }
  }

  /** Bytes sent to {@code peer} and not yet confirmed. */
  public long outstanding(String peer) {
    Peer p = peers.get(peer);
    return p == null ? 0 : p.outstanding();
  }

  /** Bytes sent to all peers and not yet confirmed. */
  public long outstandingTotal() {
    return peers.values().stream().mapToLong(Peer::outstanding).sum();
  }

  /** The peers with bytes not yet confirmed. */
  public List<String> peersWithOutstanding() {
    return peers.entrySet().stream()
        .filter(e -> e.getValue().outstanding() > 0)
        .map(Map.Entry::getKey)
        .toList();
  }

  /** Sends refused since this node started. */
  public long refusals() {
    return refused.get();
  }

  public long maxBytesPerPeer() {
    return maxBytesPerPeer;
  }
}
