package io.ringstore.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClientCredentials}: where the user and password come from (options, file, environment,
 * console), the errors, the {@code Authorization} header, the refusal lines, and that no password
 * shows in a {@code toString()} or a message.
 */
class ClientCredentialsTest {
  private static final String SECRET = "s3cret-Passw0rd";

  @TempDir Path dir;

  private static Optional<ClientCredentials> resolve(
      ClientCredentials.Options options, Map<String, String> env) {
    return options.resolve(env, ClientCredentials.Prompt.NONE);
  }

  private static ClientCredentials.Options options(String... optionAndValue) {
    ClientCredentials.Options options = ClientCredentials.Options.NONE;
    for (int i = 0; i < optionAndValue.length; i += 2) {
      options = options.with(optionAndValue[i], optionAndValue[i + 1]);
    }
    return options;
  }

  private static String basic(String userAndPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theHeaderIsBasicBase64OfNameColonPasswordInUtf8() {
    assertEquals(
        "Basic YWRtaW46czNjcmV0",
        ClientCredentials.of("admin", "s3cret".toCharArray()).authorization(),
        "RFC 7617's encoding of admin:s3cret");
    assertEquals(
        basic("jürgen:pässwörd€"),
        ClientCredentials.of("jürgen", "pässwörd€".toCharArray()).authorization(),
        "non-ASCII names and passwords are sent as UTF-8 (the realm's charset)");
    assertEquals(
        basic("ops:a:b c"),
        ClientCredentials.of("ops", "a:b c".toCharArray()).authorization(),
        "a password may hold ':' and spaces");
  }

  @Test
  void whereTheUserAndPasswordComeFrom() throws IOException {
    Path file = Files.writeString(dir.resolve("pw"), SECRET + "\nsecond line\n");
    Path crlf = Files.writeString(dir.resolve("pw-crlf"), SECRET + "\r\n");
    Path noNewline = Files.writeString(dir.resolve("pw-bare"), SECRET);
    Map<String, String> env =
        Map.of(ClientCredentials.USER_ENV, "envuser", ClientCredentials.PASSWORD_ENV, "envpw");
    record Case(
        String why, ClientCredentials.Options options, Map<String, String> env, String expected) {}
    List<Case> cases =
        List.of(
            new Case(
                "--user NAME:PASSWORD",
                options("--user", "admin:" + SECRET),
                Map.of(),
                basic("admin:" + SECRET)),
            new Case(
                "--user with --password-file: its first line",
                options("--user", "admin", "--password-file", file.toString()),
                Map.of(),
                basic("admin:" + SECRET)),
            new Case(
                "a CRLF line end is not part of the password",
                options("--user", "admin", "--password-file", crlf.toString()),
                Map.of(),
                basic("admin:" + SECRET)),
            new Case(
                "a file without a line end",
                options("--user", "admin", "--password-file", noNewline.toString()),
                Map.of(),
                basic("admin:" + SECRET)),
            new Case(
                "both from the environment",
                ClientCredentials.Options.NONE,
                env,
                basic("envuser:envpw")),
            new Case(
                "--user over RINGSTORE_USER, the password from RINGSTORE_PASSWORD",
                options("--user", "ops"),
                env,
                basic("ops:envpw")),
            new Case(
                "--password-file over RINGSTORE_PASSWORD",
                options("--password-file", file.toString()),
                env,
                basic("envuser:" + SECRET)),
            new Case(
                "an inline password over RINGSTORE_PASSWORD",
                options("--user", "ops:inline"),
                env,
                basic("ops:inline")));
    for (Case c : cases) {
      assertEquals(
          c.expected(),
          resolve(c.options(), c.env()).map(ClientCredentials::authorization).orElse("none"),
          c.why());
    }
  }

  @Test
  void withoutAUserThereAreNoCredentials() {
    assertEquals(
        Optional.empty(), resolve(ClientCredentials.Options.NONE, Map.of()), "nothing given");
    assertEquals(
        Optional.empty(),
        resolve(ClientCredentials.Options.NONE, Map.of(ClientCredentials.PASSWORD_ENV, "pw")),
        "a password alone names no user");
    assertEquals(
        Optional.empty(),
        resolve(ClientCredentials.Options.NONE, Map.of(ClientCredentials.USER_ENV, "")),
        "an empty RINGSTORE_USER");
  }

  @Test
  void aUserWithoutAPasswordIsAskedOnTheConsole() {
    List<String> prompts = new ArrayList<>();
    Optional<ClientCredentials> credentials =
        options("--user", "admin")
            .resolve(
                Map.of(),
                prompt -> {
                  prompts.add(prompt);
                  return SECRET.toCharArray();
                });
    assertEquals(
        basic("admin:" + SECRET), credentials.orElseThrow().authorization(), "the typed password");
    assertEquals(List.of("password for admin: "), prompts, "asked once, naming the user");
  }

  @Test
  void theErrorsNameTheProblemAndNeverThePassword() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty"), "");
    Path emptyLine = Files.writeString(dir.resolve("empty-line"), "\n" + SECRET + "\n");
    Path file = Files.writeString(dir.resolve("pw"), SECRET + "\n");
    record Case(String why, ClientCredentials.Options options, String message) {}
    List<Case> cases =
        List.of(
            new Case(
                "no password anywhere and no console",
                options("--user", "admin"),
                "no password for user admin"),
            new Case(
                "an empty password file",
                options("--user", "admin", "--password-file", empty.toString()),
                "is empty"),
            new Case(
                "a password file whose first line is empty",
                options("--user", "admin", "--password-file", emptyLine.toString()),
                "is empty"),
            new Case(
                "a missing password file",
                options("--user", "admin", "--password-file", dir.resolve("missing").toString()),
                "cannot read"),
            new Case(
                "a directory as password file",
                options("--user", "admin", "--password-file", dir.toString()),
                "cannot read"),
            new Case(
                "two passwords",
                options("--user", "admin:" + SECRET, "--password-file", file.toString()),
                "both give a password"),
            new Case(
                "a password file without a user",
                options("--password-file", file.toString()),
                "needs --user"));
    for (Case c : cases) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> resolve(c.options(), Map.of()), c.why());
      assertTrue(e.getMessage().contains(c.message()), c.why() + ": " + e.getMessage());
      assertFalse(e.getMessage().contains(SECRET), c.why() + ": no password in " + e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> options("--user", ""), "an empty --user");
    assertThrows(
        IllegalArgumentException.class,
        () -> options("--user", ":pw"),
        "a password without a name");
    assertThrows(
        IllegalArgumentException.class,
        () -> options("--password-file", ""),
        "an empty --password-file");
  }

  @Test
  void noToStringShowsThePassword() {
    ClientCredentials.Options inline = options("--user", "admin:" + SECRET);
    assertFalse(inline.toString().contains(SECRET), inline.toString());
    assertTrue(inline.toString().contains("admin"), inline.toString());
    ClientCredentials credentials = resolve(inline, Map.of()).orElseThrow();
    assertEquals("user admin", credentials.toString());
    ClientAccess access = new ClientAccess(true, Optional.empty(), Optional.of(credentials));
    assertFalse(
        access.toString().contains(SECRET)
            || access.toString().contains(credentials.authorization()),
        access.toString());
  }

  @Test
  void refusalLines() {
    Optional<ClientCredentials> admin =
        Optional.of(ClientCredentials.of("admin", SECRET.toCharArray()));
    String url = "https://127.0.0.1:8443";
    String anonymous401 =
        ClientCredentials.refusal(Optional.empty(), url, 401, "status", "monitor").orElseThrow();
    for (String part :
        List.of(
            url,
            "401 unauthorized",
            "--user",
            "--password-file",
            "RINGSTORE_USER",
            "RINGSTORE_PASSWORD")) {
      assertTrue(
          anonymous401.contains(part),
          "without credentials, the line says how to give them: " + anonymous401);
    }
    String wrong = ClientCredentials.refusal(admin, url, 401, "status", "monitor").orElseThrow();
    assertTrue(wrong.contains("user admin") && wrong.contains("401"), wrong);
    assertFalse(wrong.contains(SECRET), wrong);
    String forbidden =
        ClientCredentials.refusal(admin, url, 403, "status", "monitor").orElseThrow();
    assertTrue(
        forbidden.contains("403 forbidden") && forbidden.contains("role monitor (or admin)"),
        forbidden);
    assertTrue(
        ClientCredentials.refusal(admin, url, 403, "leave", "admin")
            .orElseThrow()
            .endsWith("role admin"),
        "admin needs no 'or admin'");
    for (int status : new int[] {200, 404, 500, 503}) {
      assertEquals(
          Optional.empty(),
          ClientCredentials.refusal(admin, url, status, "status", "monitor"),
          "" + status);
    }
  }

  @Test
  void tlsFailuresAreFoundInTheCauses() {
    IOException wrapped =
        new IOException("send failed", new SSLHandshakeException("PKIX path building failed"));
    assertTrue(ClientTls.tlsProblem(wrapped).orElseThrow().contains("PKIX path building failed"));
    assertTrue(
        ClientTls.tlsProblem(wrapped).orElseThrow().contains("--cacert"), "says what to check");
    assertEquals(
        Optional.empty(), ClientTls.tlsProblem(new ConnectException("refused")), "not TLS");
  }
}
