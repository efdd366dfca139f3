package io.ringstore.bench;

import io.ringstore.tools.ClientAccess;
import io.ringstore.tools.ClientCredentials;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/ringstore bench}: runs YCSB-style workloads against running nodes ({@link BenchRun})
 * and prints the {@link BenchReport} (text, or JSON with {@code --json}) on stdout, a progress line
 * on stderr every second. Exit status: 0 when every phase had successful operations, 1 when a phase
 * had none, 2 on bad options (with the usage on stderr).
 */
public final class BenchCommand {
  static final String USAGE =
      """
      usage: bin/ringstore bench [--nodes HOST:PORT[,HOST:PORT...]] [--workload load,A]
                                 [--records 100000] [--distribution zipfian|uniform] [--value-size 1024]
                                 [--connections 16] [--duration 30s] [--warmup 0s] [--target OPS]
                                 [--updates context|blind|read-modify-write] [--read-modify-write]
                                 [--r R] [--w W] [--timeout-ms 2000] [--random-seed 1] [--json]
                                 [--http-client socket|jdk|library]
                                 [--mode http|java] [--seed HOST:PORT] [--config FILE]
                                 [--https] [--cacert FILE] [--user NAME[:PASSWORD]] [--password-file FILE]
        --nodes          the nodes' HTTP endpoints (default 127.0.0.1:8080); connection i goes to
                         node i mod nodes
        --workload       phases run in order, comma-separated: load (insert every record once),
                         A (50 % reads / 50 % updates), B (95/5), C (reads only); default A
        --records        keys user0..user<records-1>
        --distribution   how reads and updates pick a record: zipfian (YCSB's scrambled zipfian,
                         constant 0.99; the default) or uniform
        --value-size     bytes per written value
        --connections    requests in flight: one worker thread and one keep-alive HTTP/1.1
                         connection each (--threads is the same option)
        --duration       how long each A/B/C phase is measured (e.g. 30s, 2m; a bare number is
                         seconds); the load phase runs until every record is written
        --warmup         how long each A/B/C phase runs before it is measured
        --target         a fixed offered rate in ops/s over all connections (default: as fast as
                         possible); latency counts from each request's intended send time
        --updates        context (default): one PUT with the causal context this run last saw for
                         the key (a key not seen yet is read first); blind: one PUT with no context,
                         so every update adds a sibling;
                         read-modify-write: a GET for the context, then the PUT (both in the latency)
        --r, --w         quorums sent with each request (1..N, one, quorum, all; default: the node's)
        --timeout-ms     request timeout, sent to the server as ?timeout=
        --random-seed    seeds the key and operation choices
        --json           print the final report as JSON instead of text
        --http-client    socket (default: a minimal blocking HTTP/1.1 client per connection, cheap
                         on CPU), jdk (java.net.http.HttpClient) or library (ringstore's HTTP client
                         library, StoreClient over HTTP: round robin and failover over --nodes; to
                         compare with the member client of --mode java)
        --mode           http (default) or java: this JVM joins the cluster as a client member
                         through --seed (a member's cluster address) and uses the Java client
        --config         java mode: HOCON layered over ringstore's defaults (N=3, R=W=2); its
                         ringstore.replication must match the cluster's
      """
          + ClientAccess.USAGE
          + """
      A node with users answers the bench only for a user with the role readwrite (or admin; read is
      enough for workload C). 401 and 403 answers count as errors unauthorized and forbidden; when the
      first request (a HEAD of user0 on the first node) is refused or TLS fails, the bench stops at once.
      exit status: 0 done, 1 a phase in which no operation succeeded, 2 bad options, credentials
      refused or TLS failed
      """;
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

  private BenchCommand() {}

  /** What the command line asks for. */
  record Command(BenchOptions options, boolean json, String configFile) {}

