package io.ringstore.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a credential check costs and answers: an unknown user costs one derivation of the file's
 * typical iteration count like a wrong password, passed credentials are remembered until the ttl or
 * a reload, a bad file keeps the users in force, and a saturated pool answers Overloaded at once.
 */
class AuthenticatorTest {
  private static final int FAST = PasswordHash.MIN_ITERATIONS;

  @TempDir Path dir;

  private final AtomicLong now = new AtomicLong();
  private Authenticator authenticator;

  @AfterEach
  void close() {
    if (authenticator != null) {
      authenticator.close();
    }
  }

  private Path file(User... users) {
    Path file = dir.resolve("users");
    UsersFile.write(file, Users.of(List.of(users)));
    return file;
  }

  private static User user(String name, int iterations, Role role) {
    return new User(name, Set.of(role), PasswordHash.create(name + "-pw", iterations));
  }

  private Authenticator start(Path file, int threads, int queued) {
    authenticator = new Authenticator(file, threads, queued, Duration.ofMinutes(1), now::get);
    return authenticator;
  }

  private static Authenticator.Result await(CompletionStage<Authenticator.Result> result)
      throws Exception {
    return result.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void anUnknownUserCostsWhatAWrongPasswordCosts() throws Exception {
    Authenticator auth =
        start(file(user("a", 3_000, Role.READ), user("b", 3_000, Role.ADMIN)), 2, 8);
    assertEquals(3_000, auth.unknownUserIterations(), "the dummy hash has the file's iterations");
    long before = auth.derivations();
    assertInstanceOf(Authenticator.Result.Rejected.class, await(auth.authenticate("a", "wrong")));
    assertEquals(before + 1, auth.derivations(), "a wrong password: one derivation");
    assertInstanceOf(
        Authenticator.Result.Rejected.class, await(auth.authenticate("nobody", "a-pw")));
    assertEquals(before + 2, auth.derivations(), "an unknown user: one derivation too");
    assertInstanceOf(
        Authenticator.Result.Rejected.class, await(auth.authenticate("nobody", "a-pw")));
    assertEquals(before + 3, auth.derivations(), "rejections are never cached");
  }

  @Test
  void passedCredentialsAreRememberedUntilTheTtl() throws Exception {
    Authenticator auth = start(file(user("a", FAST, Role.READ)), 1, 8);
    var first =
        assertInstanceOf(
            Authenticator.Result.Authenticated.class, await(auth.authenticate("a", "a-pw")));
    assertEquals("a", first.user().name());
    long after = auth.derivations();
    assertInstanceOf(
        Authenticator.Result.Authenticated.class, await(auth.authenticate("a", "a-pw")));
    assertEquals(after, auth.derivations(), "answered from the cache");
    now.addAndGet(Duration.ofMinutes(2).toNanos());
    assertInstanceOf(
        Authenticator.Result.Authenticated.class, await(auth.authenticate("a", "a-pw")));
    assertEquals(after + 1, auth.derivations(), "checked again past the ttl");
  }

  @Test
  void aReloadPutsTheNewUsersInForceAndForgetsTheCache() throws Exception {
    Path file = file(user("a", FAST, Role.READ));
    Authenticator auth = start(file, 1, 8);
    assertInstanceOf(
        Authenticator.Result.Authenticated.class, await(auth.authenticate("a", "a-pw")));
    assertInstanceOf(Authenticator.Reload.Unchanged.class, auth.reloadIfChanged());
    UsersFile.write(file, Users.of(List.of(user("b", FAST, Role.ADMIN))));
    assertEquals(new Authenticator.Reload.Reloaded(1), auth.reloadIfChanged());
    assertInstanceOf(
        Authenticator.Result.Rejected.class,
        await(auth.authenticate("a", "a-pw")),
        "a removed user is refused at once, cache or not");
    assertInstanceOf(
        Authenticator.Result.Authenticated.class, await(auth.authenticate("b", "b-pw")));
  }

  @Test
  void aBadFileKeepsTheUsersInForceAndIsReportedOnce() throws Exception {
    Path file = file(user("a", FAST, Role.READ));
    Authenticator auth = start(file, 1, 8);
    Files.writeString(file, "garbage line\n");
    var failed = assertInstanceOf(Authenticator.Reload.Failed.class, auth.reloadIfChanged());
    assertTrue(failed.firstTime());
    assertTrue(failed.message().contains("line 1"), failed.message());
    assertEquals(
        false,
        ((Authenticator.Reload.Failed) auth.reloadIfChanged()).firstTime(),
        "the same failure is not reported again");
    assertInstanceOf(
        Authenticator.Result.Authenticated.class, await(auth.authenticate("a", "a-pw")));
    Files.delete(file);
    assertInstanceOf(Authenticator.Reload.Failed.class, auth.reloadIfChanged());
    assertEquals(1, auth.users().size());
  }

  @Test
  void aSaturatedPoolAnswersOverloadedAtOnce() throws Exception {
    // one thread busy with a slow derivation, one check queued: the third waits for nothing
    Authenticator auth = start(file(user("slow", 2_000_000, Role.READ)), 1, 1);
    List<CompletableFuture<Authenticator.Result>> checks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      checks.add(auth.authenticate("slow", "guess-" + i).toCompletableFuture());
    }
    assertInstanceOf(
        Authenticator.Result.Overloaded.class,
        checks.get(2).getNow(null),
        "past the queue: overloaded, without waiting");
    assertInstanceOf(Authenticator.Result.Overloaded.class, checks.get(3).getNow(null));
    assertInstanceOf(Authenticator.Result.Rejected.class, await(checks.get(0)));
    assertInstanceOf(Authenticator.Result.Rejected.class, await(checks.get(1)));
  }

  @Test
  void concurrentChecksOfTheSameCredentialsShareOneDerivation() throws Exception {
    Authenticator auth = start(file(user("slow", 1_000_000, Role.READ)), 2, 8);
    long before = auth.derivations();
    var one = auth.authenticate("slow", "slow-pw");
    var two = auth.authenticate("slow", "slow-pw");
    assertInstanceOf(Authenticator.Result.Authenticated.class, await(one));
    assertInstanceOf(Authenticator.Result.Authenticated.class, await(two));
    assertEquals(before + 1, auth.derivations());
  }
}
