package io.ringstore.multijvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.security.Role;
import io.ringstore.security.User;
import io.ringstore.security.Users;
import io.ringstore.security.UsersFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ringstore certs DIR} makes the first HTTP user (issue 11, item 5) besides the TLS
 * material: {@code DIR/users} with the user {@code admin} (role admin) and its random password in
 * {@code DIR/admin.password}, both owner-only; the generated {@code DIR/ringstore.conf} turns
 * authentication on with that users file; a second run keeps both files, and a directory that has a
 * password but no users file gets a users file with that password. Starts no node: only the script
 * and the tools it runs (keytool, {@code bin/ringstore user}), every one of them stopped at the
 * end.
 */
class CertsCommandIT {
  private static final Path HOME =
      Path.of(System.getProperty("ringstore.home", System.getProperty("user.dir")))
          .toAbsolutePath()
          .normalize();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 180)
  void certsMakesAnOwnerOnlyUsersFileWithAnAdminWhosePasswordIsBesideIt() throws Exception {
    Path certs = tmp.resolve("certs");
    String output = certs(certs);

    Path users = certs.resolve("users");
    Path password = certs.resolve("admin.password");
    assertOwnerOnly(users);
    assertOwnerOnly(password);
    String admin = Files.readAllLines(password, StandardCharsets.UTF_8).get(0);
    assertTrue(admin.matches("[A-Za-z0-9]{24,}"), "a random password of 24+ letters and digits");
    User user =
        UsersFile.load(users)
            .find("admin")
            .orElseThrow(
                () -> new AssertionError("no user admin in " + users + ":\n" + read(users)));
    assertEquals(Set.of(Role.ADMIN), user.roles(), "admin has the role admin");
    assertTrue(user.hash().matches(admin), "the password in admin.password is admin's");
    assertEquals(1, UsersFile.load(users).size(), "only admin");
    assertTrue(
        output.contains(password.toString()), "certs says where the password is:\n" + output);

    RingstoreSettings.AuthSettings auth = settings(certs.resolve("ringstore.conf")).http().auth();
    assertTrue(auth.enabled(), "ringstore.conf (with conf/secure.conf) turns authentication on");
    assertEquals(users, auth.usersFile(), "and reads DIR/users");

    // a second run keeps the users file and the password
    byte[] usersBefore = Files.readAllBytes(users);
    byte[] passwordBefore = Files.readAllBytes(password);
    String again = certs(certs);
    assertArrayEquals(usersBefore, Files.readAllBytes(users), "users kept:\n" + again);
    assertArrayEquals(passwordBefore, Files.readAllBytes(password), "admin.password kept");
    assertTrue(again.contains("kept " + users), again);
  }

  @Test
  @Timeout(value = 180)
  void anExistingPasswordWithoutUsersFileBecomesTheAdminsPassword() throws Exception {
    Path certs = tmp.resolve("certs");
    certs(certs);
    Path users = certs.resolve("users");
    Path password = certs.resolve("admin.password");
    Files.delete(users);
    byte[] passwordBefore = Files.readAllBytes(password);

    certs(certs);
    assertArrayEquals(passwordBefore, Files.readAllBytes(password), "admin.password not replaced");
    assertOwnerOnly(users);
    Users again = UsersFile.load(users);
    assertTrue(
        again
            .find("admin")
            .orElseThrow()
            .hash()
            .matches(new String(passwordBefore, StandardCharsets.UTF_8).strip()),
        "the users file made again holds the existing password");
  }

  /** Runs {@code bin/ringstore certs DIR --nodes 127.0.0.1}, asserts exit 0, returns its output. */
  private String certs(Path dir) throws IOException, InterruptedException {
    Path log = Files.createTempFile(tmp, "certs-", ".log");
    Process run =
        new ProcessBuilder(
                HOME.resolve("bin/ringstore").toString(),
                "certs",
                dir.toString(),
                "--nodes",
                "127.0.0.1")
            .directory(HOME.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      boolean done = run.waitFor(120, TimeUnit.SECONDS);
      assertTrue(done, () -> "bin/ringstore certs did not finish in 120 s:\n" + read(log));
      assertEquals(0, run.exitValue(), () -> "bin/ringstore certs failed:\n" + read(log));
      return read(log);
    } finally {
      run.descendants().forEach(ProcessHandle::destroyForcibly);
      run.destroyForcibly();
    }
  }

  /**
   * The settings a node started with {@code --config file --host 127.0.0.1} builds, without the
   * environment.
   */
  private static RingstoreSettings settings(Path file) {
    Config config =
        ConfigFactory.parseFile(file.toFile())
            .withFallback(ConfigFactory.parseString("ringstore.http.host = \"127.0.0.1\""))
            .withFallback(ConfigFactory.defaultReference())
            .resolve(ConfigResolveOptions.noSystem());
    return RingstoreSettings.fromConfig(config);
  }

  private static void assertOwnerOnly(Path file) throws IOException {
    assertEquals(
        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(file),
        () -> file + " is readable by its owner only");
  }

  private static String read(Path file) {
    try {
      return Files.exists(file)
          ? String.join("\n", Files.readAllLines(file, StandardCharsets.UTF_8))
          : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
