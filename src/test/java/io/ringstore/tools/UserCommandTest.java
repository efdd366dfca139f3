package io.ringstore.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.security.PasswordHash;
import io.ringstore.security.Role;
import io.ringstore.security.User;
import io.ringstore.security.Users;
import io.ringstore.security.UsersFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link UserCommand} on users files in a temporary directory: add (password file, generated, asked
 * on the terminal), replace only with {@code --replace}, passwd keeping the roles, remove, list
 * without hashes, the {@code RINGSTORE_USERS_FILE} default, and the exit codes of bad options (2)
 * and of a file or user that is not as the command needs (1, the file unchanged). Hashes use 1000
 * iterations.
 */
class UserCommandTest {
  private static final String FAST = "1000";

  @TempDir Path dir;

  private Path users;
  private Path secret;
  private final Map<String, String> env = new HashMap<>();

  /** Answers of the fake terminal, in order; empty: no terminal. */
  private final Deque<String> typed = new ArrayDeque<>();

  private boolean terminal = true;
  private ByteArrayOutputStream out;
  private ByteArrayOutputStream err;

  @BeforeEach
  void files() throws IOException {
    users = dir.resolve("users");
    secret = dir.resolve("secret");
    Files.writeString(secret, "s3cret password\nsecond line ignored\n");
  }

  private int run(String... args) {
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    UserCommand.Prompt prompt =
        text -> terminal ? Optional.of(typed.removeFirst().toCharArray()) : Optional.empty();
    return new UserCommand(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env,
            prompt)
        .run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private int add(String name, String roles, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "add", name, "--role", roles, "--file", users.toString(), "--iterations", FAST));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  private User user(String name) {
    return UsersFile.load(users)
        .find(name)
        .orElseThrow(() -> new AssertionError("no user " + name));
  }

  @Test
  void addWithPasswordFileCreatesAnOwnerOnlyFileWithTheHashedPassword() throws IOException {
    assertEquals(0, add("app", "read,readwrite", "--password-file", secret.toString()), this::err);

    User app = user("app");
    assertEquals(Set.of(Role.READ, Role.READWRITE), app.roles(), "roles as given");
    assertTrue(
        app.hash().matches("s3cret password"),
        "the first line of the password file is the password");
    assertEquals(1000, app.hash().iterations(), "--iterations");
    assertEquals(
        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(users),
        "the users file is readable by its owner only");
    assertFalse(Files.readString(users).contains("s3cret"), "the password itself is not stored");
    assertTrue(out().contains("added user 'app'") && out().contains("no restart needed"), out());
    assertEquals(1, out().lines().count(), "one line: " + out());
    assertEquals("", err());
  }

  @Test
  void generatedPasswordIsPrintedOnceAndMatchesTheHash() {
    assertEquals(0, add("ops", "monitor", "--generate-password"), this::err);

    Matcher shown =
        Pattern.compile("password of 'ops' \\(shown only this once; store it now\\): (\\S+)")
            .matcher(out());
    assertTrue(shown.find(), "the password is printed: " + out());
    String password = shown.group(1);
    assertEquals(32, password.length(), "24 random bytes in base64url");
    assertTrue(user("ops").hash().matches(password), "the printed password is the one hashed");
    assertFalse(shown.find(), "printed once");
  }

  @Test
  void askedTwiceOnTheTerminal() {
    typed.addAll(List.of("typed pw", "typed pw"));
    assertEquals(0, add("alice", "readwrite"), this::err);
    assertTrue(user("alice").hash().matches("typed pw"), "the typed password");

    typed.addAll(List.of("one", "two"));
    assertEquals(1, run("passwd", "alice", "--file", users.toString(), "--iterations", FAST));
    assertTrue(err().contains("differ"), err());
    assertTrue(user("alice").hash().matches("typed pw"), "differing passwords change nothing");

    typed.addAll(List.of("", ""));
    assertEquals(1, run("passwd", "alice", "--file", users.toString(), "--iterations", FAST));
    assertTrue(err().contains("empty"), err());
  }

