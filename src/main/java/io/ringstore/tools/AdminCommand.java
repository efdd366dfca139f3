package io.ringstore.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator commands behind {@code bin/ringstore status} and {@code bin/ringstore leave}: they
 * call a running node's {@code /admin} endpoints over HTTP and print a readable report. Exit codes:
 * 0 done, 1 the node could not be reached or refused or the leave timed out, 2 bad options (usage
 * on stderr).
 */
public final class AdminCommand {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE_ERROR = 2;

  static final String USAGE =
      """
      usage: ringstore status [--host H] [--http-port P] [--https] [--cacert FILE]
                              [--user NAME[:PASSWORD]] [--password-file FILE]
             ringstore leave  [--host H] --http-port P [--timeout 30m] [--via HOST:HTTP_PORT] \
      [--https] [--cacert FILE]
                              [--user NAME[:PASSWORD]] [--password-file FILE]
        status   members (status, reachability, leaving), ring ownership per node and partition
                 transfers, as the node at H:P sees them (default 127.0.0.1:8080)
        leave    asks the node at H:P to leave the cluster gracefully, shows the transfers every 2 s
                 until the node has stopped, then waits until another member no longer lists it.
                 --http-port is required. --timeout: 90s, 30m, 2h (default 30m). --via: the HTTP
                 address of another member to confirm with (default: one derived from the members)
        --host https://H[:P] also means --https
      """
          + ClientAccess.USAGE
          + """
        A node with users and roles answers status to a user with the role monitor (or admin), and
        leave to a user with the role admin.
      """
              .stripTrailing();

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final PrintStream out;
  private final PrintStream err;
  private final Duration pollInterval;
  private final Map<String, String> env;
  private final ClientCredentials.Prompt prompt;

  AdminCommand(PrintStream out, PrintStream err, Duration pollInterval) {
    this(out, err, pollInterval, Map.of(), ClientCredentials.Prompt.NONE);
  }

  /**
   * {@code env}: where {@code RINGSTORE_USER}/{@code RINGSTORE_PASSWORD} are read; {@code prompt}
   * asks.
   */
  AdminCommand(
      PrintStream out,
      PrintStream err,
      Duration pollInterval,
      Map<String, String> env,
      ClientCredentials.Prompt prompt) {
    this.out = out;
    this.err = err;
    this.pollInterval = pollInterval;
    this.env = env;
    this.prompt = prompt;
  }

  public static void main(String[] args) {
    System.exit(
        new AdminCommand(
                System.out,
                System.err,
                Duration.ofSeconds(2),
                System.getenv(),
                ClientCredentials.Prompt.CONSOLE)
            .run(args));
  }

  /** Runs one command and returns its exit code. */
  int run(String... args) {
    if (args.length == 1 && List.of("-h", "--help", "help").contains(args[0])) {
      out.println(USAGE);
      return OK;
    }
    if (args.length == 0) {
      return usage("a command is needed (status or leave)");
    }
    String command = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    AdminOptions options;
    try {
      options =
          switch (command) {
            case "status" ->
                AdminOptions.parse(
                    command,
                    List.of(
                        "--host",
                        "--http-port",
                        "--https",
                        "--cacert",
                        "--user",
                        "--password-file"),
                    rest);
            case "leave" ->
                AdminOptions.parse(
                    command,
                    List.of(
                        "--host",
                        "--http-port",
                        "--timeout",
                        "--via",
                        "--https",
                        "--cacert",
                        "--user",
                        "--password-file"),
                    rest);
            default -> throw new IllegalArgumentException("unknown command '" + command + "'");
          };
      if (command.equals("leave") && options.httpPort().isEmpty()) {
        throw new IllegalArgumentException(
            "leave: --http-port is required (the node that is to leave)");
      }
    } catch (IllegalArgumentException e) {
      return usage(e.getMessage());
    }
    ClientAccess access;
    HttpClient http;
    try {
      access = options.access(env, prompt);
      http = access.clientBuilder(CONNECT_TIMEOUT).build();
    } catch (IllegalArgumentException e) {
      err.println("ringstore: " + e.getMessage());
      return USAGE_ERROR;
    }
    NodeEndpoint node =
        new NodeEndpoint(
            access, options.host(), options.httpPortOrDefault(), http, REQUEST_TIMEOUT);
    try {
      return command.equals("status")
          ? status(node)
          : new LeaveCommand(node, options, out, err, pollInterval).run();
    } catch (NodeEndpoint.BadAnswer e) {
      err.println("ringstore: " + e.getMessage());
      return FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("ringstore: interrupted");
      return FAILED;
    }
  }