  /** Bad command-line options; the message says which and why. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    if (Arrays.asList(args).contains("-h") || Arrays.asList(args).contains("--help")) {
      out.print(USAGE);
      return 0;
    }
    Command command;
    try {
      command = parse(args);
    } catch (UsageException e) {
      err.println("ringstore bench: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    BenchOptions options = command.options();
    BenchReport report;
    AutoCloseable transport;
    IntFunction<Connection> connections;
    if (options.mode().equals("java")) {
      err.println(
          "ringstore bench: joining the cluster through " + options.seed() + " as a client member");
      try {
        JavaConnections java = new JavaConnections(options, command.configFile());
        transport = java;
        connections = java::connection;
      } catch (RuntimeException e) {
        err.println("ringstore bench: " + e.getMessage());
        return 1;
      }
    } else if (options.httpClient().equals("library")) {
      try {
        LibraryConnections library = new LibraryConnections(options);
        transport = library;
        connections = library::connection;
      } catch (RuntimeException e) {
        err.println("ringstore bench: " + e.getMessage());
        return 2;
      }
    } else {
      HttpConnections http;
      try {
        http = new HttpConnections(options);
      } catch (IllegalArgumentException e) {
        err.println("ringstore bench: " + e.getMessage());
        return 2;
      }
      Optional<String> refused = http.probe();
      if (refused.isPresent()) {
        err.println("ringstore bench: " + refused.get());
        http.close();
        return 2;
      }
      transport = http;
      connections = http::connection;
    }
    try {
      report = new BenchRun(options, connections, err).run();
    } finally {
      try {
        transport.close();
      } catch (Exception e) {
        err.println("ringstore bench: closing: " + e);
      }
    }
    out.print(command.json() ? report.toJson() + System.lineSeparator() : report.toText());
    out.flush();
    return report.anySucceededInEveryPhase() ? 0 : 1;
  }

  static Command parse(String[] args) throws UsageException {
    return parse(args, System.getenv(), ClientCredentials.Prompt.CONSOLE);
  }

  /** Parses {@code args}; {@code env} gives {@code RINGSTORE_USER}/{@code RINGSTORE_PASSWORD}. */
  static Command parse(String[] args, Map<String, String> env, ClientCredentials.Prompt prompt)
      throws UsageException {
    ClientAccess.Builder access = new ClientAccess.Builder();
    BenchOptions d = BenchOptions.defaults();
    String mode = d.mode();
    List<String> nodes = d.nodes();
    String seed = d.seed();
    List<Workload> workloads = d.workloads();
    long records = d.records();
    KeyChooser.Distribution distribution = d.distribution();
    int valueSize = d.valueSize();
    UpdateMode updates = d.updates();
    int connections = d.connections();
    Duration duration = d.duration();
    Duration warmup = d.warmup();
    long target = d.targetOpsPerSecond();
    String r = d.r();
    String w = d.w();
    Duration timeout = d.requestTimeout();
    long randomSeed = d.randomSeed();
    String httpClient = d.httpClient();
    boolean json = false;
    String configFile = null;
    try {
      for (int i = 0; i < args.length; i++) {
        String option = args[i];
        if (option.equals("--json")) {
          json = true;
          continue;
        }
        if (option.equals("--https")) {
          access.https();
          continue;
        }
        if (option.equals("--read-modify-write")) {
          updates = UpdateMode.READ_MODIFY_WRITE;
          continue;
        }
        String value;
        int eq = option.indexOf('=');
        if (option.startsWith("--") && eq > 0) {
          value = option.substring(eq + 1);
          option = option.substring(0, eq);
        } else if (option.startsWith("--") && i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new UsageException(
              option.startsWith("--")
                  ? option + " needs a value"
                  : "unexpected argument '" + option + "'");
        }
        switch (option) {
          case "--mode" -> mode = value.trim().toLowerCase(Locale.ROOT);
          case "--nodes" -> nodes = Arrays.stream(value.split(",", -1)).map(String::trim).toList();
          case "--seed" -> seed = value.trim();
          case "--workload" -> workloads = workloads(value);
          case "--records" -> records = number(option, value);
          case "--distribution" -> distribution = distribution(value);
          case "--value-size" -> valueSize = intNumber(option, value);
          case "--updates" -> updates = UpdateMode.parse(value.trim().toLowerCase(Locale.ROOT));
          case "--connections", "--threads" -> connections = intNumber(option, value);
          case "--duration" -> duration = duration(option, value);
          case "--warmup" -> warmup = duration(option, value);
          case "--target" -> target = number(option, value);
          case "--r" -> r = value.trim().toLowerCase(Locale.ROOT);
          case "--w" -> w = value.trim().toLowerCase(Locale.ROOT);
          case "--timeout-ms" -> timeout = Duration.ofMillis(number(option, value));
          case "--random-seed" -> randomSeed = number(option, value);
          case "--config" -> configFile = value;
          case "--http-client" -> httpClient = value.trim().toLowerCase(Locale.ROOT);
          case "--cacert", "--user", "--password-file" -> access.option(option, value);
          default -> throw new UsageException("unknown option '" + option + "'");
        }
      }
      return new Command(
          new BenchOptions(
              mode,
              nodes,
              seed,
              workloads,
              records,
              distribution,
              valueSize,
              updates,
              connections,
              duration,
              warmup,
              target,
              r,
              w,
              timeout,
              randomSeed,
              httpClient,
              mode.equals("java") && !access.anyGiven()
                  ? ClientAccess.PLAIN
                  : access.resolve(env, prompt)),
          json,
          configFile);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static List<Workload> workloads(String value) {
    List<Workload> workloads = new ArrayList<>();
    for (String name : value.split(",", -1)) {
      workloads.add(Workload.parse(name.trim()));
    }
    return workloads;
  }

  private static KeyChooser.Distribution distribution(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "zipfian" -> KeyChooser.Distribution.ZIPFIAN;
      case "uniform" -> KeyChooser.Distribution.UNIFORM;
      default ->
          throw new IllegalArgumentException(
              "--distribution must be zipfian or uniform, got '" + value + "'");
    };
  }

  private static long number(String option, String value) throws UsageException {
    if (!value.trim().matches("\\d{1,12}")) {
      throw new UsageException(option + " needs a whole number, got '" + value + "'");
    }
    return Long.parseLong(value.trim());
  }

  private static int intNumber(String option, String value) throws UsageException {
    long n = number(option, value);
    if (n > Integer.MAX_VALUE) {
      throw new UsageException(option + " is too large: " + value);
    }
    return (int) n;
  }

  /** {@code 90s}, {@code 2m}, {@code 1500ms}, {@code 1h}; a bare number is seconds. */
  static Duration duration(String option, String value) throws UsageException {
    Matcher m = DURATION.matcher(value.trim());
    if (!m.matches()) {
      throw new UsageException(
          option + " needs a duration like 30s, 2m or 1500ms, got '" + value + "'");
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
  }
}