  @Test
  void withoutTerminalOrPasswordOptionItIsAUsageErrorAndNothingIsWritten() {
    terminal = false;
    assertEquals(2, add("bob", "read"));
    assertTrue(err().contains("--password-file") && err().contains("--generate-password"), err());
    assertFalse(Files.exists(users), "no file made");
  }

  @Test
  void anExistingUserIsReplacedOnlyWithReplace() throws IOException {
    assertEquals(0, add("app", "read", "--password-file", secret.toString()), this::err);
    byte[] before = Files.readAllBytes(users);

    assertEquals(1, add("app", "admin", "--generate-password"));
    assertTrue(err().contains("user 'app' exists") && err().contains("--replace"), err());
    assertEquals(1, err().lines().count(), "one line: " + err());
    assertArrayEquals(before, Files.readAllBytes(users), "the file is unchanged");

    Files.writeString(secret, "new one\n");
    assertEquals(
        0, add("app", "admin", "--password-file", secret.toString(), "--replace"), this::err);
    assertTrue(out().startsWith("replaced user 'app'"), out());
    assertEquals(Set.of(Role.ADMIN), user("app").roles(), "new roles");
    assertTrue(user("app").hash().matches("new one"), "new password");
  }

  @Test
  void passwdKeepsTheRolesAndOtherUsers() {
    assertEquals(
        0, add("app", "readwrite,monitor", "--password-file", secret.toString()), this::err);
    assertEquals(0, add("admin", "admin", "--password-file", secret.toString()), this::err);
    PasswordHash adminHash = user("admin").hash();

    assertEquals(
        0,
        run(
            "passwd",
            "app",
            "--file",
            users.toString(),
            "--generate-password",
            "--iterations",
            FAST),
        this::err);
    assertTrue(out().contains("set the password of user 'app'"), out());
    assertEquals(Set.of(Role.READWRITE, Role.MONITOR), user("app").roles(), "roles kept");
    assertFalse(user("app").hash().matches("s3cret password"), "old password no longer valid");
    assertEquals(adminHash, user("admin").hash(), "the other user untouched");

    assertEquals(1, run("passwd", "nobody", "--file", users.toString(), "--generate-password"));
    assertTrue(err().contains("no user 'nobody'"), err());
  }

  @Test
  void removeAndList() {
    assertEquals(0, add("zed", "read", "--password-file", secret.toString()), this::err);
    assertEquals(0, add("admin", "admin", "--password-file", secret.toString()), this::err);
    assertEquals(0, add("app", "read,readwrite", "--password-file", secret.toString()), this::err);

    assertEquals(0, run("list", "--file", users.toString()), this::err);
    assertEquals(
        List.of("USER   ROLES", "admin  admin", "app    read,readwrite", "zed    read"),
        out().lines().toList(),
        "sorted by name, roles by rank");
    assertFalse(out().contains(PasswordHash.SCHEME), "list never shows hashes");

    assertEquals(0, run("remove", "zed", "--file", users.toString()), this::err);
    assertTrue(out().contains("removed user 'zed'"), out());
    assertEquals(Set.of("admin", "app"), UsersFile.load(users).byName().keySet(), "zed removed");
    assertEquals(1, run("remove", "zed", "--file", users.toString()));
    assertTrue(err().contains("no user 'zed'"), err());

    assertEquals(0, run("remove", "admin", "--file", users.toString()), this::err);
    assertTrue(
        err().contains("warning: no user") && err().contains("admin"), "last admin gone: " + err());
  }

  @Test
  void listOfAnEmptyFileAndOfAMissingOne() {
    UsersFile.write(users, Users.NONE);
    assertEquals(0, run("list", "--file", users.toString()), this::err);
    assertTrue(out().startsWith("no users in"), out());

    assertEquals(1, run("list", "--file", dir.resolve("missing").toString()));
    assertTrue(err().contains("does not exist"), err());
  }