  private int status(NodeEndpoint node) throws InterruptedException {
    NodeEndpoint.Reply clusterReply;
    try {
      clusterReply = node.get("/admin/cluster");
    } catch (IOException e) {
      err.println(unreachable(node, e));
      return FAILED;
    }
    if (refused(err, node, clusterReply, "status", "monitor")) {
      return FAILED;
    }
    if (!clusterReply.ok()) {
      err.println(
          "ringstore: "
              + node.address()
              + " answered /admin/cluster with HTTP "
              + clusterReply.status()
              + ": "
              + clusterReply.errorMessage());
      return FAILED;
    }
    AdminViews.Cluster cluster = clusterReply.as(AdminViews.Cluster.class);
    StatusFormatter.Part<AdminViews.Ring> ring = part(node, "/admin/ring", AdminViews.Ring.class);
    StatusFormatter.Part<AdminViews.Transfers> transfers =
        part(node, "/admin/transfers", AdminViews.Transfers.class);
    out.print(StatusFormatter.status(node.address(), cluster, ring, transfers));
    return OK;
  }

  private static <T> StatusFormatter.Part<T> part(NodeEndpoint node, String path, Class<T> type)
      throws InterruptedException {
    try {
      NodeEndpoint.Reply reply = node.get(path);
      if (reply.status() == 404) {
        return new StatusFormatter.Unavailable<>(null);
      }
      if (!reply.ok()) {
        return new StatusFormatter.Unavailable<>(
            "HTTP " + reply.status() + ": " + reply.errorMessage());
      }
      return new StatusFormatter.Available<>(reply.as(type));
    } catch (IOException e) {
      return new StatusFormatter.Unavailable<>("no answer: " + describe(e));
    } catch (NodeEndpoint.BadAnswer e) {
      return new StatusFormatter.Unavailable<>(e.getMessage());
    }
  }

  /**
   * Prints on {@code err} the one line for a 401 or 403 answer to {@code command}, which needs
   * {@code role}, and returns true; false (nothing printed) for any other answer.
   */
  static boolean refused(
      PrintStream err, NodeEndpoint node, NodeEndpoint.Reply reply, String command, String role) {
    Optional<String> refusal =
        ClientCredentials.refusal(
            node.access().credentials(), node.url(), reply.status(), command, role);
    refusal.ifPresent(line -> err.println("ringstore: " + line));
    return refusal.isPresent();
  }

  private int usage(String problem) {
    err.println("ringstore: " + problem);
    err.println(USAGE);
    return USAGE_ERROR;
  }

  static String unreachable(NodeEndpoint node, IOException e) {
    return "ringstore: cannot reach a node at " + node.url() + " (" + describe(e) + ")";
  }

  static String describe(IOException e) {
    Optional<String> tls = ClientTls.tlsProblem(e);
    if (tls.isPresent()) {
      return tls.get();
    }
    if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
      return "connection refused";
    }
    if (e instanceof HttpTimeoutException) {
      return "no answer within the timeout";
    }
    String message = e.getMessage();
    if (message != null && message.contains("header parser received no bytes")) {
      return message + "; a node serving HTTPS? use --https and --cacert FILE";
    }
    if (message == null || message.isBlank()) {
      message =
          e.getCause() != null && e.getCause().getMessage() != null
              ? e.getCause().getMessage()
              : e.getClass().getSimpleName();
    }
    return message;
  }
}
