package io.ringstore.multijvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.ringstore.NodeConfig;
import io.ringstore.client.RingstoreClient;
import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.tools.ClientTls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security on real node JVMs (issue 11, items 1, 2, 3 and 5): TLS material and a first admin user
 * made by {@code bin/ringstore certs}, three nodes started with the config it generates (Artery
 * tls-tcp with mutual authentication, HTTPS, users and roles) form a cluster and serve PUT/GET over
 * HTTPS to a client that trusts the CA and gives the admin's credentials; a request without
 * credentials is a 401, and a read-only user added with {@code bin/ringstore user add} while the
 * nodes run reads on every node but gets 403 for a write. A JVM app joins as a client member with
 * the same material. A node whose certificate comes from another CA (a second {@code certs} run)
 * and a node on plain TCP Artery both try to join through node 1 and never become members: the
 * three members keep listing exactly themselves as Up, and node 1 logs the refused handshakes.
 * Plain HTTP to the HTTPS port, and HTTPS from a client that does not trust the CA, get no answer.
 */
class SecureClusterIT {
  private static final Duration READY = Duration.ofSeconds(90);
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final Duration REFUSED = Duration.ofSeconds(45);

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 280)
  void secureClusterServesHttpsAndKeepsOtherCasAndPlainNodesOut() throws Exception {
    Path certs = tmp.resolve("certs");
    Path otherCerts = tmp.resolve("other-certs");
    makeCerts(List.of(certs, otherCerts));
    assertOwnerOnly(certs.resolve("passwords.conf"));
    assertOwnerOnly(certs.resolve("node-127.0.0.1.p12"));
    assertOwnerOnly(certs.resolve("ca.p12"));
    SSLContext trustCa = ClientTls.trusting(certs.resolve("ca.pem"));
    String secureConf = certs.resolve("ringstore.conf").toString();

    assertOwnerOnly(certs.resolve("users"));
    assertOwnerOnly(certs.resolve("admin.password"));
    String admin = Files.readString(certs.resolve("admin.password")).strip();

    NodeProcess n1 =
        cluster
            .newNode("node-1", tmp.resolve("node-1"))
            .useHttps(trustCa)
            .useCredentials("admin", admin);
    NodeProcess n2 =
        cluster
            .newNode("node-2", tmp.resolve("node-2"))
            .useHttps(trustCa)
            .useCredentials("admin", admin);
    NodeProcess n3 =
        cluster
            .newNode("node-3", tmp.resolve("node-3"))
            .useHttps(trustCa)
            .useCredentials("admin", admin);
    List<NodeProcess> members = List.of(n1, n2, n3);
    members.forEach(n -> n.start("--config", secureConf, "--seed", n1.clusterAddress()));
    members.forEach(n -> n.awaitReady(READY));
    Set<String> addresses = Set.of(n1.clusterAddress(), n2.clusterAddress(), n3.clusterAddress());
    cluster.awaitAssert(CONVERGE, () -> members.forEach(n -> assertExactlyUp(n, addresses)));

    // reads and writes over HTTPS, replicated over TLS between the nodes
    String key = "secure-" + UUID.randomUUID();
    byte[] value = ("over TLS " + key).getBytes(StandardCharsets.UTF_8);
    cluster.awaitAssert(
        CONVERGE,
        () -> {
          NodeHttp.Response put = n1.http().put("/kv/" + key + "?w=all", value);
          assertEquals(204, put.status(), () -> "PUT w=all over HTTPS via node-1: " + put);
        });
    NodeHttp.Response get = n3.http().get("/kv/" + key + "?r=all");
    assertEquals(200, get.status(), () -> "GET r=all over HTTPS via node-3: " + get);
    assertArrayEquals(value, get.body(), "value read back over HTTPS via node-3");

    // users and roles: nothing without credentials, the admin of `certs` has everything, and a user
    // added with `bin/ringstore user add` while the nodes run may read on every node but not write
    NodeHttp.Response anonymous = n1.http().anonymous().get("/kv/" + key);
    assertEquals(401, anonymous.status(), () -> "GET without credentials: " + anonymous);
    assertTrue(
        anonymous.header("WWW-Authenticate").orElse("").startsWith("Basic realm=\"ringstore\""),
        () -> "the challenge: " + anonymous);
    assertEquals(
        401, n1.http().as("admin", admin + "x").get("/kv/" + key).status(), "a wrong password");
    Path readerPassword = tmp.resolve("reader.password");
    Files.writeString(readerPassword, "reader-secret\n");
    runUser(
        "add",
        "reader",
        "--role",
        "read",
        "--file",
        certs.resolve("users").toString(),
        "--password-file",
        readerPassword.toString(),
        "--iterations",
        "1000");
    cluster.awaitAssert(
        CONVERGE,
        () ->
            members.forEach(
                n -> {
                  NodeHttp.Response read = n.http().as("reader", "reader-secret").get("/kv/" + key);
                  assertEquals(
                      200, read.status(), () -> n.name() + " serves the new reader: " + read);
                }));
    NodeHttp.Response refused =
        n2.http()
            .as("reader", "reader-secret")
            .put("/kv/" + key, "overwritten".getBytes(StandardCharsets.UTF_8));
    assertEquals(403, refused.status(), () -> "a read-only user's PUT: " + refused);
    assertEquals("forbidden", refused.json().path("error").asText(), () -> refused.text());
    assertArrayEquals(
        value, n3.http().get("/kv/" + key + "?r=all").body(), "the refused PUT stored nothing");

    // a JVM app joins as a client member with the same material (README, Java API) and writes
    String fromClient = "client-" + UUID.randomUUID();
    ActorSystem<Void> app =
        ActorSystem.create(
            Behaviors.empty(),
            NodeConfig.SYSTEM_NAME,
            NodeConfig.load(
                ConfigFactory.parseString(
                    "ringstore.role = client\n"
                        + "ringstore.replication { n = 3, r = 2, w = 2 }\n"
                        + "pekko.cluster.roles = [client]\n"
                        + "pekko.cluster.seed-nodes = [\"pekko://ringstore@"
                        + n1.clusterAddress()
                        + "\"]\n"
                        + "pekko.remote.artery.canonical { hostname = \"127.0.0.1\", port = 0 }\n"
                        + "pekko.coordinated-shutdown.exit-jvm = off\n"
                        + "pekko.cluster.jmx.enabled = off\n"),
                ConfigFactory.parseFile(certs.resolve("ringstore.conf").toFile())));
    try {
      RingstoreClient client = RingstoreClient.create(app);
      cluster.awaitAssert(
          CONVERGE,
          () -> {
            WriteResult written =
                client
                    .put(
                        fromClient,
                        value,
                        "text/plain",
                        null,
                        new WriteOptions(Quorum.ALL, Duration.ofSeconds(3)))
                    .toCompletableFuture()
                    .join();
            assertInstanceOf(
                WriteResult.Written.class, written, "w=all put from the client member");
          });
      NodeHttp.Response fromApp = n2.http().get("/kv/" + fromClient + "?r=all");
      assertEquals(200, fromApp.status(), () -> "the client member's write via node-2: " + fromApp);
    } finally {
      app.terminate();
      awaitTerminated(app, Duration.ofSeconds(30));
    }

    // the HTTPS port answers neither plain HTTP nor a client that does not trust the cluster's CA
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    assertThrows(
        IOException.class,
        () ->
            plain.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + n1.httpPort() + "/health/ready"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString()),
        "plain HTTP to the HTTPS port gets no answer");
    HttpClient untrusting =
        HttpClient.newBuilder()
            .sslContext(ClientTls.trusting(otherCerts.resolve("ca.pem")))
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    assertThrows(
        IOException.class,
        () ->
            untrusting.send(
                HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + n1.httpPort() + "/health/ready"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString()),
        "HTTPS trusting another CA fails the handshake");

    // a node with another CA's certificate, and a plain-TCP node, try to join through node 1
    NodeProcess foreign =
        cluster
            .newNode("other-ca", tmp.resolve("other-ca"))
            .useHttps(ClientTls.trusting(otherCerts.resolve("ca.pem")));
    foreign.start(
        "--config", otherCerts.resolve("ringstore.conf").toString(), "--seed", n1.clusterAddress());
    NodeProcess plainTcp = cluster.newNode("plain-tcp", tmp.resolve("plain-tcp"));
    plainTcp.start("--config", "conf/cluster.conf", "--seed", n1.clusterAddress());

    // both have tried: node 1 refused their handshakes (and logged it), the other CA's node refused
    // node 1's certificate, and neither got an answer to its join attempts
    cluster.awaitAssert(
        REFUSED,
        members,
        () -> {
          assertTrue(
              log(n1).contains("internode TLS: refused an incoming connection"),
              "node-1 logs the refused handshakes");
          assertTrue(
              log(foreign).contains("SSLHandshakeException"),
              "the other CA's node logs its failed handshake");
          assertTrue(
              log(plainTcp).contains("Couldn't join seed nodes after [2] attempts"),
              "the plain-TCP node tried to join at least twice");
          assertTrue(
              log(foreign).contains("Couldn't join seed nodes after [2] attempts"),
              "the other CA's node tried to join at least twice");
        });
    assertTrue(foreign.isAlive() && plainTcp.isAlive(), "both outsiders still trying");
    members.forEach(n -> assertExactlyUp(n, addresses));
    for (NodeProcess outsider : List.of(foreign, plainTcp)) {
      var ready = outsider.http().probe("/health/ready", Duration.ofSeconds(5));
      assertFalse(
          ready.isPresent() && ready.get().status() == 200,
          () -> outsider.name() + " is not a ready member: " + ready);
    }

    // and the cluster still serves
    NodeHttp.Response again = n2.http().get("/kv/" + key + "?r=all");
    assertEquals(200, again.status(), () -> "GET r=all via node-2 after the attempts: " + again);
  }

  /** Runs {@code bin/ringstore user ARGS...} and asserts it succeeded. */
  private void runUser(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(cluster.home().resolve("bin/ringstore").toString());
    command.add("user");
    command.addAll(List.of(args));
    Path output = tmp.resolve("user-" + UUID.randomUUID() + ".out");
    Process run =
        new ProcessBuilder(command)
            .directory(cluster.home().toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    boolean done = run.waitFor(120, TimeUnit.SECONDS);
    if (!done) {
      run.destroyForcibly();
    }
    assertTrue(done && run.exitValue() == 0, () -> "bin/ringstore user failed:\n" + read(output));
  }

  /**
   * Runs {@code bin/ringstore certs DIR} for each directory, in parallel (each makes its own CA).
   */
  private void makeCerts(List<Path> dirs) throws Exception {
    List<Process> runs = new ArrayList<>();
    for (Path dir : dirs) {
      runs.add(
          new ProcessBuilder(
                  cluster.home().resolve("bin/ringstore").toString(),
                  "certs",
                  dir.toString(),
                  "--nodes",
                  "127.0.0.1")
              .directory(cluster.home().toFile())
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve(dir.getFileName() + ".log").toFile())
              .start());
    }
    for (int i = 0; i < runs.size(); i++) {
      Process run = runs.get(i);
      boolean done = run.waitFor(120, TimeUnit.SECONDS);
      if (!done) {
        runs.forEach(Process::destroyForcibly);
      }
      Path output = tmp.resolve(dirs.get(i).getFileName() + ".log");
      assertTrue(
          done && run.exitValue() == 0, () -> "bin/ringstore certs failed:\n" + read(output));
      for (String file :
          List.of("ca.pem", "truststore.p12", "node-127.0.0.1.p12", "ringstore.conf")) {
        assertTrue(Files.isRegularFile(dirs.get(i).resolve(file)), "certs made " + file);
      }
    }
  }

  private static void assertOwnerOnly(Path file) throws IOException {
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    assertEquals(
        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        permissions,
        () -> file + " is readable by its owner only");
  }

  /** Node {@code n} lists exactly {@code addresses}, every one Up and reachable. */
  private static void assertExactlyUp(NodeProcess n, Set<String> addresses) {
    NodeHttp.Response answer = n.http().get("/admin/cluster");
    assertEquals(200, answer.status(), () -> n.name() + " /admin/cluster: " + answer);
    Map<String, String> seen = new TreeMap<>();
    for (JsonNode m : answer.json().path("members")) {
      seen.put(
          m.path("node").asText(),
          m.path("status").asText() + (m.path("reachable").asBoolean() ? "" : " unreachable"));
    }
    Map<String, String> expected = new TreeMap<>();
    addresses.forEach(a -> expected.put(a, "Up"));
    assertEquals(
        expected, seen, () -> n.name() + " sees exactly the three members Up: " + answer.text());
  }

  private static String log(NodeProcess n) {
    return read(n.logFile());
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /**
   * Waits for the app's actor system to terminate; past {@code within} the failure carries every
   * thread's stack, so a shutdown that hangs says where (it did once in a full run, not alone).
   */
  private static void awaitTerminated(ActorSystem<?> app, Duration within) throws Exception {
    try {
      app.getWhenTerminated().toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      StringBuilder dump =
          new StringBuilder(
              "the client member's actor system has not terminated after "
                  + within
                  + "; threads:\n");
      Thread.getAllStackTraces()
          .forEach(
              (thread, frames) -> {
                dump.append('"')
                    .append(thread.getName())
                    .append("\" ")
                    .append(thread.getState())
                    .append('\n');
                for (StackTraceElement frame : frames) {
                  dump.append("    at ").append(frame).append('\n');
                }
              });
      throw new AssertionError(dump.toString(), e);
    }
  }
}
