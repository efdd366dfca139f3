package io.ringstore.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The TLS options of {@code status}/{@code leave}: {@code --https}, {@code --cacert}, an https URL.
 */
class AdminOptionsTlsTest {
  private static final List<String> ALLOWED =
      List.of("--host", "--http-port", "--https", "--cacert");

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "--host 10.0.0.5; http; 10.0.0.5; 8080",
        "--host 10.0.0.5 --https; https; 10.0.0.5; 8080",
        "--https --host 10.0.0.5 --http-port 8443; https; 10.0.0.5; 8443",
        "--cacert ca.pem; https; 127.0.0.1; 8080",
        "--host https://db1.example:8443; https; db1.example; 8443",
        "--host https://db1.example/; https; db1.example; 8080",
        "--host http://127.0.0.1:8081; http; 127.0.0.1; 8081",
        "--host https://[::1]:8443; https; ::1; 8443",
        "--host https://[::1]; https; ::1; 8080"
      })
  void schemeHostAndPort(String args, String scheme, String host, int port) {
    AdminOptions options = AdminOptions.parse("status", ALLOWED, args.split(" "));
    assertEquals(scheme, options.scheme(), args);
    assertEquals(host, options.host(), args);
    assertEquals(port, options.httpPortOrDefault(), args);
  }

  @Test
  void cacertIsKeptAndImpliesHttps() {
    AdminOptions options =
        AdminOptions.parse("status", ALLOWED, "--cacert", "/etc/ringstore/ca.pem");
    assertEquals(Optional.of(Path.of("/etc/ringstore/ca.pem")), options.cacert());
    assertTrue(options.https());
  }

  @Test
  void badUrlsAndEmptyCacertAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> AdminOptions.parse("status", ALLOWED, "--host", "https://h:99999"));
    assertThrows(
        IllegalArgumentException.class,
        () -> AdminOptions.parse("status", ALLOWED, "--host", "https://h/admin"));
    assertThrows(
        IllegalArgumentException.class,
        () -> AdminOptions.parse("status", ALLOWED, "--cacert", " "));
    assertThrows(
        IllegalArgumentException.class,
        () -> AdminOptions.parse("status", List.of("--host"), "--https"),
        "not allowed for this command");
  }

  @Test
  void aCacertThatIsNeitherPemNorATruststoreIsRefusedNamingIt(@TempDir Path dir) throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.pem"), "hello");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ClientTls.trusting(junk));
    assertTrue(e.getMessage().contains(junk.toString()), e.getMessage());
    Path missing = dir.resolve("missing.pem");
    IllegalArgumentException m =
        assertThrows(IllegalArgumentException.class, () -> ClientTls.trusting(missing));
    assertTrue(m.getMessage().contains("cannot read"), m.getMessage());
  }

  @Test
  void aStatusWithAnUnreadableCacertExitsWithUsageStatus(@TempDir Path dir) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code =
        new AdminCommand(new PrintStream(out), new PrintStream(err), Duration.ofMillis(10))
            .run("status", "--cacert", dir.resolve("nope.pem").toString());
    assertEquals(AdminCommand.USAGE_ERROR, code);
    assertTrue(err.toString().contains("--cacert"), err.toString());
  }
}
