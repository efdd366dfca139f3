package io.ringstore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.tools.ClientCredentials;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bench}'s TLS and credential options against a {@link FakeKvNode} that demands credentials:
 * the header on every request of both HTTP clients, 401/403 counted as {@code unauthorized} and
 * {@code forbidden}, the first request's refusal or TLS failure as one line and exit 2, and the
 * socket client over HTTPS (SNI, host name checked) with a certificate made by the JDK's keytool
 * for 127.0.0.1.
 */
class BenchCredentialsTest {
  private static final String PASSWORD = "s3cret-Passw0rd";
  private static final String STOREPASS = "store-pass-1";
  private static final String ADMIN =
      ClientCredentials.of("admin", PASSWORD.toCharArray()).authorization();

  @TempDir static Path dir;

  static Path nodeCa;
  static Path otherCa;
  static SSLContext nodeTls;

  @BeforeAll
  static void certificates() throws Exception {
    Path nodeStore = keypair("node");
    nodeCa = exportPem(nodeStore, "node");
    otherCa = exportPem(keypair("other"), "other");
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(nodeStore)) {
      store.load(in, STOREPASS.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, STOREPASS.toCharArray());
    nodeTls = SSLContext.getInstance("TLS");
    nodeTls.init(kmf.getKeyManagers(), null, null);
  }

