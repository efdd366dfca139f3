package io.ringstore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.testing.TestNode;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client app's classpath has no storage engine, hint journal, HTTP server or logging backend: the
 * member client connects, writes and closes in a class loader that holds this build's classes and
 * every dependency but rocksdbjni, H2, pekko-persistence-jdbc, Slick, pekko-http and logback (a
 * data node in this JVM's own loader serves it), and never asks for one of their classes.
 */
class MemberClientClasspathTest {
  /** Jars a client app does not have, by file name prefix. */
  private static final List<String> SERVER_ONLY_JARS =
      List.of("rocksdbjni", "h2-", "pekko-persistence-jdbc", "slick", "pekko-http", "logback");

  /** Packages of those jars. */
  private static final List<String> SERVER_ONLY_PACKAGES =
      List.of(
          "org.rocksdb.",
          "org.h2.",
          "org.apache.pekko.persistence.jdbc.",
          "slick.",
          "org.apache.pekko.http.",
          "ch.qos.logback.");

  @TempDir Path dir;

  @Test
  void theMemberClientRunsWithoutServerOnlyDependencies() throws Exception {
    Set<String> asked = ConcurrentHashMap.newKeySet();
    List<TestNode> nodes = new ArrayList<>();
    try (URLClassLoader clientLoader = new ClientAppLoader(clientClasspath(), asked)) {
      nodes.add(TestNode.start(dir.resolve("n1"), 1, 1, 1).joinSelf());
      nodes.get(0).awaitUpMembers(1, Duration.ofSeconds(30)).awaitReady(Duration.ofSeconds(30));
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      thread.setContextClassLoader(clientLoader);
      try {
        Class<?> settingsClass = clientLoader.loadClass(ClientSettings.class.getName());
        Class<?> storeClass = clientLoader.loadClass(StoreClient.class.getName());
        Object settings =
            settingsClass
                .getMethod("member", String[].class)
                .invoke(null, (Object) new String[] {nodes.get(0).name()});
        Object store =
            ((CompletionStage<?>)
                    storeClass.getMethod("connect", settingsClass).invoke(null, settings))
                .toCompletableFuture()
                .get(40, TimeUnit.SECONDS);
        try {
          // the latency of the first requests is MemberStoreClientTest's; here a write must
          // succeed at all (a reply this loader could not deserialize would never come)
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          Object written;
          do {
            written =
                ((CompletionStage<?>)
                        storeClass
                            .getMethod("put", String.class, byte[].class)
                            .invoke(store, "thin", "v".getBytes(StandardCharsets.UTF_8)))
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
          } while (!written.getClass().getSimpleName().equals("Written")
              && System.nanoTime() < deadline);
          assertEquals("Written", written.getClass().getSimpleName(), String.valueOf(written));
        } finally {
          storeClass.getMethod("close").invoke(store);
        }
      } finally {
        thread.setContextClassLoader(previous);
      }
      assertTrue(asked.isEmpty(), "the client asked for server-only classes: " + asked);
    } finally {
      nodes.forEach(TestNode::close);
    }
  }

  private static URL[] clientClasspath() throws MalformedURLException {
    List<URL> urls = new ArrayList<>();
    // surefire's forked JVM starts from a manifest-only jar and names the test classpath here
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    for (String entry : classpath.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      String name = Path.of(entry).getFileName().toString();
      if (SERVER_ONLY_JARS.stream().noneMatch(name::startsWith)) {
        urls.add(Path.of(entry).toUri().toURL());
      }
    }
    return urls.toArray(URL[]::new);
  }

  /** Loads every class itself (none from this JVM's loader) and records server-only ones asked. */
  private static final class ClientAppLoader extends URLClassLoader {
    private final Set<String> asked;

    ClientAppLoader(URL[] urls, Set<String> asked) {
      super("client-app", urls, ClassLoader.getPlatformClassLoader());
      this.asked = asked;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (SERVER_ONLY_PACKAGES.stream().anyMatch(name::startsWith)) {
        asked.add(name);
      }
      return super.loadClass(name, resolve);
    }
  }
}
