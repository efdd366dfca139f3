package io.ringstore.testing;

import io.ringstore.security.PasswordHash;
import io.ringstore.security.Role;
import io.ringstore.security.User;
import io.ringstore.security.Users;
import io.ringstore.security.UsersFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The node of a test class's HTTP tests: a {@link TestNode} in its own temporary directory, started
 * before the class's tests and stopped (its directory deleted) after them: N = R = W = 1, joined to
 * itself and ready ({@link #joined()}), or never joined ({@link #neverJoined()}); {@link
 * #replication}, {@link #config} and {@link #users} change its configuration. Register it in a
 * static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final HttpTestNode NODE = HttpTestNode.joined().config("ringstore.requests.timeout = 25s");
 * }</pre>
 */
public final class HttpTestNode implements BeforeAllCallback, AfterAllCallback {
  private static final Duration START = Duration.ofSeconds(60);

  private int n = 1;
  private int r = 1;
  private int w = 1;
  private final StringBuilder hocon = new StringBuilder();
  private final List<User> users = new ArrayList<>();
  private boolean join = true;

  private Path dir;
  private TestNode node;
  private int port;
  private HttpClient http;

  private HttpTestNode() {}

  /** A node with N = R = W = 1, joined to itself; its tests start once it is ready. */
  public static HttpTestNode joined() {
    return new HttpTestNode();
  }

  /** A node with N = R = W = 1 that never joins a cluster: it serves HTTP but is never ready. */
  public static HttpTestNode neverJoined() {
    HttpTestNode node = new HttpTestNode();
    node.join = false;
    return node;
  }

  /** Replication N, R and W of the node's configuration. */
  public HttpTestNode replication(int n, int r, int w) {
    this.n = n;
    this.r = r;
    this.w = w;
    return this;
  }

  /** HOCON added to the node's test configuration (it wins). */
  public HttpTestNode config(String extraHocon) {
    hocon.append(extraHocon).append('\n');
    return this;
  }

  /** Authentication on, with a users file ({@link #usersFile()}) of these users and any added. */
  public HttpTestNode users(User... users) {
    this.users.addAll(List.of(users));
    return this;
  }

  /**
   * A user with one role whose password is its name and {@code -pw}, hashed with the fewest
   * iterations: tests check decisions, not the cost of a guess.
   */
  public static User user(String name, Role role) {
    return new User(
        name, Set.of(role), PasswordHash.create(name + "-pw", PasswordHash.MIN_ITERATIONS));
  }

  /**
   * The {@link #user}s {@code reader} (role read), {@code writer} (readwrite) and {@code watcher}
   * (monitor).
   */
  public static User[] readerWriterWatcher() {
    return new User[] {
      user("reader", Role.READ), user("writer", Role.READWRITE), user("watcher", Role.MONITOR)
    };
  }

  /** An HTTP/1.1 client with a 10 s connect timeout. */
  public static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    dir = Files.createTempDirectory("ringstore-http-test");
    String auth = "";
    if (!users.isEmpty()) {
      UsersFile.write(usersFile(), Users.of(users));
      auth =
          "ringstore.http.auth { enabled = on, users-file = \""
              + usersFile().toString().replace("\\", "/")
              + "\" }\n";
    }
    node = TestNode.start(TestNode.config(dir.resolve("data"), n, r, w, auth + hocon));
    if (join) {
      node.joinSelf();
      port = node.awaitReady(START);
    } else {
      port = node.httpPort(START);
    }
    http = client();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      deleteDir();
    }
  }

  private void deleteDir() throws IOException {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  public TestNode node() {
    return node;
  }

  /** The node's HTTP port. */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The users file of {@link #users}. */
  public Path usersFile() {
    return dir.resolve("users");
  }

  /** A request with a 30 s timeout, {@code body} (if not null) as its body, and these headers. */
  public HttpResponse<String> send(
      String method, String path, String body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url() + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A key-value call: {@code text} (if not null) as a {@code text/plain} body, and {@code
   * causalContext} (if not null) as {@code X-Causal-Context}.
   */
  public HttpResponse<String> sendText(
      String method, String path, String text, String causalContext)
      throws IOException, InterruptedException {
    Map<String, String> headers = new LinkedHashMap<>();
    if (text != null) {
      headers.put("Content-Type", "text/plain");
    }
    if (causalContext != null) {
      headers.put("X-Causal-Context", causalContext);
    }
    return send(method, path, text, headers);
  }
}