  private static Path keypair(String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "san=ip:127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        store.toString(),
        "-storetype",
        "PKCS12",
        "-storepass:env",
        "TEST_STOREPASS");
    return store;
  }

  private static Path exportPem(Path store, String name) throws Exception {
    Path pem = dir.resolve(name + ".pem");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        name,
        "-keystore",
        store.toString(),
        "-storepass:env",
        "TEST_STOREPASS",
        "-file",
        pem.toString());
    return pem;
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    ProcessBuilder keytool =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    keytool.environment().put("TEST_STOREPASS", STOREPASS);
    Process p = keytool.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool " + args[0]);
  }

  private record Run(int status, String out, String err) {}

  private static Run bench(String... args) throws InterruptedException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        BenchCommand.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static JsonNode errors(Run run, int phase, String operation) throws Exception {
    for (JsonNode op :
        new ObjectMapper().readTree(run.out()).path("phases").get(phase).path("byOperation")) {
      if (op.path("operation").asText().equals(operation)) {
        return op.path("errors");
      }
    }
    return new ObjectMapper().createObjectNode();
  }

  @Test
  void theAccessOptionsParse() throws Exception {
    Path passwordFile = Files.writeString(dir.resolve("admin.password"), PASSWORD + "\n");
    BenchOptions o =
        BenchCommand.parse(
                new String[] {
                  "--cacert",
                  nodeCa.toString(),
                  "--user",
                  "admin",
                  "--password-file",
                  passwordFile.toString()
                },
                Map.of(),
                ClientCredentials.Prompt.NONE)
            .options();
    assertTrue(o.access().https(), "--cacert means HTTPS");
    assertEquals(Optional.of(nodeCa), o.access().cacert());
    assertEquals(Optional.of(ADMIN), o.access().authorization());
    BenchOptions env =
        BenchCommand.parse(
                new String[] {"--https"},
                Map.of(
                    ClientCredentials.USER_ENV, "admin", ClientCredentials.PASSWORD_ENV, PASSWORD),
                ClientCredentials.Prompt.NONE)
            .options();
    assertEquals(
        Optional.of(ADMIN), env.access().authorization(), "from RINGSTORE_USER/RINGSTORE_PASSWORD");
    BenchCommand.UsageException java =
        assertThrows(
            BenchCommand.UsageException.class,
            () ->
                BenchCommand.parse(
                    new String[] {"--mode", "java", "--seed", "127.0.0.1:25520", "--https"},
                    Map.of(),
                    ClientCredentials.Prompt.NONE));
    assertTrue(java.getMessage().contains("--mode http"), java.getMessage());
  }

  @Test
  void failedAnswersNameTheRefusals() {
    assertEquals("unauthorized", Connection.Result.failedWith(401).errorKind());
    assertEquals("forbidden", Connection.Result.failedWith(403).errorKind());
    assertEquals("http-503", Connection.Result.failedWith(503).errorKind());
  }

  @ParameterizedTest(name = "--http-client {0}")
  @ValueSource(strings = {"socket", "jdk"})
  void everyRequestCarriesTheCredentialsAndForbiddenWritesAreCounted(String client)
      throws Exception {
    try (FakeKvNode node = new FakeKvNode()) {
      node.requiredAuthorization = ADMIN;
      Run run =
          bench(
              "--nodes",
              node.address(),
              "--workload",
              "load,C",
              "--records",
              "50",
              "--connections",
              "2",
              "--duration",
              "300ms",
              "--http-client",
              client,
              "--user",
              "admin:" + PASSWORD,
              "--json");
      assertEquals(0, run.status(), run.err());
      assertEquals(50, node.size(), "every record loaded");
      assertEquals(0, node.refused.get(), "no request without the header");

      node.forbidWrites = true;
      Run readOnly =
          bench(
              "--nodes",
              node.address(),
              "--workload",
              "A",
              "--records",
              "50",
              "--connections",
              "2",
              "--duration",
              "300ms",
              "--updates",
              "blind",
              "--http-client",
              client,
              "--user",
              "admin:" + PASSWORD,
              "--json");
      JsonNode updateErrors = errors(readOnly, 0, "UPDATE");
      assertTrue(
          updateErrors.path("forbidden").asLong() > 0,
          "403s counted as forbidden: " + readOnly.out());
      assertEquals(
          List.of("forbidden"), List.copyOf(iterable(updateErrors.fieldNames())), readOnly.out());
    }
  }

  private static <T> List<T> iterable(Iterator<T> it) {
    List<T> list = new ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }

  @Test
  void aRefusedFirstRequestStopsTheBenchWithOneLine() throws Exception {
    try (FakeKvNode node = new FakeKvNode()) {
      node.requiredAuthorization = ADMIN;
      Run anonymous = bench("--nodes", node.address(), "--workload", "load", "--records", "10");
      assertEquals(2, anonymous.status(), anonymous.err());
      assertTrue(
          anonymous.err().contains("401 unauthorized")
              && anonymous.err().contains("--password-file"),
          anonymous.err());
      assertEquals("", anonymous.out(), "no report");

      Run wrong =
          bench(
              "--nodes",
              node.address(),
              "--workload",
              "load",
              "--records",
              "10",
              "--user",
              "admin:nope");
      assertEquals(2, wrong.status(), wrong.err());
      assertEquals(1, wrong.err().lines().count(), "one line: " + wrong.err());
      assertTrue(wrong.err().contains("user admin"), wrong.err());
      assertEquals(0, node.puts.get() + node.gets.get(), "no load was sent");
    }
  }

  @ParameterizedTest(name = "--http-client {0}")
  @ValueSource(strings = {"socket", "jdk"})
  void overHttpsWithTheNodesCa(String client) throws Exception {
    try (FakeKvNode node = new FakeKvNode(false, nodeTls)) {
      node.requiredAuthorization = ADMIN;
      Run run =
          bench(
              "--nodes",
              node.address(),
              "--workload",
              "load,C",
              "--records",
              "30",
              "--connections",
              "2",
              "--duration",
              "300ms",
              "--http-client",
              client,
              "--cacert",
              nodeCa.toString(),
              "--user",
              "admin:" + PASSWORD);
      assertEquals(0, run.status(), run.err() + run.out());
      assertEquals(30, node.size(), "every record loaded over TLS");
      assertEquals(0, node.refused.get());
    }
  }

  @Test
  void aCertificateFromAnotherCaStopsTheBenchWithOneLine() throws Exception {
    try (FakeKvNode node = new FakeKvNode(false, nodeTls)) {
      Run run =
          bench(
              "--nodes",
              node.address(),
              "--workload",
              "load",
              "--records",
              "10",
              "--cacert",
              otherCa.toString());
      assertEquals(2, run.status(), run.err());
      assertEquals(1, run.err().lines().count(), "one line: " + run.err());
      assertTrue(run.err().contains("TLS failed") && run.err().contains("--cacert"), run.err());
      assertEquals(0, node.puts.get(), "no load was sent");

      Run hostname =
          bench(
              "--nodes",
              "localhost:" + node.address().split(":")[1],
              "--workload",
              "load",
              "--records",
              "10",
              "--cacert",
              nodeCa.toString());
      assertEquals(
          2,
          hostname.status(),
          "the certificate is for 127.0.0.1, not localhost: " + hostname.err());
      assertTrue(hostname.err().contains("TLS failed"), hostname.err());
      assertFalse(hostname.err().contains(PASSWORD));
    }
  }
}
