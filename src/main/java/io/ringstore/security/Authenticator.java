package io.ringstore.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Checks HTTP Basic credentials against the users file, which it reloads when asked and the file
 * has changed ({@link #reloadIfChanged}, called every few seconds by the gateway).
 *
 * <p>A check is one PBKDF2 derivation on a small pool of its own threads, never on a request
 * thread, with a bounded queue: past it the answer is {@link Result.Overloaded} (the gateway's
 * 503), so a flood of guesses costs the node at most those threads. An unknown user costs the same
 * as a wrong password: a derivation with the file's typical iteration count against a dummy hash,
 * and the same answer. Credentials that passed are remembered (by a SHA-256 of name and password
 * with a random per-process salt) until {@code cacheTtl} or the next reload, so a client's requests
 * after its first cost a hash lookup; concurrent checks of the same credentials share one
 * derivation. Revoking a user or changing a password takes effect at the reload that sees the file
 * change.
 */
public final class Authenticator implements AutoCloseable {
  /** The answer to a check. */
  public sealed interface Result {
    /** The credentials are a user's. */
    record Authenticated(User user) implements Result {}

    /** Unknown user or wrong password: deliberately not told apart. */
    record Rejected() implements Result {}

    /** Too many checks queued; try again shortly. */
    record Overloaded() implements Result {}
  }

  /** What {@link #reloadIfChanged} found. */
  public sealed interface Reload {
    record Unchanged() implements Reload {}

    record Reloaded(int users) implements Reload {}

    /** The file could not be read or parsed: the users loaded before stay in force. */
    record Failed(String message, boolean firstTime) implements Reload {}
  }

  private static final Result REJECTED = new Result.Rejected();
  private static final int MAX_CACHED = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path file;
  private final Duration cacheTtl;
  private final LongSupplier nanoTime;
  private final ThreadPoolExecutor pool;
  private final byte[] cacheSalt = new byte[16];
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CompletableFuture<Result>> inFlight =
      new ConcurrentHashMap<>();
  private final LongAdder derivations = new LongAdder();
  private volatile State state;
  private volatile String lastFailure;

  @SuppressWarnings("ArrayRecordComponent") // carries the array as it is, never compared
  private record State(Users users, PasswordHash dummy, byte[] digest, long generation) {}

  private record Cached(User user, long expiresAtNanos, long generation) {}

  /**
   * @param file the users file, read now: a missing or bad file throws with a message naming it
   * @param threads threads that derive password hashes
   * @param maxQueued checks waiting for a thread before {@link Result.Overloaded}
   * @param cacheTtl how long passed credentials are remembered
   */
  public Authenticator(
      Path file, int threads, int maxQueued, Duration cacheTtl, LongSupplier nanoTime) {
    this.file = file;
    this.cacheTtl = cacheTtl;
    this.nanoTime = nanoTime;
    RANDOM.nextBytes(cacheSalt);
    byte[] content = UsersFile.read(file);
    this.state = stateOf(UsersFile.parse(content, file.toString()), content, 0);
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(maxQueued),
            r -> {
              Thread t = new Thread(r, "ringstore-auth-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** The users in force. */
  public Users users() {
    return state.users();
  }

  /** Password derivations run so far (each check that was not answered from the cache runs one). */
  public long derivations() {
    return derivations.sum();
  }

  /** The iteration count a check of an unknown user runs with. */
  public int unknownUserIterations() {
    return state.dummy().iterations();
  }

  /**
   * Checks {@code name} and {@code password}; completes on the pool's thread or at once from the
   * cache.
   */
  public CompletionStage<Result> authenticate(String name, String password) {
    String key = cacheKey(name, password);
    Cached cached = cache.get(key);
    State current = state;
    if (cached != null
        && cached.generation() == current.generation()
        && nanoTime.getAsLong() - cached.expiresAtNanos() < 0) {
      return CompletableFuture.completedFuture(new Result.Authenticated(cached.user()));
    }
    CompletableFuture<Result> mine = new CompletableFuture<>();
    CompletableFuture<Result> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return running;
    }
    try {
      pool.execute(
          () -> {
            // out of the in-flight map before completing: a check that starts after this one has
            // answered derives again instead of taking this (possibly outdated) answer
            Result result;
            try {
              result = check(name, password, key, current);
            } catch (RuntimeException e) {
              inFlight.remove(key, mine);
              mine.completeExceptionally(e);
              return;
            }
            inFlight.remove(key, mine);
            mine.complete(result);
          });
    } catch (RejectedExecutionException e) {
      inFlight.remove(key, mine);
      mine.complete(new Result.Overloaded());
    }
    return mine;
  }

  private Result check(String name, String password, String key, State at) {
    Optional<User> user = at.users().find(name);
    PasswordHash hash = user.map(User::hash).orElse(at.dummy());
    derivations.increment();
    boolean matches = hash.matches(password);
    if (!matches || user.isEmpty()) {
      return REJECTED;
    }
    if (at.generation() == state.generation()) {
      if (cache.size() >= MAX_CACHED) {
        cache.clear();
      }
      cache.put(
          key, new Cached(user.get(), nanoTime.getAsLong() + cacheTtl.toNanos(), at.generation()));
    }
    return new Result.Authenticated(user.get());
  }

  /**
   * Reads the users file and, when its content changed, puts the new users in force and forgets
   * every remembered credential. A file that cannot be read or parsed leaves the users in force
   * unchanged.
   */
  public synchronized Reload reloadIfChanged() {
    byte[] content;
    Users users;
    try {
      content = UsersFile.read(file);
      if (MessageDigest.isEqual(sha256(content), state.digest())) {
        lastFailure = null;
        return new Reload.Unchanged();
      }
      users = UsersFile.parse(content, file.toString());
    } catch (IllegalArgumentException e) {
      boolean first = !e.getMessage().equals(lastFailure);
      lastFailure = e.getMessage();
      return new Reload.Failed(e.getMessage(), first);
    }
    lastFailure = null;
    state = stateOf(users, content, state.generation() + 1);
    cache.clear();
    return new Reload.Reloaded(users.size());
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  private static State stateOf(Users users, byte[] content, long generation) {
    // random salt and hash: no password matches it, and checking one costs a real derivation
    byte[] salt = new byte[16];
    byte[] hash = new byte[32];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(hash);
    PasswordHash dummy = new PasswordHash(users.typicalIterations(), salt, hash);
    return new State(users, dummy, sha256(content), generation);
  }

  private String cacheKey(String name, String password) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(cacheSalt);
      byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
      digest.update(ByteBuffer.allocate(4).putInt(nameBytes.length).array());
      digest.update(nameBytes);
      digest.update(password.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
