package io.ringstore.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code count} connections from {@code address} that send a request line and then one header line
 * per tick, never finishing the head; one the node closes is opened again until {@link
 * #stopReopening()}. A connection counts as closed once a write to it fails.
 */
final class SlowClients implements AutoCloseable {
  private static final long TICK_MILLIS = 250;
  private final String address;
  private final int port;
  private final Socket[] sockets;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final AtomicBoolean reopening = new AtomicBoolean(true);
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger ticks = new AtomicInteger();

  /** Numbers the header lines (each tick sends a new one). */
  private int line;

  SlowClients(String address, int port, int count) {
    this.address = address;
    this.port = port;
    this.sockets = new Socket[count];
  }

  void start() {
    ticker.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private synchronized void tick() {
    line++;
    for (int i = 0; i < sockets.length; i++) {
      if (sockets[i] != null) {
        try {
          sockets[i]
              .getOutputStream()
              .write(("X-Slow-" + line + ": x\r\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException closed) {
          closeQuietly(sockets[i]);
          sockets[i] = null;
        }
      }
      if (sockets[i] == null && reopening.get()) {
        sockets[i] = connect();
      }
    }
    synchronized (ticks) {
      ticks.incrementAndGet();
      ticks.notifyAll();
    }
  }

  private Socket connect() {
    Socket socket = new Socket();
    try {
      socket.bind(new InetSocketAddress(address, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket
          .getOutputStream()
          .write(
              "GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      opened.incrementAndGet();
      return socket;
    } catch (IOException e) {
      closeQuietly(socket);
      return null;
    }
  }

  void stopReopening() {
    reopening.set(false);
  }

  synchronized int openCount() {
    int n = 0;
    for (Socket socket : sockets) {
      n += socket == null ? 0 : 1;
    }
    return n;
  }

  int opened() {
    return opened.get();
  }

  /** Waits (at most a second) for the next tick. */
  void awaitTick() throws InterruptedException {
    synchronized (ticks) {
      int seen = ticks.get();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      while (ticks.get() == seen && System.nanoTime() < end) {
        ticks.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
      }
    }
  }

  @Override
  public synchronized void close() {
    ticker.shutdownNow();
    for (int i = 0; i < sockets.length; i++) {
      if (sockets[i] != null) {
        closeQuietly(sockets[i]);
        sockets[i] = null;
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
