package io.ringstore.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.tools.ClientAccess;
import io.ringstore.tools.ClientCredentials;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check}'s TLS and credential options: parsing, the CA of a {@code --secure} local cluster
 * by default with {@code --nemesis}, the start-up probe (401/403 as one line and exit 2, before any
 * load), and a run whose every request carries the credentials, against a {@link FakeNode} that
 * demands them.
 */
class CheckCredentialsTest {
  private static final String PASSWORD = "s3cret-Passw0rd";
  private static final String ADMIN =
      ClientCredentials.of("admin", PASSWORD.toCharArray()).authorization();

  @TempDir Path dir;

  private static CheckCommand.Command parse(Map<String, String> env, String... args)
      throws Exception {
    return CheckCommand.parse(args, env, ClientCredentials.Prompt.NONE);
  }

  @Test
  void theAccessOptionsParse() throws Exception {
    Path passwordFile = Files.writeString(dir.resolve("admin.password"), PASSWORD + "\n");
    ClientAccess access =
        parse(
                Map.of(),
                "--nodes",
                "127.0.0.1:8443",
                "--cacert",
                "certs/ca.pem",
                "--user",
                "admin",
                "--password-file",
                passwordFile.toString())
            .options()
            .access();
    assertTrue(access.https(), "--cacert means HTTPS");
    assertEquals(Optional.of(Path.of("certs/ca.pem")), access.cacert());
    assertEquals(
        Optional.of(ADMIN), access.authorization(), "the header of admin and the file's password");

    ClientAccess https = parse(Map.of(), "--nodes", "127.0.0.1:8443", "--https").options().access();
    assertEquals(
        new ClientAccess(true, Optional.empty(), Optional.empty()),
        https,
        "--https alone: the JDK's CAs");

    ClientAccess fromEnv =
        parse(
                Map.of(
                    ClientCredentials.USER_ENV, "admin", ClientCredentials.PASSWORD_ENV, PASSWORD),
                "--nodes",
                "127.0.0.1:8080")
            .options()
            .access();
    assertEquals(
        Optional.of(ADMIN), fromEnv.authorization(), "RINGSTORE_USER and RINGSTORE_PASSWORD");

    assertEquals(
        ClientAccess.PLAIN,
        parse(Map.of(), "--nodes", "127.0.0.1:8080").options().access(),
        "plain HTTP without credentials by default");
  }

  @Test
  void badCredentialOptionsAreUsageErrors() throws Exception {
    for (String[] args :
        List.of(
            new String[] {"--nodes", "a:1", "--user", "admin"},
            new String[] {
              "--nodes",
              "a:1",
              "--user",
              "admin",
              "--password-file",
              dir.resolve("missing").toString()
            },
            new String[] {"--nodes", "a:1", "--cacert", " "})) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int status =
          CheckCommand.run(
              args,
              new PrintStream(new ByteArrayOutputStream()),
              new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(2, status, String.join(" ", args));
      String stderr = err.toString(StandardCharsets.UTF_8);
      assertTrue(stderr.startsWith("ringstore check: ") && !stderr.contains("Exception"), stderr);
    }
  }

  @Test
  void aSecureLocalClusterGivesTheNemesisItsCa() throws Exception {
    Files.writeString(dir.resolve("node-1.pid"), "1001\n");
    Files.writeString(dir.resolve("node-1.http"), "18080\n");
    Path ca = dir.resolve("certs").resolve("ca.pem");
    assertEquals(
        Optional.empty(),
        parse(Map.of(), "--nemesis", "kill", "--cluster-dir", dir.toString())
            .options()
            .access()
            .cacert(),
        "no cacert file: a cluster without TLS");

    Files.writeString(dir.resolve(CheckCommand.CACERT_FILE), ca + "\n");
    ClientAccess access =
        parse(Map.of(), "--nemesis", "kill", "--cluster-dir", dir.toString()).options().access();
    assertEquals(Optional.of(ca), access.cacert(), "the CA that cluster start --secure names");
    assertTrue(access.https(), "and HTTPS");

    assertEquals(
        Optional.of(Path.of("mine.pem")),
        parse(
                Map.of(),
                "--nemesis",
                "kill",
                "--cluster-dir",
                dir.toString(),
                "--cacert",
                "mine.pem")
            .options()
            .access()
            .cacert(),
        "--cacert wins");
  }

