package io.ringstore.check;

import io.ringstore.tools.ClientAccess;
import io.ringstore.tools.ClientCredentials;
import io.ringstore.tools.ClientTls;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/ringstore check}: runs a {@link ConsistencyCheck} against a running cluster and prints
 * its {@link Report} (text, or JSON with {@code --json}) on stdout, a progress line on stderr every
 * few seconds. With {@code --nemesis}, a {@link Nemesis} kills and restarts or pauses and resumes
 * the nodes of a local cluster ({@code bin/ringstore cluster start}) one at a time meanwhile,
 * marking each fault window on the check, and heals every victim at the end, on an error, and on
 * Ctrl-C (a shutdown hook). Exit status: 0 when the check passed (no lost write, no stale read,
 * converged, and the availability to up nodes at least {@code --min-availability} when given), 1
 * when it did not or the nemesis failed, 2 on bad options (with the usage on stderr).
 */
public final class CheckCommand {
  static final String USAGE =
      """
      usage: bin/ringstore check [--nodes HOST:PORT[,HOST:PORT...]] [--duration 60s] [--clients 8]
                                 [--keys-per-client 4] [--r 2] [--w 2] [--timeout-ms 2000]
                                 [--converge-timeout 120s] [--value-size 100] [--json]
                                 [--min-availability PERCENT]
                                 [--nemesis kill,pause] [--nemesis-interval 4s-8s] [--nemesis-down 3s-8s]
                                 [--cluster-dir ./data/cluster] [--random-seed N]
                                 [--https] [--cacert FILE] [--user NAME[:PASSWORD]] [--password-file FILE]
        --nodes             the nodes' HTTP endpoints; requests rotate over them. Required without
                            --nemesis; with it, the local cluster's nodes by default (127.0.0.1:<node-i.http>)
        --duration          how long the load runs (e.g. 90s, 2m, 1500ms; a bare number is seconds)
        --clients           client threads; each one is the only writer of its keys
        --keys-per-client   keys per client
        --r, --w            read and write quorums (1..N, one, quorum, all)
        --timeout-ms        request timeout, sent to the server as ?timeout=
        --converge-timeout  how long to wait after the load for every key's replicas to be equal
        --value-size        bytes per written value
        --json              print the report as JSON instead of text
        --min-availability  fail unless at least PERCENT (0..100, e.g. 99 or 99.5) of the requests sent
                            to up nodes succeed (those sent to a node while it was killed, paused or not
                            ready are left out)
        --nemesis           break the nodes of a local cluster started by `bin/ringstore cluster start`,
                            one at a time: kill (kill -9, then restart its exact command line on the
                            same data directory, output appended to node-i.log, node-i.pid updated)
                            and/or pause (SIGSTOP, then SIGCONT); a fault window "kill node-i" or
                            "pause node-i" lasts until the node answers /health/ready again
        --nemesis-interval  quiet time before each fault, a range drawn uniformly (default 4s-8s);
                            then the nemesis waits until every node is ready
        --nemesis-down      how long a victim stays killed or paused (default 3s-8s)
        --cluster-dir       the local cluster's pid, port and log files (default $RINGSTORE_CLUSTER_DIR,
                            else ./data/cluster)
        --random-seed       the seed of the nemesis's choices (default: random, printed at the start)
      """
          + ClientAccess.USAGE
          + """
      With --nemesis against a cluster started by `bin/ringstore cluster start N --secure`, --cacert
      defaults to the CA named in <cluster-dir>/cacert, and the credentials (without --user or
      RINGSTORE_USER) to the user admin with <cluster-dir>/certs/admin.password. A node with users answers the check only for a
      user with the role admin (it reads /admin/replicas/{key}); before the load, one such request to the
      first node stops the check (exit status 2) when the node refuses the credentials or TLS fails.
      Every run polls each node's /health/ready and /admin/cluster about every 500 ms and reports the
      fault windows it observed (a node not answering, not ready or seen unreachable), with the
      availability during each, outside them, and of the requests sent to up nodes.
      exit status: 0 passed, 1 lost writes, stale reads, not converged, no write acknowledged,
      availability below --min-availability or the nemesis failed, 2 bad options, credentials refused
      or TLS failed
      """;
  private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");
  private static final String CLUSTER_DIR_ENV = "RINGSTORE_CLUSTER_DIR";
  private static final Pattern PERCENT = Pattern.compile("\\d{1,3}(\\.\\d{1,6})?");
  private static final Duration READY_POLL_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration NEMESIS_STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  /** The file of a local cluster directory that names the CA of a cluster started with --secure. */
  static final String CACERT_FILE = "cacert";

