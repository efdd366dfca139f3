package com.example.ringstore;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.ringstore.client.ClientSettings;
import io.ringstore.client.ConnectFailedException;
import io.ringstore.client.MemberStoreClient;
import io.ringstore.client.ReadOptions;
import io.ringstore.client.Replication;
import io.ringstore.client.Ringstore;
import io.ringstore.client.StoreClient;
import io.ringstore.client.WriteOptions;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.storage.Sibling;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * A small app using ringstore through its Java API, with either client: connect, read the cluster's
 * replication settings, write a burst of keys, put and get, two blind writes that become siblings
 * and their resolution with the read's causal context, a delete with the context, (member only) the
 * typed protocol through the member's gateway, and close. Each step prints one line on stdout.
 *
 * <pre>
 *   Main member HOST:PORT [HOST:PORT...] [--join-timeout 30s]   (the seed nodes' cluster addresses)
 *   Main http URL [URL...] [--join-timeout 30s]                 (e.g. http://127.0.0.1:8080)
 * </pre>
 *
 * Exit status: 0 every step did what it should, 1 one did not, 2 bad arguments, 3 the client could
 * not connect within the join timeout (the {@link ConnectFailedException}'s message on stderr).
 */
public final class Main {
  static final int BURST = 200;
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

  private Main() {}

  public static void main(String[] args) {
    int status;
    try {
      status = run(args);
    } catch (IllegalArgumentException e) {
      System.err.println("usage error: " + e.getMessage());
      System.err.println(
          "usage: Main member HOST:PORT... | Main http URL...  [--join-timeout 30s]");
      status = 2;
    } catch (StepFailed e) {
      System.err.println("FAILED: " + e.getMessage());
      status = 1;
    }
    System.exit(status);
  }

  private static int run(String[] args) {
    List<String> endpoints = new ArrayList<>();
    Duration joinTimeout = ClientSettings.DEFAULT_JOIN_TIMEOUT;
    String mode = args.length > 0 ? args[0] : "";
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--join-timeout") && i + 1 < args.length) {
        joinTimeout = parseDuration(args[++i]);
      } else {
        endpoints.add(args[i]);
      }
    }
    String[] given = endpoints.toArray(new String[0]);
    ClientSettings settings =
        switch (mode) {
          case "member" -> ClientSettings.member(given);
          case "http" -> ClientSettings.http(given);
          default -> throw new IllegalArgumentException("first argument: member or http");
        };
    settings = settings.withJoinTimeout(joinTimeout);

    long start = System.nanoTime();
    StoreClient store;
    try {
      store = await(StoreClient.connect(settings), joinTimeout.plus(STEP_TIMEOUT), "connect");
    } catch (StepFailed e) {
      ConnectFailedException failed = connectFailure(e.getCause());
      if (failed == null) {
        throw e;
      }
      System.err.println(
          "connect failed after " + millisSince(start) + " ms: " + failed.getMessage());
      return 3;
    }
    System.out.println(
        "connected ("
            + mode
            + ") through "
            + settings.endpoints()
            + " in "
            + millisSince(start)
            + " ms");
    try {
      Replication replication = store.replication();
      System.out.println(
          "replication: n="
              + replication.n()
              + " r="
              + replication.r()
              + " w="
              + replication.w()
              + " timeout="
              + replication.timeoutMillis()
              + " ms");
      String run = UUID.randomUUID().toString().substring(0, 8);
      burst(store, run);
      String user = putAndGet(store, run);
      siblingsAndResolution(store, run);
      deleteWithContext(store, run);
      if (store instanceof MemberStoreClient member) {
        typedGet(member, user);
      }
    } finally {
      store.close();
    }
    // close() left the cluster (member) or released the connections (HTTP); the JVM goes on
    System.out.println("closed; the JVM is still running");
    return 0;
  }

  /** {@link #BURST} writes at once, each of which must be acknowledged at the default W. */
  private static void burst(StoreClient store, String run) {
    List<CompletableFuture<WriteResult>> writes = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      writes.add(
          store
              .put("burst-" + run + "-" + i, ("value " + i).getBytes(UTF_8))
              .toCompletableFuture());
    }
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      WriteResult result = await(writes.get(i), STEP_TIMEOUT, "burst put " + i);
      if (!(result instanceof WriteResult.Written)) {
        failures.add("burst-" + run + "-" + i + ": " + result);
      }
    }
    if (!failures.isEmpty()) {
      throw new StepFailed(
          failures.size()
              + " of "
              + BURST
              + " burst writes not written, e.g. "
              + failures.subList(0, Math.min(5, failures.size())));
    }
    System.out.println("burst: " + BURST + " of " + BURST + " writes written");
  }

  /** A put with a content type, read back from every replica. Returns the key. */
  private static String putAndGet(StoreClient store, String run) {
    String key = "user:" + run;
    byte[] json = "{\"name\":\"Ada\"}".getBytes(UTF_8);
    WriteResult put = await(store.put(key, json, "application/json", null, WriteOptions.DEFAULT));
    if (!(put instanceof WriteResult.Written)) {
      throw new StepFailed("put " + key + ": " + put);
    }
    ReadResult read = await(store.get(key, ReadOptions.r(Quorum.ALL)));
    if (!(read instanceof ReadResult.Found found)
        || found.values().size() != 1
        || !Arrays.equals(json, found.values().get(0).data())) {
      throw new StepFailed("get " + key + " at R=all: " + read);
    }
    Sibling value = found.values().get(0);
    System.out.println(
        "put/get: "
            + key
            + " = "
            + new String(value.data(), UTF_8)
            + " ("
            + value.contentType()
            + ")");
    return key;
  }

  /**
   * Two writes without a context become siblings; a write with the context of the read that showed
   * them replaces both.
   */
  private static void siblingsAndResolution(StoreClient store, String run) {
    String key = "cart:" + run;
    for (String item : List.of("apple", "pear")) {
      WriteResult blind = await(store.put(key, item.getBytes(UTF_8)));
      if (!(blind instanceof WriteResult.Written)) {
        throw new StepFailed("blind put " + item + ": " + blind);
      }
    }
    ReadResult read = await(store.get(key, ReadOptions.r(Quorum.ALL)));
    if (!(read instanceof ReadResult.Found found) || !found.hasSiblings()) {
      throw new StepFailed("two blind puts to " + key + " are not siblings: " + read);
    }
    List<String> siblings =
        found.values().stream().map(s -> new String(s.data(), UTF_8)).sorted().toList();
    System.out.println("siblings: " + siblings);

    byte[] merged = String.join(",", siblings).getBytes(UTF_8);
    WriteResult resolve =
        await(
            store.put(
                key, merged, Sibling.DEFAULT_CONTENT_TYPE, found.context(), WriteOptions.DEFAULT));
    if (!(resolve instanceof WriteResult.Written)) {
      throw new StepFailed("resolving put: " + resolve);
    }
    ReadResult after = await(store.get(key, ReadOptions.r(Quorum.ALL)));
    if (!(after instanceof ReadResult.Found one)
        || one.values().size() != 1
        || !Arrays.equals(merged, one.values().get(0).data())) {
      throw new StepFailed("after the resolving put " + key + " holds " + after);
    }
    System.out.println("resolved: " + new String(one.values().get(0).data(), UTF_8));
  }

  /** A delete with the context of a read; the key reads as not found afterwards. */
  private static void deleteWithContext(StoreClient store, String run) {
    String key = "session:" + run;
    WriteResult put = await(store.put(key, "token".getBytes(UTF_8)));
    ReadResult read = await(store.get(key));
    if (!(put instanceof WriteResult.Written) || !(read instanceof ReadResult.Found found)) {
      throw new StepFailed("put then get " + key + ": " + put + ", " + read);
    }
    WriteResult delete = await(store.delete(key, found.context()));
    if (!(delete instanceof WriteResult.Written)) {
      throw new StepFailed("delete " + key + ": " + delete);
    }
    ReadResult gone = await(store.get(key, ReadOptions.r(Quorum.ALL)));
    if (!(gone instanceof ReadResult.NotFound)) {
      throw new StepFailed("after the delete " + key + " reads " + gone);
    }
    System.out.println("deleted: " + key + " not found");
  }

  /** The typed protocol, as an actor app sends it: a {@link Ringstore.Get} to the gateway. */
  private static void typedGet(MemberStoreClient member, String key) {
    CompletionStage<ReadResult> reply =
        AskPattern.ask(
            member.gateway(),
            (ActorRef<ReadResult> replyTo) -> new Ringstore.Get(key, ReadOptions.DEFAULT, replyTo),
            STEP_TIMEOUT,
            member.system().scheduler());
    ReadResult result = await(reply);
    if (!(result instanceof ReadResult.Found found)) {
      throw new StepFailed("typed Get " + key + ": " + result);
    }
    System.out.println(
        "typed Get via gateway(): "
            + key
            + " = "
            + new String(found.values().get(0).data(), UTF_8));
  }

  private static <T> T await(CompletionStage<T> stage) {
    return await(stage, STEP_TIMEOUT, "request");
  }

  private static <T> T await(CompletionStage<T> stage, Duration timeout, String what) {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new StepFailed(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new StepFailed(what + " did not complete within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepFailed(what + " interrupted", e);
    }
  }

  private static ConnectFailedException connectFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectFailedException failed) {
        return failed;
      }
    }
    return null;
  }

  /** {@code 500ms}, {@code 5s} or {@code 2m}. */
  static Duration parseDuration(String text) {
    try {
      if (text.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
      } else if (text.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
      } else if (text.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("a duration such as 500ms, 5s or 2m, got " + text);
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** A step that did not do what it should. */
  private static final class StepFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StepFailed(String message) {
      super(message);
    }

    StepFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
