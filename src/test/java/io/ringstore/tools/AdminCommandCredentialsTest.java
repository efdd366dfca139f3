package io.ringstore.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} and {@code leave} against a {@link FakeNode} that demands HTTP Basic credentials:
 * the header on every request, from the options or the environment; a 401 or 403 as one line and
 * exit 1; a password file that cannot be used as exit 2 before anything is sent.
 */
class AdminCommandCredentialsTest {
  private static final String PASSWORD = "s3cret-Passw0rd";
  private static final String ADMIN =
      ClientCredentials.of("admin", PASSWORD.toCharArray()).authorization();
  private static final String CLUSTER =
      """
      {"self":"127.0.0.1:25520","members":[{"node":"127.0.0.1:25520","status":"Up","reachable":true,
       "roles":["data"]}]}""";
  private static final String FORBIDDEN =
      "{\"error\":\"forbidden\",\"message\":\"needs role admin\"}";

  @TempDir Path dir;

  private FakeNode node;
  private Path passwordFile;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws IOException {
    node =
        new FakeNode()
            .requireAuthorization(ADMIN)
            .on("GET", "/admin/cluster", 200, CLUSTER)
            .on("GET", "/admin/ring", 404, "")
            .on("GET", "/admin/transfers", 404, "");
    passwordFile = Files.writeString(dir.resolve("admin.password"), PASSWORD + "\n");
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private int run(Map<String, String> env, String... args) {
    return new AdminCommand(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Duration.ofMillis(10),
            env,
            ClientCredentials.Prompt.NONE)
        .run(args);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private String port() {
    return Integer.toString(node.port());
  }

  @Test
  void statusSendsTheCredentialsOnEveryRequest() {
    int code =
        run(
            Map.of(),
            "status",
            "--http-port",
            port(),
            "--user",
            "admin",
            "--password-file",
            passwordFile.toString());
    assertEquals(AdminCommand.OK, code, err());
    assertEquals(
        List.of("GET /admin/cluster", "GET /admin/ring", "GET /admin/transfers"), node.requests());
    assertEquals(
        List.of(ADMIN, ADMIN, ADMIN), node.authorizations(), "the header on every request");
  }

  @Test
  void statusTakesTheCredentialsFromTheEnvironment() {
    int code =
        run(
            Map.of(ClientCredentials.USER_ENV, "admin", ClientCredentials.PASSWORD_ENV, PASSWORD),
            "status",
            "--http-port",
            port());
    assertEquals(AdminCommand.OK, code, err());
    assertTrue(
        node.authorizations().stream().allMatch(ADMIN::equals), node.authorizations().toString());
  }

  @Test
  void statusWithoutCredentialsIsOneLineSayingHowToGiveThem() {
    int code = run(Map.of(), "status", "--http-port", port());
    assertEquals(AdminCommand.FAILED, code);
    assertEquals(1, err().lines().count(), "one line: " + err());
    assertTrue(
        err().contains("401 unauthorized")
            && err().contains("--user")
            && err().contains("RINGSTORE_USER"),
        err());
    assertEquals(List.of("GET /admin/cluster"), node.requests(), "nothing more after the 401");
  }

  @Test
  void aWrongPasswordIsOneLineNamingTheUserNotThePassword() {
    int code = run(Map.of(), "status", "--http-port", port(), "--user", "admin:wrong-" + PASSWORD);
    assertEquals(AdminCommand.FAILED, code);
    assertEquals(1, err().lines().count(), "one line: " + err());
    assertTrue(err().contains("user admin") && err().contains("401"), err());
    assertFalse(err().contains(PASSWORD), "no password in " + err());
  }

  @Test
  void statusForAUserWithoutMonitorSaysTheRole() {
    node.on("GET", "/admin/cluster", 403, FORBIDDEN);
    int code = run(Map.of(), "status", "--http-port", port(), "--user", "admin:" + PASSWORD);
    assertEquals(AdminCommand.FAILED, code);
    assertEquals(1, err().lines().count(), "one line: " + err());
    assertTrue(err().contains("403 forbidden") && err().contains("role monitor"), err());
  }

  @Test
  void leaveForAUserWithoutAdminSaysTheRoleAndChangesNothing() {
    node.on("POST", "/admin/leave", 403, FORBIDDEN);
    int code =
        run(
            Map.of(),
            "leave",
            "--http-port",
            port(),
            "--user",
            "admin",
            "--password-file",
            passwordFile.toString());
    assertEquals(AdminCommand.FAILED, code);
    assertEquals(1, err().lines().count(), "one line: " + err());
    assertTrue(
        err().contains("403 forbidden") && err().contains("leave needs a user with the role admin"),
        err());
    assertEquals(List.of("GET /admin/cluster", "POST /admin/leave"), node.requests());
    assertEquals(List.of(ADMIN, ADMIN), node.authorizations(), "the header on the POST too");
  }

  @Test
  void leaveWithoutCredentialsStopsAtTheFirstRequest() {
    int code = run(Map.of(), "leave", "--http-port", port());
    assertEquals(AdminCommand.FAILED, code);
    assertTrue(err().contains("401 unauthorized"), err());
    assertEquals(List.of("GET /admin/cluster"), node.requests(), "no POST /admin/leave");
  }

  @Test
  void anUnusablePasswordFileExits2BeforeAnyRequest() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty"), "");
    assertEquals(
        AdminCommand.USAGE_ERROR,
        run(
            Map.of(),
            "status",
            "--http-port",
            port(),
            "--user",
            "admin",
            "--password-file",
            empty.toString()));
    assertTrue(err().contains("is empty"), err());
    assertEquals(
        AdminCommand.USAGE_ERROR,
        run(Map.of(), "status", "--http-port", port(), "--user", "admin"));
    assertTrue(err().contains("no password for user admin"), err());
    assertEquals(List.of(), node.requests(), "nothing sent");
  }

  @Test
  void theUsageShowsTheCredentialOptions() {
    for (String option :
        List.of(
            "--user NAME[:PASSWORD]",
            "--password-file FILE",
            "--cacert FILE",
            "--https",
            "RINGSTORE_USER",
            "RINGSTORE_PASSWORD",
            "monitor",
            "admin")) {
      assertTrue(AdminCommand.USAGE.contains(option), "the usage mentions " + option);
    }
  }
}