  /** The first admin's password in a secure local cluster's certs directory. */
  static final String ADMIN_PASSWORD_FILE = "admin.password";

  private CheckCommand() {}

  /**
   * What the command line asks for.
   *
   * @param nemesis what the nemesis does and to which nodes; null without {@code --nemesis}
   * @param minAvailability the required availability to up nodes in percent; null for none
   */
  record Command(CheckOptions options, boolean json, NemesisPlan nemesis, Double minAvailability) {}

  /** {@code --nemesis}: its settings and the nodes of the local cluster in {@code clusterDir}. */
  record NemesisPlan(Nemesis.Settings settings, Path clusterDir, List<NemesisTarget> targets) {}

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
    Optional<String> refused = probe(options);
    if (refused.isPresent()) {
      err.println("ringstore check: " + refused.get());
      return 2;
    }
    NemesisPlan plan = command.nemesis();
    ProcessControl control = new LocalProcessControl();
    if (plan != null) {
      try {
        Nemesis.verify(plan.targets(), control);
      } catch (IOException e) {
        err.println("ringstore check: --nemesis: " + e.getMessage());
        return 2;
      }
      plan.targets().stream()
          .filter(t -> !options.nodes().contains(t.endpoint()))
          .forEach(
              t ->
                  err.println(
                      "ringstore check: note: "
                          + t.name()
                          + "'s endpoint "
                          + t.endpoint()
                          + " is not among --nodes: requests "
                          + "to it under another name are not left out of the availability to up nodes while it is broken"));
    }
    err.printf(
        Locale.ROOT,
        "ringstore check: %d clients x %d keys over %s for %d s (r=%s, w=%s)%s%n",
        options.clients(),
        options.keysPerClient(),
        String.join(",", options.nodes()),
        options.duration().toSeconds(),
        options.r(),
        options.w(),
        plan == null
            ? ""
            : String.format(
                Locale.ROOT,
                "; nemesis %s every %s, down %s, on %d nodes of %s, --random-seed %d",
                String.join(
                    ",", plan.settings().kinds().stream().map(Nemesis.Kind::label).toList()),
                plan.settings().interval(),
                plan.settings().down(),
                plan.targets().size(),
                plan.clusterDir(),
                plan.settings().seed()));
    ConsistencyCheck.Handle handle = ConsistencyCheck.start(options);
    long end = System.nanoTime() + options.duration().toNanos(); // the load's and the nemesis's end
    Nemesis nemesis = null;
    Thread nemesisThread = null;
    Thread healOnExit = null;
    if (plan != null) {
      nemesis =
          new Nemesis(
              plan.targets(),
              plan.settings(),
              control,
              readiness(options.access()),
              marks(handle),
              Nemesis.Pacer.SYSTEM,
              line ->
                  err.printf(
                      Locale.ROOT, "[%5.1f s] nemesis: %s%n", handle.progress().seconds(), line));
      Nemesis running = nemesis;
      healOnExit = new Thread(running::healAll, "ringstore-check-heal-on-exit");
      Runtime.getRuntime().addShutdownHook(healOnExit);
      nemesisThread = new Thread(() -> running.runUntil(end), "ringstore-check-nemesis");
      nemesisThread.start();
    }
    Report report;
    try {
      for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
        TimeUnit.NANOSECONDS.sleep(Math.min(left, PROGRESS_INTERVAL.toNanos()));
        ConsistencyCheck.Progress p = handle.progress();
        err.printf(
            Locale.ROOT,
            "[%5.0f s] %d ops, %d failed, %d writes acknowledged%s%n",
            p.seconds(),
            p.operations(),
            p.failed(),
            p.acknowledgedWrites(),
            nemesis == null ? "" : ", " + nemesis.faults() + " faults");
      }
    } finally {
      if (nemesis != null) {
        // it stops by itself at the end of the duration (healing its victim at once); an interrupt
        // is the last resort, as it could cut a restart short (file channels refuse interrupted
        // threads)
        nemesisThread.join(NEMESIS_STOP_TIMEOUT.toMillis());
        nemesisThread.interrupt();
        nemesisThread.join();
        nemesis.healAll();
        removeShutdownHook(healOnExit);
      }
    }
    err.printf(
        Locale.ROOT,
        "ringstore check: load stopped; waiting up to %d s for the replicas to converge%n",
        options.convergeTimeout().toSeconds());
    report = handle.stop().withMinAvailabilityToUpNodes(command.minAvailability());
    out.print(command.json() ? report.toJson() + System.lineSeparator() : report.toText());
    out.flush();
    List<String> nemesisErrors = nemesis == null ? List.of() : nemesis.errors();
    nemesisErrors.forEach(e -> err.println("ringstore check: FAILED, the nemesis failed: " + e));
    return report.passed() && nemesisErrors.isEmpty() ? 0 : 1;
  }

  private static Nemesis.Marks marks(ConsistencyCheck.Handle handle) {
    return new Nemesis.Marks() {
      @Override
      public void markFault(String name, String node) {
        handle.markFault(name, node);
      }

      @Override
      public void endFault() {
        handle.endFault();
      }
    };
  }

  /**
   * Before the load: one {@code GET /admin/replicas/{key}} (which needs the role admin, as the
   * check's convergence does) on the first node. Empty when the check may go on, whatever else the
   * node answers or if it does not; the line to print when it refused the credentials (401, 403) or
   * TLS failed.
   */
  static Optional<String> probe(CheckOptions options) throws InterruptedException {
    ClientAccess access = options.access();
    String node = options.nodes().get(0);
    String url = access.scheme() + "://" + node;
    try {
      HttpClient http = access.clientBuilder(PROBE_TIMEOUT).build();
      HttpRequest request =
          ConsistencyCheck.request(access, node, "/admin/replicas/check-probe")
              .timeout(PROBE_TIMEOUT)
              .GET()
              .build();
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      return ClientCredentials.refusal(access.credentials(), url, status, "check", "admin");
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    } catch (IOException e) {
      return ClientTls.tlsProblem(e)
          .map(problem -> "cannot talk to the node at " + url + ": " + problem);
    }
  }

  /** {@code GET /health/ready} answers 200 within a second. */
  private static Nemesis.Readiness readiness(ClientAccess access) {
    HttpClient http = access.clientBuilder(READY_POLL_TIMEOUT).build();
    return endpoint -> {
      HttpRequest request =
          ConsistencyCheck.request(access, endpoint, "/health/ready")
              .timeout(READY_POLL_TIMEOUT)
              .GET()
              .build();
      try {
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    };
  }

  private static void removeShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs, and healing twice is harmless
    }
  }

  static Command parse(String[] args) throws UsageException {
    return parse(args, System.getenv(), ClientCredentials.Prompt.CONSOLE);
  }

  /**
   * Parses {@code args}; {@code clusterDirFromEnv} is {@code $RINGSTORE_CLUSTER_DIR} (null when
   * unset).
   */
  static Command parse(String[] args, String clusterDirFromEnv) throws UsageException {
    return parse(
        args,
        clusterDirFromEnv == null ? Map.of() : Map.of(CLUSTER_DIR_ENV, clusterDirFromEnv),
        ClientCredentials.Prompt.NONE);
  }

  /**
   * Parses {@code args} with {@code env} ({@code RINGSTORE_CLUSTER_DIR}, {@code RINGSTORE_USER},
   * {@code RINGSTORE_PASSWORD}); {@code prompt} asks for a password {@code --user} did not give.
   */
  static Command parse(String[] args, Map<String, String> env, ClientCredentials.Prompt prompt)
      throws UsageException {
    String clusterDirFromEnv = env.get(CLUSTER_DIR_ENV);
    ClientAccess.Builder access = new ClientAccess.Builder();
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
    Double minAvailability = null;
    List<Nemesis.Kind> kinds = null;
    List<String> nemesisOnly = new ArrayList<>();
    Nemesis.Range interval = Nemesis.Settings.DEFAULT_INTERVAL;
    Nemesis.Range down = Nemesis.Settings.DEFAULT_DOWN;
    Path clusterDir =
        Path.of(
            clusterDirFromEnv == null || clusterDirFromEnv.isBlank()
                ? "./data/cluster"
                : clusterDirFromEnv);
    long seed = ThreadLocalRandom.current().nextLong(1L << 48);
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
      String value;
      int eq = option.indexOf('=');
      if (option.startsWith("--") && eq > 0) {
        value = option.substring(eq + 1);
        option = option.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new UsageException(
            option.startsWith("--")
                ? option + " needs a value"
                : "unexpected argument '" + option + "'");
      }
      if (option.startsWith("--nemesis-")
          || option.equals("--cluster-dir")
          || option.equals("--random-seed")) {
        nemesisOnly.add(option);
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
        case "--min-availability" -> minAvailability = percent(option, value);
        case "--nemesis" -> kinds = kinds(option, value);
        case "--nemesis-interval" -> interval = range(option, value);
        case "--nemesis-down" -> down = range(option, value);
        case "--cluster-dir" -> clusterDir = path(option, value);
        case "--random-seed" -> seed = seed(option, value);
        case "--cacert", "--user", "--password-file" -> accessOption(access, option, value);
        default -> throw new UsageException("unknown option '" + option + "'");
      }
    }
    NemesisPlan plan = null;
    if (kinds == null && !nemesisOnly.isEmpty()) {
      throw new UsageException(nemesisOnly.get(0) + " needs --nemesis");
    }
    if (kinds != null) {
      List<NemesisTarget> targets;
      try {
        targets = NemesisTarget.discover(clusterDir);
      } catch (IOException e) {
        throw new UsageException("--nemesis: " + e.getMessage());
      }
      plan =
          new NemesisPlan(new Nemesis.Settings(kinds, interval, down, seed), clusterDir, targets);
      Optional<Path> clusterCa = clusterCa(clusterDir);
      if (!access.hasCacert() && clusterCa.isPresent()) {
        access.option("--cacert", clusterCa.get().toString());
      }
      // and its first admin (bin/ringstore certs), unless credentials were given
      Path adminPassword = clusterDir.resolve("certs").resolve(ADMIN_PASSWORD_FILE);
      if (clusterCa.isPresent()
          && !access.hasCredentials()
          && !env.containsKey("RINGSTORE_USER")
          && Files.isRegularFile(adminPassword)) {
        access.option("--user", "admin");
        access.option("--password-file", adminPassword.toString());
      }
      if (nodes == null) {
        nodes = targets.stream().map(NemesisTarget::endpoint).toList();
      }
    }
    if (nodes == null) {
      throw new UsageException(
          "--nodes is required (or --nemesis, which sends to the local cluster's nodes)");
    }
    try {
      return new Command(
          new CheckOptions(
              nodes,
              clients,
              keysPerClient,
              duration,
              r,
              w,
              timeout,
              converge,
              valueSize,
              access.resolve(env, prompt)),
          json,
          plan,
          minAvailability);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static void accessOption(ClientAccess.Builder access, String option, String value)
      throws UsageException {
    try {
      access.option(option, value);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /**
   * The CA of a local cluster started with {@code --secure}: the file named in {@code
   * <clusterDir>/cacert} (relative to the cluster directory); empty when there is no such file.
   */
  static Optional<Path> clusterCa(Path clusterDir) throws UsageException {
    Path pointer = clusterDir.resolve(CACERT_FILE);
    if (!Files.isRegularFile(pointer)) {
      return Optional.empty();
    }
    try {
      String named = Files.readString(pointer, StandardCharsets.UTF_8).strip();
      return named.isEmpty() ? Optional.empty() : Optional.of(clusterDir.resolve(named));
    } catch (IOException e) {
      throw new UsageException("--nemesis: cannot read " + pointer + " (" + e.getMessage() + ")");
    }
  }

  /** {@code kill,pause}: the nemesis's faults, each once. */
  static List<Nemesis.Kind> kinds(String option, String value) throws UsageException {
    List<Nemesis.Kind> kinds = new ArrayList<>();
    for (String label : value.split(",", -1)) {
      try {
        Nemesis.Kind kind = Nemesis.Kind.parse(label.trim().toLowerCase(Locale.ROOT));
        if (kinds.contains(kind)) {
          throw new UsageException(option + " lists " + kind.label() + " twice");
        }
        kinds.add(kind);
      } catch (IllegalArgumentException e) {
        throw new UsageException(option + ": " + e.getMessage());
      }
    }
    return kinds;
  }

  /**
   * {@code 4s-8s} (both ends included; each a duration as for {@code --duration}) or one duration.
   */
  static Nemesis.Range range(String option, String value) throws UsageException {
    String[] ends = value.trim().split("-", -1);
    if (ends.length > 2) {
      throw new UsageException(option + " needs a range like 4s-8s, got '" + value + "'");
    }
    Duration min = duration(option, ends[0]);
    Duration max = ends.length == 2 ? duration(option, ends[1]) : min;
    try {
      return new Nemesis.Range(min, max);
    } catch (IllegalArgumentException e) {
      throw new UsageException(option + ": " + e.getMessage());
    }
  }

  private static double percent(String option, String value) throws UsageException {
    String v = value.trim();
    if (!PERCENT.matcher(v).matches() || Double.parseDouble(v) > 100) {
      throw new UsageException(
          option + " needs a percentage 0..100 like 99 or 99.5, got '" + value + "'");
    }
    return Double.parseDouble(v);
  }

  private static Path path(String option, String value) throws UsageException {
    if (value.isBlank()) {
      throw new UsageException(option + " needs a directory");
    }
    return Path.of(value);
  }

  private static long seed(String option, String value) throws UsageException {
    if (!value.trim().matches("-?\\d{1,18}")) {
      throw new UsageException(option + " needs a whole number, got '" + value + "'");
    }
    return Long.parseLong(value.trim());
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
      throw new UsageException(
          option + " needs a duration like 60s, 2m or 1500ms, got '" + value + "'");
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
