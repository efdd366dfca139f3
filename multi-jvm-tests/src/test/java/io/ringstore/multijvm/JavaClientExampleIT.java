package io.ringstore.multijvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client as an app gets it (issue 16): the library jar (the build's main artifact, {@code
 * target/ringstore-VERSION.jar}) and the root POM are installed into the local Maven repository,
 * {@code examples/java-client} is built with Maven as a user builds it (its enforcer rules: no
 * server-only dependency, one version of every library), its runtime classpath is checked (at most
 * 40 MiB, one scala-library, no banned, native or backend jar; the client's classes load on it),
 * and the app runs as its own JVM: against three node JVMs started cold, as a cluster member and
 * then over HTTP, and with a seed and a URL where no node listens, which fail within the join
 * timeout naming what they tried.
 *
 * <p>The library goes into the local repository the build itself uses ({@code
 * settings.localRepository}, passed by failsafe), not into a throwaway one: that is where {@code
 * mvn install} puts it for a user, the example then builds with no extra flags, and its other
 * dependencies and plugins are the ones the build already has (nothing is downloaded twice; Maven
 * 3.8 has no read-only tail repository to combine a throwaway one with). It replaces the
 * 0.1.0-SNAPSHOT there with this checkout's, as {@code mvn install} of this checkout would. Logs:
 * {@code target/multi-jvm-logs/JavaClientExampleIT/} (Maven's output, the app's stdout and stderr).
 */
class JavaClientExampleIT {
  private static final long MAX_CLASSPATH_BYTES = 40L * 1024 * 1024;
  private static final List<String> BANNED =
      List.of(
          "rocksdbjni",
          "h2-",
          "slick",
          "pekko-http",
          "pekko-persistence-jdbc",
          "logback-",
          "scala-reflect");
  private static final Pattern NATIVE_LIBRARY = Pattern.compile(".*\\.(so|dll|dylib|jnilib)$");

  /**
   * Pekko's Jackson serializer's LZ4 codec: it bundles JNI builds of LZ4 beside its pure-Java one
   * and is part of the wire format's options, so it stays; no other jar may carry native code.
   */
  private static final String LZ4 = "lz4-java-";

  private static final String SLF4J_PROVIDER =
      "META-INF/services/org.slf4j.spi.SLF4JServiceProvider";
  private static final String MAIN = "com.example.ringstore.Main";

  /** Packages (as jar entry prefixes) whose every class a client may run. */
  private static final List<String> CLIENT_PACKAGES =
      List.of(
          "io/ringstore/client/",
          "io/ringstore/coordinator/",
          "io/ringstore/config/",
          "io/ringstore/ring/",
          "io/ringstore/version/");

  /** Classes (with their nested ones) of other packages that a client runs or sends. */
  private static final List<String> CLIENT_CLASSES =
      List.of(
          "io/ringstore/CborSerializable",
          "io/ringstore/cluster/NodeAddress",
          "io/ringstore/cluster/RingView",
          "io/ringstore/handoff/HintDirectory",
          "io/ringstore/handoff/HintManager",
          "io/ringstore/handoff/HintStore",
          "io/ringstore/replica/LocalReplicas",
          "io/ringstore/replica/ReplicaDirectory",
          "io/ringstore/replica/ReplicaEntity",
          "io/ringstore/replica/ReplicaId",
          "io/ringstore/replica/ReplicaSharding",
          "io/ringstore/storage/Sibling",
          "io/ringstore/storage/StoredObjectCodec");

  private static final Duration MAVEN_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration APP_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration READY = Duration.ofSeconds(90);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

  /** How much later than its join timeout a connect may fail (scheduling on a loaded machine). */
  private static final Duration JOIN_SLACK = Duration.ofSeconds(3);

  private static final Pattern CONNECT_FAILED = Pattern.compile("connect failed after (\\d+) ms");

  private static Path home;
  private static Path example;
  private static Path logs;
  private static String version;
  private static List<Path> classpath;
  private static boolean packaged;

  @RegisterExtension final LocalCluster cluster = new LocalCluster();

  @TempDir Path tmp;

  @BeforeAll
  static void installTheLibraryAndResolveTheExample() throws IOException {
    home =
        Path.of(System.getProperty("ringstore.home", System.getProperty("user.dir")))
            .toAbsolutePath()
            .normalize();
    example = home.resolve("examples/java-client");
    logs = Files.createDirectories(home.resolve("target/multi-jvm-logs/JavaClientExampleIT"));
    version = System.getProperty("ringstore.version", "0.1.0-SNAPSHOT");
    Path library =
        Path.of(
            System.getProperty(
                "ringstore.it.libraryJar",
                home.resolve("target/ringstore-" + version + ".jar").toString()));
    assertTrue(
        Files.isRegularFile(library), library + " is missing: run `mvn -B verify` (package)");
    maven(
        "install-library",
        home.resolve("target"),
        "org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file",
        "-Dfile=" + library,
        "-DpomFile=" + home.resolve("pom.xml"));
    // from scratch: classes compiled against an earlier library must not survive
    deleteRecursively(example.resolve("target"));
    // validate runs the example's enforcer rules, then writes its runtime classpath
    maven("example-validate", example, "validate");
    String line = Files.readString(example.resolve("target/classpath.txt")).trim();
    classpath = Arrays.stream(line.split(File.pathSeparator)).map(Path::of).toList();
  }

  @Test
  @Timeout(value = 120)
  void theAppGetsAThinLibrary() throws IOException {
    long total = 0;
    List<String> scalaLibraries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Path jar : classpath) {
      String name = jar.getFileName().toString();
      total += Files.size(jar);
      if (name.startsWith("scala-library-")) {
        scalaLibraries.add(name);
      }
      BANNED.stream()
          .filter(name::startsWith)
          .forEach(b -> problems.add(name + " is a server-only dependency"));
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        for (ZipEntry entry : zip.stream().toList()) {
          String path = entry.getName();
          if (path.equals("logback.xml") || path.equals("logback-test.xml")) {
            problems.add(name + " carries " + path);
          }
          if (!name.startsWith(LZ4)
              && NATIVE_LIBRARY.matcher(path.toLowerCase(Locale.ROOT)).matches()) {
            problems.add(name + " carries the native library " + path);
          }
          if (path.equals(SLF4J_PROVIDER) && !name.startsWith("slf4j-simple-")) {
            problems.add(name + " is an SLF4J backend (only the app's own may be)");
          }
        }
      }
    }
    String summary = summary(total);
    System.out.println("[JavaClientExampleIT] the example's runtime classpath: " + summary);
    assertTrue(
        classpath.stream().anyMatch(p -> p.endsWith("ringstore-" + version + ".jar")),
        () -> "the library is on the app's classpath: " + classpath);
    assertEquals(List.of(), problems, () -> "what the app gets from ringstore: " + summary);
    assertEquals(
        1, scalaLibraries.size(), () -> "exactly one scala-library: " + scalaLibraries + summary);
    assertTrue(total <= MAX_CLASSPATH_BYTES, () -> "at most 40 MiB of jars in all, was " + summary);
  }

  /**
   * The classes a client runs (the client and coordinator packages, the settings, the messages and
   * directories it sends through) load, link and initialise on the app's classpath alone, which has
   * none of the server-only jars: a reference from them into RocksDB, the JDBC journal or Pekko
   * HTTP would fail here rather than in an app.
   */
  @Test
  @Timeout(value = 120)
  void theClientsClassesLoadWithoutTheServerOnlyJars() throws IOException {
    Path library =
        classpath.stream()
            .filter(p -> p.endsWith("ringstore-" + version + ".jar"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no library jar in " + classpath));
    List<String> names = new ArrayList<>();
    try (ZipFile zip = new ZipFile(library.toFile())) {
      zip.stream()
          .map(ZipEntry::getName)
          .filter(JavaClientExampleIT::isClientClass)
          .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
          .forEach(names::add);
    }
    assertTrue(names.size() > 50, () -> "client classes found in " + library + ": " + names);
    List<String> failures = new ArrayList<>();
    URL[] urls = new URL[classpath.size()];
    for (int i = 0; i < urls.length; i++) {
      urls[i] = classpath.get(i).toUri().toURL();
    }
    try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
      for (String name : names) {
        try {
          Class.forName(name, true, loader);
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
          failures.add(name + ": " + e);
        }
      }
    }
    assertEquals(
        List.of(),
        failures,
        () -> names.size() + " client classes loaded on the app's classpath; these failed");
  }

  private static boolean isClientClass(String entry) {
    if (!entry.endsWith(".class")) {
      return false;
    }
    for (String pkg : CLIENT_PACKAGES) {
      if (entry.startsWith(pkg) && entry.indexOf('/', pkg.length()) < 0) {
        return true;
      }
    }
    return CLIENT_CLASSES.stream()
        .anyMatch(c -> entry.equals(c + ".class") || entry.startsWith(c + "$"));
  }

  @Test
  @Timeout(value = 900)
  void theAppRunsWithBothClientsAgainstAColdCluster() {
    packageTheExample();
    NodeProcess n1 = cluster.newNode("node-1", tmp.resolve("node-1"));
    NodeProcess n2 = cluster.newNode("node-2", tmp.resolve("node-2"));
    NodeProcess n3 = cluster.newNode("node-3", tmp.resolve("node-3"));
    n1.start("--config", "conf/cluster.conf", "--seed", n1.clusterAddress());
    n2.start("--config", "conf/cluster.conf", "--seed", n1.clusterAddress());
    n3.start("--config", "conf/cluster.conf", "--seed", n1.clusterAddress());
    List.of(n1, n2, n3).forEach(n -> n.awaitReady(READY));

    AppRun member = runApp("member", "member", n1.clusterAddress());
    assertCompleted(member);
    assertTrue(
        member.out().contains("typed Get via gateway(): user:"),
        () -> "the typed Get through the member's gateway: " + member);

    AppRun http =
        runApp(
            "http",
            "http",
            "http://127.0.0.1:" + n1.httpPort(),
            "http://127.0.0.1:" + n2.httpPort(),
            "http://127.0.0.1:" + n3.httpPort());
    assertCompleted(http);

    cluster.stopAll();
  }

  @Test
  @Timeout(value = 600)
  void aWrongSeedAndAWrongUrlFailWithinTheJoinTimeout() {
    packageTheExample();
    String seed = "127.0.0.1:" + LocalCluster.freePort();
    AppRun member =
        runApp("wrong-seed", "member", seed, "--join-timeout", JOIN_TIMEOUT.toSeconds() + "s");
    assertConnectFailed(member, seed);

    String url = "http://127.0.0.1:" + LocalCluster.freePort();
    AppRun http =
        runApp("wrong-url", "http", url, "--join-timeout", JOIN_TIMEOUT.toSeconds() + "s");
    assertConnectFailed(http, url);
  }

  private static void assertCompleted(AppRun run) {
    assertEquals(0, run.exit(), () -> "the example's exit status: " + run);
    for (String line :
        List.of(
            "replication: n=3 r=2 w=2",
            "burst: 200 of 200 writes written",
            "put/get: user:",
            "siblings: [apple, pear]",
            "resolved: apple,pear",
            "deleted: session:",
            "closed; the JVM is still running")) {
      assertTrue(run.out().contains(line), () -> "the example printed '" + line + "': " + run);
    }
  }

  private static void assertConnectFailed(AppRun run, String tried) {
    assertEquals(3, run.exit(), () -> "a connect that failed exits with 3: " + run);
    assertTrue(
        run.err().contains("could not connect to ringstore") && run.err().contains(tried),
        () -> "the ConnectFailedException's message names " + tried + ": " + run);
    Matcher after = CONNECT_FAILED.matcher(run.err());
    assertTrue(after.find(), () -> "the app says how long connect took: " + run);
    long millis = Long.parseLong(after.group(1));
    assertTrue(
        millis <= JOIN_TIMEOUT.plus(JOIN_SLACK).toMillis(),
        () -> "connect failed within its join timeout of 5 s (+3 s), took " + millis + " ms");
  }

  /** Compiles and jars the example (once per run). */
  private static synchronized void packageTheExample() {
    if (!packaged) {
      maven("example-package", example, "package");
      packaged = true;
    }
  }

  /** Runs the example app in its own JVM with {@code args}; stdout and stderr kept in the logs. */
  private static AppRun runApp(String name, String... args) {
    String cp =
        example.resolve("target/java-client-example.jar")
            + File.pathSeparator
            + String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList());
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                cp,
                MAIN));
    command.addAll(List.of(args));
    Path out = logs.resolve("app-" + name + ".out");
    Path err = logs.resolve("app-" + name + ".err");
    Process process = null;
    try {
      process =
          new ProcessBuilder(command)
              .directory(example.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!process.waitFor(APP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError(
            "the example (" + name + ") still running after " + APP_TIMEOUT + ": " + read(out));
      }
      return new AppRun(name, process.exitValue(), read(out), read(err));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }

  /**
   * Runs Maven (the build's own, else {@code mvn} on the PATH) in {@code dir} on the build's local
   * repository (it downloads only what that lacks); fails with the tail of its output unless it
   * exits 0.
   */
  private static void maven(String name, Path dir, String... goals) {
    String mavenHome = System.getProperty("ringstore.it.mavenHome", "");
    Path mvn = Path.of(mavenHome, "bin", "mvn");
    List<String> command =
        new ArrayList<>(List.of(Files.isExecutable(mvn) ? mvn.toString() : "mvn", "-B"));
    String repository = System.getProperty("ringstore.it.localRepository", "");
    if (!repository.isBlank()) {
      command.add("-Dmaven.repo.local=" + repository);
    }
    command.add("-Dringstore.version=" + version);
    command.addAll(List.of(goals));
    Path log = logs.resolve("maven-" + name + ".log");
    Process process = null;
    try {
      process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!process.waitFor(MAVEN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError(name + ": Maven still running after " + MAVEN_TIMEOUT);
      }
      int exit = process.exitValue();
      if (exit != 0) {
        throw new AssertionError(
            name + ": " + String.join(" ", command) + " exited " + exit + "\n" + tail(read(log)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }

  private static String summary(long total) {
    List<Path> biggest = new ArrayList<>(classpath);
    biggest.sort(Comparator.comparingLong(JavaClientExampleIT::size).reversed());
    return String.format(
        Locale.ROOT,
        "%d jars, %.1f MiB (%d bytes); biggest: %s",
        classpath.size(),
        total / 1048576.0,
        total,
        biggest.subList(0, Math.min(5, biggest.size())).stream()
            .map(p -> p.getFileName() + " " + size(p) / 1024 + " KiB")
            .toList());
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(String text) {
    List<String> lines = text.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  /** One run of the example app: its exit status and what it printed. */
  private record AppRun(String name, int exit, String out, String err) {
    @Override
    public String toString() {
      return name + " exited " + exit + "\n--- stdout\n" + out + "--- stderr\n" + tail(err);
    }
  }
}