  @Test
  void theFileDefaultsToTheEnvironment() {
    env.put(UserCommand.USERS_FILE_ENV, users.toString());
    assertEquals(
        0,
        run(
            "add",
            "app",
            "--role",
            "read",
            "--password-file",
            secret.toString(),
            "--iterations",
            FAST),
        this::err);
    assertTrue(Files.exists(users), "written where RINGSTORE_USERS_FILE says");

    env.clear();
    assertEquals(2, run("list"));
    assertTrue(
        err().lines().findFirst().orElse("").contains("--file FILE or set RINGSTORE_USERS_FILE"),
        err());
  }

  @Test
  void aBadUsersFileIsReportedAndLeftAlone() throws IOException {
    Files.writeString(users, "admin:root:pbkdf2-sha256$1000$AAAA$BBBB\n");
    assertEquals(1, add("app", "read", "--password-file", secret.toString()));
    assertTrue(err().contains("line 1") && err().contains("unknown role 'root'"), err());
    assertEquals(
        "admin:root:pbkdf2-sha256$1000$AAAA$BBBB\n", Files.readString(users), "not rewritten");
  }

  @Test
  void anEmptyOrMissingPasswordFileIsAnError() throws IOException {
    Files.writeString(secret, "\nsecond\n");
    assertEquals(1, add("app", "read", "--password-file", secret.toString()));
    assertTrue(err().contains("is empty"), err());
    assertEquals(1, add("app", "read", "--password-file", dir.resolve("none").toString()));
    assertTrue(err().contains("cannot read the password file"), err());
    assertFalse(Files.exists(users), "no file made");
  }

  static Stream<Arguments> usageErrors() {
    return Stream.of(
        Arguments.of(List.of(), "a command is needed"),
        Arguments.of(List.of("rename", "a"), "unknown command 'rename'"),
        Arguments.of(
            List.of("add", "app", "--role", "root"),
            "unknown role 'root' (roles: read, readwrite, monitor, admin)"),
        Arguments.of(
            List.of("add", "app"), "--role ROLE[,ROLE...] is required (roles: read, readwrite"),
        Arguments.of(List.of("add", "bad:name", "--role", "read"), "A-Z a-z 0-9 . _ @ + -"),
        Arguments.of(List.of("add", "--role", "read"), "expects exactly one user NAME, got 0"),
        Arguments.of(
            List.of("add", "a", "b", "--role", "read"), "expects exactly one user NAME, got 2"),
        Arguments.of(
            List.of("add", "a", "--role", "read", "--generate-password", "--password-file", "f"),
            "exclude each other"),
        Arguments.of(
            List.of("add", "a", "--role", "read", "--iterations", "10"),
            "--iterations expects a number in 1000..10000000"),
        Arguments.of(List.of("add", "a", "--role", "read", "--iterations"), "needs a value"),
        Arguments.of(List.of("passwd", "a", "--role", "admin"), "unknown option '--role'"),
        Arguments.of(List.of("remove", "a", "--generate-password"), "takes no password or role"),
        Arguments.of(List.of("list", "a"), "expects no NAME"),
        Arguments.of(List.of("list", "--file", ""), "--file must not be empty"),
        Arguments.of(List.of("list", "--verbose"), "unknown option '--verbose'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("usageErrors")
  void usageErrorsExitWithTwoAndSayWhy(List<String> args, String message) {
    env.put(UserCommand.USERS_FILE_ENV, users.toString());
    assertEquals(2, run(args.toArray(String[]::new)), () -> args + ": " + err());
    String first = err().lines().findFirst().orElse("");
    assertTrue(
        first.startsWith("ringstore: ") && first.contains(message), () -> args + ": " + first);
    assertFalse(Files.exists(users), args + " wrote nothing");
  }

  @Test
  void helpGoesToStdout() {
    assertEquals(0, run("--help"));
    assertTrue(out().contains("ringstore user add NAME --role"), out());
  }
}