  @Test
  void aSecureLocalClusterGivesTheNemesisItsAdmin() throws Exception {
    Files.writeString(dir.resolve("node-1.pid"), "1001\n");
    Files.writeString(dir.resolve("node-1.http"), "18080\n");
    Path certs = Files.createDirectories(dir.resolve("certs"));
    Files.writeString(dir.resolve(CheckCommand.CACERT_FILE), certs.resolve("ca.pem") + "\n");
    assertEquals(
        Optional.empty(),
        parse(Map.of(), "--nemesis", "kill", "--cluster-dir", dir.toString())
            .options()
            .access()
            .credentials(),
        "no admin.password: no credentials");

    Files.writeString(certs.resolve(CheckCommand.ADMIN_PASSWORD_FILE), "s3cret\n");
    ClientAccess access =
        parse(Map.of(), "--nemesis", "kill", "--cluster-dir", dir.toString()).options().access();
    assertEquals("admin", access.credentials().orElseThrow().user(), "the cluster's first admin");
    assertEquals(
        Optional.of(
            "Basic "
                + Base64.getEncoder()
                    .encodeToString("admin:s3cret".getBytes(StandardCharsets.UTF_8))),
        access.authorization());

    Path mine = Files.writeString(dir.resolve("mine.password"), "other\n");
    assertEquals(
        "ops",
        parse(
                Map.of(),
                "--nemesis",
                "kill",
                "--cluster-dir",
                dir.toString(),
                "--user",
                "ops",
                "--password-file",
                mine.toString())
            .options()
            .access()
            .credentials()
            .orElseThrow()
            .user(),
        "given credentials win");
    assertEquals(
        "env",
        parse(
                Map.of("RINGSTORE_USER", "env", "RINGSTORE_PASSWORD", "pw"),
                "--nemesis",
                "kill",
                "--cluster-dir",
                dir.toString())
            .options()
            .access()
            .credentials()
            .orElseThrow()
            .user(),
        "so does RINGSTORE_USER");
  }

  private record Run(int status, String out, String err) {}

  private static Run run(String... args) throws InterruptedException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        CheckCommand.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void withoutCredentialsTheProbeStopsTheCheckBeforeAnyLoad() throws Exception {
    try (FakeNode node = new FakeNode(FakeNode.Behaviour.CORRECT).requireAuthorization(ADMIN)) {
      Run run = run("--nodes", node.address(), "--duration", "1s");
      assertEquals(2, run.status(), run.err());
      assertEquals(1, run.err().lines().count(), "one line: " + run.err());
      assertTrue(run.err().contains("401 unauthorized") && run.err().contains("--user"), run.err());
      assertEquals("", run.out(), "no report");
      assertEquals(0, node.kvRequests(), "no load");
    }
  }

  @Test
  void aUserWithoutAdminIsToldTheRoleBeforeAnyLoad() throws Exception {
    try (FakeNode node =
        new FakeNode(FakeNode.Behaviour.CORRECT).requireAuthorization(ADMIN).forbidReplicas()) {
      Run run = run("--nodes", node.address(), "--duration", "1s", "--user", "admin:" + PASSWORD);
      assertEquals(2, run.status(), run.err());
      assertEquals(1, run.err().lines().count(), "one line: " + run.err());
      assertTrue(
          run.err().contains("403 forbidden")
              && run.err().contains("check needs a user with the role admin"),
          run.err());
      assertFalse(run.err().contains(PASSWORD), run.err());
      assertEquals(0, node.kvRequests(), "no load");
    }
  }

  @Test
  void everyRequestOfARunCarriesTheCredentials() throws Exception {
    try (FakeNode node = new FakeNode(FakeNode.Behaviour.CORRECT).requireAuthorization(ADMIN)) {
      CheckOptions options =
          CheckOptions.defaults(List.of(node.address()))
              .withClients(2)
              .withKeysPerClient(2)
              .withDuration(Duration.ofMillis(500))
              .withConvergeTimeout(Duration.ofSeconds(5))
              .withAccess(
                  new ClientAccess(
                      false,
                      Optional.empty(),
                      Optional.of(ClientCredentials.of("admin", PASSWORD.toCharArray()))));
      assertEquals(Optional.empty(), CheckCommand.probe(options), "the probe passes");
      Report report = ConsistencyCheck.run(options);
      assertTrue(report.passed(), report.toText());
      assertTrue(node.kvRequests() > 0, "load was sent");
      assertEquals(0, node.refused(), "no request without the header (load, monitor, convergence)");
    }
  }
}
