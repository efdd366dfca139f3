package io.ringstore.check;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/ringstore check}: runs a {@link ConsistencyCheck} against a running cluster and prints
 * its {@link Report} (text, or JSON with {@code --json}) on stdout, a progress line on stderr every
 * few seconds. Exit status: 0 when the check passed (no lost write, no stale read, converged), 1 when
 * it did not, 2 on bad options (with the usage on stderr).
 */
public final class CheckCommand {
  static final String USAGE = """
      usage: bin/ringstore check --nodes HOST:PORT[,HOST:PORT...] [--duration 60s] [--clients 8]
                                 [--keys-per-client 4] [--r 2] [--w 2] [--timeout-ms 2000]
                                 [--converge-timeout 120s] [--value-size 100] [--json]
        --nodes             the nodes' HTTP endpoints; requests rotate over them
        --duration          how long the load runs (e.g. 90s, 2m, 1500ms; a bare number is seconds)
        --clients           client threads; each one is the only writer of its keys
        --keys-per-client   keys per client
        --r, --w            read and write quorums (1..N, one, quorum, all)
        --timeout-ms        request timeout, sent to the server as ?timeout=
        --converge-timeout  how long to wait after the load for every key's replicas to be equal
        --value-size        bytes per written value
        --json              print the report as JSON instead of text
      exit status: 0 passed, 1 lost writes, stale reads, not converged or no write acknowledged,
      2 bad options
      """;
  private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

  private CheckCommand() {}

  /** What the command line asks for. */
  record Command(CheckOptions options, boolean json) {}

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
      err.println("ringstore check: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    CheckOptions options = command.options();
    err.printf(Locale.ROOT, "ringstore check: %d clients x %d keys over %s for %d s (r=%s, w=%s)%n",
        options.clients(), options.keysPerClient(), String.join(",", options.nodes()),
        options.duration().toSeconds(), options.r(), options.w());
    ConsistencyCheck.Handle handle = ConsistencyCheck.start(options);
    long end = System.nanoTime() + options.duration().toNanos();
    for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, PROGRESS_INTERVAL.toNanos()));
      ConsistencyCheck.Progress p = handle.progress();
      err.printf(Locale.ROOT, "[%5.0f s] %d ops, %d failed, %d writes acknowledged%n",
          p.seconds(), p.operations(), p.failed(), p.acknowledgedWrites());
    }
    err.printf(Locale.ROOT, "ringstore check: load stopped; waiting up to %d s for the replicas to converge%n",
        options.convergeTimeout().toSeconds());
    Report report = handle.stop();
    out.print(command.json() ? report.toJson() + System.lineSeparator() : report.toText());
    out.flush();
    return report.passed() ? 0 : 1;
  }

  static Command parse(String[] args) throws UsageException {
    List<String> nodes = null;
    CheckOptions defaults = CheckOptions.defaults(List.of("127.0.0.1:8080"));
    int clients = defaults.clients();
    int keysPerClient = defaults.keysPerClient();
    Duration duration = defaults.duration();
    String r = defaults.r();
    String w = defaults.w();
    Duration timeout = defaults.requestTimeout();
    Duration converge = defaults.convergeTimeout();
    int valueSize = defaults.valueSize();
    boolean json = false;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--json")) {
        json = true;
        continue;
      }
      String value;
      int eq = option.indexOf('=');
      if (option.startsWith("--") && eq > 0) {
        value = option.substring(eq + 1);
        option = option.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new UsageException(option.startsWith("--")
            ? option + " needs a value" : "unexpected argument '" + option + "'");
      }
      switch (option) {
        case "--nodes" -> nodes = Arrays.stream(value.split(",", -1)).map(String::trim).toList();
        case "--duration" -> duration = duration(option, value);
        case "--clients" -> clients = number(option, value);
        case "--keys-per-client" -> keysPerClient = number(option, value);
        case "--r" -> r = value.trim().toLowerCase(Locale.ROOT);
        case "--w" -> w = value.trim().toLowerCase(Locale.ROOT);
        case "--timeout-ms" -> timeout = Duration.ofMillis(number(option, value));
        case "--converge-timeout" -> converge = duration(option, value);
        case "--value-size" -> valueSize = number(option, value);
        default -> throw new UsageException("unknown option '" + option + "'");
      }
    }
    if (nodes == null) {
      throw new UsageException("--nodes is required");
    }
    try {
      return new Command(new CheckOptions(nodes, clients, keysPerClient, duration, r, w, timeout, converge,
          valueSize), json);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static int number(String option, String value) throws UsageException {
    if (!value.matches("\\d{1,9}")) {
      throw new UsageException(option + " needs a whole number, got '" + value + "'");
    }
    return Integer.parseInt(value);
  }

  /** {@code 90s}, {@code 2m}, {@code 1500ms}, {@code 1h}; a bare number is seconds. */
  static Duration duration(String option, String value) throws UsageException {
    Matcher m = DURATION.matcher(value.trim());
    if (!m.matches()) {
      throw new UsageException(option + " needs a duration like 60s, 2m or 1500ms, got '" + value + "'");
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
