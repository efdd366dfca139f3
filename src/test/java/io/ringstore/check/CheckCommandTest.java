package io.ringstore.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link CheckCommand}'s option parsing: defaults, every option, and the errors that exit 2. */
class CheckCommandTest {

  @Test
  void defaults() throws Exception {
    CheckCommand.Command c = CheckCommand.parse(new String[] {"--nodes", "127.0.0.1:8080"});
    assertEquals(CheckOptions.defaults(List.of("127.0.0.1:8080")), c.options(), "the documented defaults");
    assertFalse(c.json(), "text by default");
  }

  @Test
  void everyOption() throws Exception {
    CheckCommand.Command c = CheckCommand.parse(new String[] {
        "--nodes", "a:1,b.example:8081", "--duration", "90s", "--clients", "3", "--keys-per-client", "5",
        "--r", "quorum", "--w=ALL", "--timeout-ms", "1500", "--converge-timeout", "2m", "--value-size", "64",
        "--json"});
    assertEquals(new CheckOptions(List.of("a:1", "b.example:8081"), 3, 5, Duration.ofSeconds(90), "quorum",
        "all", Duration.ofMillis(1500), Duration.ofMinutes(2), 64), c.options(), "every option parsed");
    assertTrue(c.json(), "--json");
  }

  record Bad(String why, String[] args, String message) {
    @Override
    public String toString() {
      return why;
    }
  }

  static Stream<Bad> badOptions() {
    return Stream.of(
        new Bad("no --nodes", new String[] {"--clients", "2"}, "--nodes is required"),
        new Bad("a node without a port", new String[] {"--nodes", "localhost"}, "a node must be host:port"),
        new Bad("an empty node in the list", new String[] {"--nodes", "a:1,"}, "a node must be host:port"),
        new Bad("a port out of range", new String[] {"--nodes", "a:70000"}, "port out of range"),
        new Bad("an unknown option", new String[] {"--nodes", "a:1", "--frobnicate", "1"}, "unknown option"),
        new Bad("a missing value", new String[] {"--nodes"}, "--nodes needs a value"),
        new Bad("a stray argument", new String[] {"--nodes", "a:1", "extra"}, "unexpected argument 'extra'"),
        new Bad("clients not a number", new String[] {"--nodes", "a:1", "--clients", "many"},
            "--clients needs a whole number"),
        new Bad("zero clients", new String[] {"--nodes", "a:1", "--clients", "0"}, "clients must be 1..1024"),
        new Bad("a bad duration", new String[] {"--nodes", "a:1", "--duration", "soon"},
            "--duration needs a duration"),
        new Bad("a zero duration", new String[] {"--nodes", "a:1", "--duration", "0s"}, "duration must be positive"),
        new Bad("a bad r", new String[] {"--nodes", "a:1", "--r", "most"}, "r must be a number, one, quorum or all"),
        new Bad("a timeout above the server's limit", new String[] {"--nodes", "a:1", "--timeout-ms", "60001"},
            "request timeout must be 1..60000 ms"),
        new Bad("a zero value size", new String[] {"--nodes", "a:1", "--value-size", "0"}, "value size must be"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badOptions")
  void badOptionsAreRejectedWithAReason(Bad bad) {
    CheckCommand.UsageException e = assertThrows(CheckCommand.UsageException.class,
        () -> CheckCommand.parse(bad.args()), bad.why());
    assertTrue(e.getMessage().contains(bad.message()), () -> bad.why() + ": message was " + e.getMessage());
  }

  @Test
  void badOptionsExit2WithTheUsageOnStderr() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = CheckCommand.run(new String[] {"--clients", "2"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, status, "exit status for bad options");
    String stderr = err.toString(StandardCharsets.UTF_8);
    assertTrue(stderr.contains("--nodes is required") && stderr.contains("usage: bin/ringstore check"), stderr);
    assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing on stdout");
  }

  @Test
  void durations() throws Exception {
    assertEquals(Duration.ofSeconds(60), CheckCommand.duration("--duration", "60"), "a bare number is seconds");
    assertEquals(Duration.ofSeconds(60), CheckCommand.duration("--duration", "60s"), "s");
    assertEquals(Duration.ofMillis(1500), CheckCommand.duration("--duration", "1500ms"), "ms");
    assertEquals(Duration.ofMinutes(2), CheckCommand.duration("--duration", "2m"), "m");
    assertEquals(Duration.ofHours(1), CheckCommand.duration("--duration", "1h"), "h");
  }
}
