package io.ringstore.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Runs the phases of a benchmark over {@code --connections} workers, each a thread that sends one
 * request at a time through its own {@link Connection}, and prints a progress line every second.
 *
 * <p>A request's latency runs from its intended send time to its answer: with {@code --target} the
 * intended time is the {@link RatePacer}'s slot (a late worker sends at once and its wait counts),
 * else the moment the worker sends. The causal context of every key is remembered from its last
 * successful read or write in this run, for {@link UpdateMode#CONTEXT} updates.
 */
final class BenchRun {
  private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long REFUSED_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private final BenchOptions options;
  private final IntFunction<Connection> connections;
  private final PrintStream progress;
  private final KeyChooser keys;
  private final Map<Long, String> contexts = new ConcurrentHashMap<>();

  BenchRun(BenchOptions options, IntFunction<Connection> connections, PrintStream progress) {
    this.options = options;
    this.connections = connections;
    this.progress = progress;
    this.keys = options.distribution().over(options.records());
  }

  BenchReport run() throws InterruptedException {
    List<BenchReport.Phase> phases = new ArrayList<>();
    List<Connection> conns = new ArrayList<>();
    for (int i = 0; i < options.connections(); i++) {
      conns.add(connections.apply(i));
    }
    for (Workload workload : options.workloads()) {
      phases.add(phase(workload, conns));
    }
    return new BenchReport(settings(), phases);
  }

  private String settings() {
    return String.format(
        Locale.ROOT,
        "%s %s, %d records (%s), %d-byte values, updates %s, %d connections, %s, r=%s w=%s, timeout %d ms",
        options.mode().equals("http")
            ? "http (" + options.httpClient() + " client)"
            : "java client",
        options.mode().equals("http") ? String.join(",", options.nodes()) : options.seed(),
        options.records(),
        options.distribution().name().toLowerCase(Locale.ROOT),
        options.valueSize(),
        options.updates().label(),
        options.connections(),
        options.targetOpsPerSecond() > 0
            ? "target " + options.targetOpsPerSecond() + " ops/s"
            : "unthrottled",
        options.r() == null ? "default" : options.r(),
        options.w() == null ? "default" : options.w(),
        options.requestTimeout().toMillis());
  }

  private BenchReport.Phase phase(Workload workload, List<Connection> conns)
      throws InterruptedException {
    boolean load = workload == Workload.LOAD;
    long start = System.nanoTime();
    long warmupEnd = load ? start : start + options.warmup().toNanos();
    long end = load ? Long.MAX_VALUE : warmupEnd + options.duration().toNanos();
    PhaseStats stats = new PhaseStats(warmupEnd == start);
    RatePacer pacer =
        options.targetOpsPerSecond() > 0
            ? new RatePacer(start, options.targetOpsPerSecond())
            : null;
    AtomicLong nextInsert = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    CountDownLatch done = new CountDownLatch(conns.size());
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < conns.size(); i++) {
      Worker worker =
          new Worker(
              workload,
              conns.get(i),
              stats,
              pacer,
              nextInsert,
              running,
              warmupEnd,
              end,
              new SplittableRandom(
                  options.randomSeed() + i * 0x9E3779B97F4A7C15L + workload.seedOffset()),
              done);
      Thread thread = new Thread(worker, "ringstore-bench-" + i);
      thread.setDaemon(true);
      workers.add(thread);
    }
    workers.forEach(Thread::start);
    progress.printf(
        Locale.ROOT,
        "ringstore bench: workload %s%s%n",
        workload.label(),
        load
            ? " (insert " + options.records() + " records)"
            : String.format(
                Locale.ROOT,
                " for %d s%s",
                options.duration().toSeconds(),
                options.warmup().isZero()
                    ? ""
                    : " after a " + options.warmup().toSeconds() + " s warmup"));
    long tick = start;
    long measuredEnd;
    while (true) {
      tick += TICK_NANOS;
      boolean finished = done.await(Math.max(0, tick - System.nanoTime()), TimeUnit.NANOSECONDS);
      long now = System.nanoTime();
      if (!stats.measuring() && now - warmupEnd >= 0) {
        stats.tick();
        stats.startMeasuring();
        progress.printf(Locale.ROOT, "[%5.1f s] warmup over%n", (now - start) / 1e9);
        continue;
      }
      if (finished) {
        measuredEnd = Math.min(now, end);
        break;
      }

      PhaseStats.Interval interval = stats.tick();
      progress.printf(
          Locale.ROOT,
          "[%5.1f s] %s %s %7d ops/s, %d errors, p99 %.3f ms%s%n",
          (now - start) / 1e9,
          workload.label(),
          load ? nextInsert.get() + "/" + options.records() : "",
          interval.successes(),
          interval.errorsSoFar(),
          interval.p99MsSoFar(),
          stats.measuring() ? "" : " (warmup)");
    }
    running.set(false);
    for (Thread worker : workers) {
      worker.join();
    }
    stats.tick();
    double seconds = stats.measuring() ? (measuredEnd - warmupEnd) / 1e9 : 0;
    return BenchReport.Phase.of(
        workload.label(),
        seconds,
        options.targetOpsPerSecond(),
        stats.readsWithSiblings(),
        stats.report(seconds));
  }

  /** One connection's loop: choose, pace, send, record. */
  private final class Worker implements Runnable {
    private final Workload workload;
    private final Connection connection;
    private final PhaseStats stats;
    private final RatePacer pacer;
    private final AtomicLong nextInsert;
    private final AtomicBoolean running;
    private final long warmupEnd;
    private final long end;
    private final SplittableRandom random;
    private final CountDownLatch done;
    private final byte[] value;

    Worker(
        Workload workload,
        Connection connection,
        PhaseStats stats,
        RatePacer pacer,
        AtomicLong nextInsert,
        AtomicBoolean running,
        long warmupEnd,
        long end,
        SplittableRandom random,
        CountDownLatch done) {
      this.workload = workload;
      this.connection = connection;
      this.stats = stats;
      this.pacer = pacer;
      this.nextInsert = nextInsert;
      this.running = running;
      this.warmupEnd = warmupEnd;
      this.end = end;
      this.random = random;
      this.done = done;
      this.value = new byte[options.valueSize()];
      random.nextBytes(value);
    }

    @Override
    public void run() {
      try {
        loop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        done.countDown();
      }
    }

    private void loop() throws InterruptedException {
      while (running.get()) {
        long intended;
        if (pacer != null) {
          intended = pacer.nextIntendedNanos();
          if (intended - end >= 0 || System.nanoTime() - end >= 0) {
            // past the window: a backlog of slots the node could not keep up with is not sent
            return;
          }
          for (long wait = intended - System.nanoTime();
              wait > 0;
              wait = intended - System.nanoTime()) {
            LockSupport.parkNanos(wait);
          }
        } else {
          intended = System.nanoTime();
          if (intended - end >= 0) {
            return;
          }
        }
        Operation op = workload.operation(random.nextDouble());
        long record;
        if (op == Operation.INSERT) {
          record = nextInsert.getAndIncrement();
          if (record >= options.records()) {
            return;
          }
        } else {
          record = keys.next(random);
        }
        Connection.Result result = execute(op, record);
        if (stats.measuring() && intended - warmupEnd < 0) {
          // meant for the warmup but answered after it (a fixed rate the cluster cannot keep up
          // with): the measured window counts only the operations scheduled in it
          continue;
        }
        if (result.ok()) {
          stats.success(op, System.nanoTime() - intended);
          if (result.siblings()) {
            stats.readWithSiblings();
          }
        } else {
          stats.error(op, result.errorKind());
          if (result.connectionRefused()) {
            LockSupport.parkNanos(REFUSED_PAUSE_NANOS);
          }
        }
      }
    }

    private Connection.Result execute(Operation op, long record) throws InterruptedException {
      String key = KeyChooser.key(record);
      Connection.Result result;
      switch (op) {
        case READ -> result = connection.read(key);
        case INSERT -> result = connection.write(key, nextValue(), null);
        default -> {
          String context = null;
          boolean readFirst = options.updates() == UpdateMode.READ_MODIFY_WRITE;
          if (options.updates() == UpdateMode.CONTEXT) {
            context = contexts.get(record);
            readFirst = context == null;
          }
          if (readFirst) {
            Connection.Result read = connection.readForUpdate(key);
            if (!read.ok()) {
              return read;
            }
            context = read.context();
          }
          result = connection.write(key, nextValue(), context);
        }
      }
      if (result.ok() && result.context() != null && options.updates() == UpdateMode.CONTEXT) {
        contexts.put(record, result.context());
      }
      return result;
    }

    /** The worker's value with its first bytes changed, so that consecutive writes differ. */
    private byte[] nextValue() {
      value[random.nextInt(value.length)] ^= (byte) (1 + random.nextInt(255));
      return value.clone();
    }
  }
}
