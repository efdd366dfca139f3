package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.testing.HttpTestNode;
import io.ringstore.testing.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.pekko.http.javadsl.model.Uri;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP API of DESIGN.md (the public contract) against one in-JVM node with N = R = W = 1,
 * called with {@link HttpClient}: reads and writes with causal contexts, siblings (invariant 3),
 * deletes, binary values under escaped UTF-8 keys, strict rejection of bad input that changes
 * nothing (invariant 5), the operations endpoints, and acknowledged writes surviving a restart
 * (invariant 1).
 */
class HttpApiTest {
  private static final String CONTEXT = "X-Causal-Context";
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration CALL = Duration.ofSeconds(30);
  private static final int MIB = 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger KEYS = new AtomicInteger();
  private static final HttpClient HTTP = HttpTestNode.client();

  @RegisterExtension static final HttpTestNode NODE = HttpTestNode.joined();

  // ---------------------------------------------------------------- reads and writes

  @Test
  void putThenGetReturnsExactBytesContentTypeAndContext() {
    String key = newKey("put-get");
    byte[] value = "hello, ringstore".getBytes(StandardCharsets.UTF_8);

    Response put = put(key, value, "text/plain; charset=UTF-8", null, "");
    assertEquals(204, put.status, "PUT of a new key: " + put);
    assertTrue(
        put.header(CONTEXT).filter(c -> !c.isBlank()).isPresent(),
        "PUT answers with a non-empty X-Causal-Context: " + put);

    Response get = get(key, "");
    assertEquals(200, get.status, "GET of a written key: " + get);
    assertArrayEquals(value, get.body, "GET returns exactly the bytes written");
    assertEquals(
        "text/plain; charset=UTF-8",
        get.header("Content-Type").orElse(null),
        "GET returns the stored Content-Type");
    assertTrue(
        get.header(CONTEXT).filter(c -> !c.isBlank()).isPresent(),
        "GET 200 carries X-Causal-Context: " + get);
  }

  @Test
  void contentTypeIsStoredPerValue() {
    String key = newKey("content-type");
    assertEquals(
        204,
        put(key, bytes("{\"a\":1}"), "application/json", null, "").status,
        "PUT application/json");
    Response get = get(key, "");
    assertEquals(200, get.status, "GET: " + get);
    assertEquals(
        "application/json",
        get.header("Content-Type").orElse(null),
        "GET returns the stored application/json Content-Type");
  }

  @Test
  void writeWithTheContextOfAReadReplacesTheValue() {
    String key = newKey("replace");
    assertEquals(204, put(key, bytes("v1"), "text/plain", null, "").status, "first PUT");
    Response read = get(key, "");
    assertEquals(200, read.status, "read before the update: " + read);
    String context = read.header(CONTEXT).orElseThrow();

    Response update = put(key, bytes("v2"), "text/plain", context, "");
    assertEquals(204, update.status, "PUT with the read's context: " + update);
    assertNotEquals(
        context, update.header(CONTEXT).orElse(null), "the new write returns a new, later context");

    Response after = get(key, "");
    assertEquals(200, after.status, "a write with the read's context leaves one value: " + after);
    assertEquals("v2", after.text(), "the write with the read's context replaced v1");
  }

  @Test
  void twoWritesWithoutContextBecomeSiblingsAndAWriteWithTheirContextResolvesThem()
      throws IOException {
    String key = newKey("siblings-blind");
    assertEquals(204, put(key, bytes("left"), "text/plain", null, "").status, "first blind PUT");
    assertEquals(
        204, put(key, bytes("right"), "application/x-right", null, "").status, "second blind PUT");

    Response get = get(key, "");
    Map<String, String> siblings = assertSiblings(get);
    assertEquals(
        Map.of("left", "text/plain", "right", "application/x-right"),
        siblings,
        "both concurrent values are kept as siblings, each with its own content type");

    String context = get.header(CONTEXT).orElseThrow();
    assertEquals(
        204,
        put(key, bytes("merged"), "text/plain", context, "").status,
        "PUT with the siblings' context");
    Response resolved = get(key, "");
    assertEquals(200, resolved.status, "a write covering both siblings resolves them: " + resolved);
    assertEquals("merged", resolved.text(), "the resolving value is the only one left");
  }

  @Test
  void twoWritesWithTheSameOldContextBecomeSiblings() throws IOException {
    String key = newKey("siblings-same-context");
    assertEquals(204, put(key, bytes("base"), "text/plain", null, "").status, "base PUT");
    String old = get(key, "").header(CONTEXT).orElseThrow();

    assertEquals(
        204, put(key, bytes("a"), "text/plain", old, "").status, "PUT a with the old context");
    assertEquals(
        204, put(key, bytes("b"), "text/plain", old, "").status, "PUT b with the old context");

    Response get = get(key, "");
    Map<String, String> siblings = assertSiblings(get);
    assertEquals(
        Set.of("a", "b"),
        siblings.keySet(),
        "both writes descend from 'base' (which they replace) and are concurrent with each other");

    assertEquals(
        204,
        put(key, bytes("c"), "text/plain", get.header(CONTEXT).orElseThrow(), "").status,
        "PUT with the siblings' context");
    Response resolved = get(key, "");
    assertEquals(200, resolved.status, "resolved to one value: " + resolved);
    assertEquals("c", resolved.text(), "the resolving value");
  }

  @Test
  void aWriteWithoutContextNeverSilentlyReplacesAnExistingValue() throws IOException {
    String key = newKey("no-silent-replace");
    assertEquals(204, put(key, bytes("existing"), "text/plain", null, "").status, "first PUT");
    Response first = get(key, "");
    assertEquals(200, first.status, "one value after the first PUT: " + first);

    assertEquals(204, put(key, bytes("blind"), "text/plain", null, "").status, "blind PUT");
    Map<String, String> two = assertSiblings(get(key, ""));
    assertEquals(
        Set.of("existing", "blind"),
        two.keySet(),
        "a write without context is added beside the existing value, never over it");

    assertEquals(
        204, put(key, bytes("blind again"), "text/plain", null, "").status, "second blind PUT");
    Map<String, String> three = assertSiblings(get(key, ""));
    assertEquals(
        Set.of("existing", "blind", "blind again"),
        three.keySet(),
        "a second write without context keeps every earlier sibling");
  }

  // ---------------------------------------------------------------- deletes

  @Test
  void deleteWithContextThenGetIs404WithTombstoneContextAndPutWorksAgain() throws IOException {
    String key = newKey("delete-context");
    assertEquals(204, put(key, bytes("doomed"), "text/plain", null, "").status, "PUT");
    String context = get(key, "").header(CONTEXT).orElseThrow();

    Response delete = send("DELETE", "/kv/" + key, null, null, Map.of(CONTEXT, context));
    assertEquals(204, delete.status, "DELETE with context: " + delete);

    Response gone = get(key, "");
    assertNotFound(gone, "GET after DELETE with context");
    String tombstone = gone.header(CONTEXT).orElse(null);
    assertNotNull(tombstone, "404 of a deleted key carries the tombstone's X-Causal-Context");

    assertEquals(
        204,
        put(key, bytes("reborn"), "text/plain", tombstone, "").status,
        "PUT with the tombstone's context after DELETE");
    Response back = get(key, "");
    assertEquals(200, back.status, "a PUT after DELETE is readable: " + back);
    assertEquals("reborn", back.text(), "the value written after the delete");
  }

  @Test
  void deleteWithoutContextThenGetIs404AndPutWorksAgain() throws IOException {
    String key = newKey("delete-blind");
    assertEquals(204, put(key, bytes("doomed"), "text/plain", null, "").status, "PUT");

    Response delete = send("DELETE", "/kv/" + key, null, null, Map.of());
    assertEquals(204, delete.status, "DELETE without context: " + delete);

    Response gone = get(key, "");
    assertNotFound(gone, "GET after DELETE without context");
    assertTrue(
        gone.header(CONTEXT).isPresent(),
        "404 of a deleted key carries X-Causal-Context (a tombstone is known): " + gone);

    assertEquals(
        204,
        put(key, bytes("reborn"), "text/plain", null, "").status,
        "PUT without context after DELETE");
    Response back = get(key, "");
    assertEquals(200, back.status, "a PUT after DELETE is readable as one value: " + back);
    assertEquals("reborn", back.text(), "the value written after the delete");
  }

  @Test
  void getOfANeverWrittenKeyIs404WithoutContext() throws IOException {
    Response get = get(newKey("absent"), "");
    assertNotFound(get, "GET of a key never written");
    assertFalse(
        get.header(CONTEXT).isPresent(),
        "no X-Causal-Context when nothing at all is known of the key: " + get);
  }

  // ---------------------------------------------------------------- binary values and escaped keys

  static Stream<Arguments> escapedKeys() {
    return Stream.of(
        Arguments.of("k%C3%A9y", "k\u00e9y"),
        Arguments.of("a%2Fb/c", "a/b/c"),
        Arguments.of("%E2%9C%93%20space%20x", "\u2713 space x"),
        Arguments.of("+plus", "+plus"),
        Arguments.of("100%25", "100%"),
        Arguments.of("%2541", "%41"),
        Arguments.of("a%3Fb%23c", "a?b#c"),
        Arguments.of("%F0%9F%98%80", "\uD83D\uDE00"),
        Arguments.of("%EF%BF%BD", "\uFFFD"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("escapedKeys")
  void binaryValuesRoundTripUnderEscapedUtf8Keys(String escaped, String decoded)
      throws IOException {
    String path = escaped + "-" + KEYS.incrementAndGet();
    String key = decoded + "-" + KEYS.get();
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }

    Response put = put(path, all, "application/octet-stream", null, "");
    assertEquals(204, put.status, "PUT of all 256 byte values under " + escaped + ": " + put);
    Response get = get(path, "");
    assertEquals(200, get.status, "GET under " + escaped + ": " + get);
    assertArrayEquals(all, get.body, "all 256 byte values round-trip exactly under " + escaped);

    Response replicas = send("GET", "/admin/replicas/" + path, null, null, Map.of());
    assertEquals(200, replicas.status, "/admin/replicas under " + escaped + ": " + replicas);
    JsonNode body = replicas.json();
    assertEquals(
        key,
        body.path("key").asText(null),
        "/admin/replicas reports the key decoded from " + escaped);
    assertEquals(
        List.of(Base64.getEncoder().encodeToString(all)),
        texts(body.path("replicas").path(0).path("values")),
        "/admin/replicas shows the stored value under " + escaped);

    String emptyPath = path + "-empty";
    assertEquals(
        204,
        put(emptyPath, new byte[0], "application/octet-stream", null, "").status,
        "PUT of an empty value under " + escaped);
    Response empty = get(emptyPath, "");
    assertEquals(200, empty.status, "an empty value is a value (200), not absent: " + empty);
    assertEquals(0, empty.body.length, "the empty value round-trips as zero bytes");
  }

  /**
   * Why the gateway reads keys from the raw request target: Pekko's {@code Uri.path()} is neither
   * raw nor decoded but decoded-then-re-encoded. %2F and %25 survive, but invalid UTF-8 has been
   * replaced by U+FFFD, so distinct bad keys would collapse into one guessed key.
   */
  @Test
  void pekkoParsedPathIsReencodedWithInvalidUtf8Replaced() {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("/kv/a%2Fb/c", "/kv/a%2Fb/c");
    cases.put("/kv/100%25", "/kv/100%25");
    cases.put("/kv/k%C3%A9y", "/kv/k%C3%A9y");
    cases.put("/kv/%41b", "/kv/Ab");
    cases.put("/kv/a%3Bb", "/kv/a;b");
    cases.put("/kv/bad%C3%28", "/kv/bad%EF%BF%BD(");
    cases.put("/kv/bad%FF%28", "/kv/bad%EF%BF%BD(");
    cases.forEach(
        (raw, parsed) ->
            assertEquals(
                parsed, Uri.create("http://h" + raw).path(), "Pekko's parsed path of " + raw));
  }

  @Test
  void distinctInvalidUtf8KeysDoNotCollapseIntoOneKey() throws IOException {
    String n = "-" + KEYS.incrementAndGet();
    assertJsonError(
        send("PUT", "/kv/bad%FF%28" + n, bytes("one"), "text/plain", Map.of()),
        400,
        "PUT under bad%FF(");
    assertJsonError(
        send("GET", "/kv/bad%C3%28" + n, null, null, Map.of()),
        400,
        "GET under bad%C3( must not read what was sent to bad%FF(");
  }

  @Test
  void anAbsoluteFormRequestTargetNamesTheSameKey() throws IOException {
    String key = newKey("absolute-form");
    assertEquals(204, put("k%C3%A9y-" + key, bytes("abs"), "text/plain", null, "").status, "PUT");
    Response get =
        raw(
            "GET",
            "http://127.0.0.1:" + NODE.port() + "/kv/k%C3%A9y-" + key + "?r=1",
            null,
            null,
            Map.of());
    assertEquals(200, get.status, "GET with an absolute-form target: " + get);
    assertEquals("abs", get.text(), "the absolute-form target names the same key");
  }

  @Test
  void anEncodedAndARawSlashNameTheSameKey() {
    String n = "slash-" + KEYS.incrementAndGet();
    assertEquals(
        204,
        put("x%2F" + n, bytes("slashed"), "text/plain", null, "").status,
        "PUT under an encoded slash");
    Response get = get("x/" + n, "");
    assertEquals(200, get.status, "GET under the raw slash: " + get);
    assertEquals("slashed", get.text(), "'x%2F…' and 'x/…' are the same key 'x/…'");
  }

  // ---------------------------------------------------------------- bad input

  /**
   * A bad request against an existing key: (name, method, path-and-query after /kv/KEY, header,
   * body).
   */
  static Stream<Arguments> badRequestsOnAnExistingKey() {
    byte[] small = bytes("intruder");
    return Stream.of(
        Arguments.of("w=0", "PUT", "?w=0", null, small, 400),
        Arguments.of("w=2 with N=1", "PUT", "?w=2", null, small, 400),
        Arguments.of("w=abc", "PUT", "?w=abc", null, small, 400),
        Arguments.of("w=-1", "PUT", "?w=-1", null, small, 400),
        Arguments.of("w empty", "PUT", "?w=", null, small, 400),
        Arguments.of("timeout=0", "PUT", "?timeout=0", null, small, 400),
        Arguments.of("timeout=-5", "PUT", "?timeout=-5", null, small, 400),
        Arguments.of("timeout=abc", "PUT", "?timeout=abc", null, small, 400),
        Arguments.of("timeout over the max", "PUT", "?timeout=60001", null, small, 400),
        Arguments.of("timeout huge", "PUT", "?timeout=99999999999999999999", null, small, 400),
        Arguments.of("garbage context", "PUT", "", "not a context!", small, 400),
        Arguments.of("base64 but not a context", "PUT", "", "Zm9vYmFy", small, 400),
        Arguments.of("empty context", "PUT", "", "", small, 400),
        Arguments.of("value over 1 MiB", "PUT", "", null, new byte[MIB + 1], 413),
        Arguments.of("DELETE w=0", "DELETE", "?w=0", null, null, 400),
        Arguments.of("DELETE w=2 with N=1", "DELETE", "?w=2", null, null, 400),
        Arguments.of("DELETE timeout=abc", "DELETE", "?timeout=abc", null, null, 400),
        Arguments.of("DELETE garbage context", "DELETE", "", "garbage!", null, 400),
        Arguments.of("DELETE empty context", "DELETE", "", "", null, 400),
        Arguments.of("GET r=7", "GET", "?r=7", null, null, 400),
        Arguments.of("GET r=0", "GET", "?r=0", null, null, 400),
        Arguments.of("GET timeout=0", "GET", "?timeout=0", null, null, 400),
        Arguments.of("GET timeout=-5", "GET", "?timeout=-5", null, null, 400),
        Arguments.of("GET timeout over the max", "GET", "?timeout=60001", null, null, 400),
        Arguments.of("POST is not a method of /kv", "POST", "", null, small, 405),
        Arguments.of("PATCH is not a method of /kv", "PATCH", "", null, small, 405));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequestsOnAnExistingKey")
  void badInputOnAnExistingKeyIsRejectedWithJsonAndChangesNothing(
      String name, String method, String suffix, String context, byte[] body, int expected)
      throws IOException {
    String key = newKey("bad");
    assertEquals(204, put(key, bytes("original"), "text/plain", null, "").status, "setup PUT");
    Response before = get(key, "");
    assertEquals(200, before.status, "setup GET: " + before);

    Map<String, String> headers = context == null ? Map.of() : Map.of(CONTEXT, context);
    Response bad = send(method, "/kv/" + key + suffix, body, "text/plain", headers);
    assertJsonError(bad, expected, name);

    Response after = get(key, "");
    assertEquals(200, after.status, name + ": the key still has exactly one value: " + after);
    assertEquals("original", after.text(), name + ": the value is unchanged");
    assertEquals(
        before.header(CONTEXT), after.header(CONTEXT), name + ": the context is unchanged");
  }

  /**
   * Requests whose key itself is bad: (name, method, raw target). Sent over a raw socket when
   * needed.
   */
  static Stream<Arguments> badKeys() {
    String tooLong = "a".repeat(1025);
    String tooLongInBytes = "a".repeat(1023) + "%C3%A9";
    return Stream.of(
        Arguments.of("empty key GET", "GET", "/kv/"),
        Arguments.of("empty key PUT", "PUT", "/kv/"),
        Arguments.of("empty key DELETE", "DELETE", "/kv/"),
        Arguments.of("key of 1025 bytes GET", "GET", "/kv/" + tooLong),
        Arguments.of("key of 1025 bytes PUT", "PUT", "/kv/" + tooLong),
        Arguments.of("key of 1025 bytes DELETE", "DELETE", "/kv/" + tooLong),
        Arguments.of("key of 1024 chars but 1025 UTF-8 bytes PUT", "PUT", "/kv/" + tooLongInBytes),
        Arguments.of("invalid percent-escape %zz PUT", "PUT", "/kv/bad%zz"),
        Arguments.of("invalid percent-escape %zz GET", "GET", "/kv/bad%zz"),
        Arguments.of("truncated percent-escape PUT", "PUT", "/kv/bad%"),
        Arguments.of("truncated percent-escape, one digit PUT", "PUT", "/kv/bad%4"),
        Arguments.of("invalid UTF-8 %C3%28 PUT", "PUT", "/kv/bad%C3%28"),
        Arguments.of("invalid UTF-8 %C3%28 GET", "GET", "/kv/bad%C3%28"),
        Arguments.of("invalid UTF-8 %FF PUT", "PUT", "/kv/bad%FF"),
        Arguments.of("overlong UTF-8 PUT", "PUT", "/kv/bad%C0%AF"),
        Arguments.of("invalid UTF-8 in /admin/replicas", "GET", "/admin/replicas/bad%C3%28"),
        Arguments.of("empty key in /admin/replicas", "GET", "/admin/replicas/"),
        Arguments.of("key of 1025 bytes in /admin/replicas", "GET", "/admin/replicas/" + tooLong));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badKeys")
  void badKeysAreRejectedWithJson400(String name, String method, String target) throws IOException {
    byte[] body = method.equals("PUT") ? bytes("intruder") : null;
    Response bad = send(method, target, body, "text/plain", Map.of());
    assertJsonError(bad, 400, name);
  }

  @Test
  void aKeyThatIsNotUtf8CreatesNothingUnderAReplacementCharacterKey() throws IOException {
    String n = "-" + KEYS.incrementAndGet();
    assertJsonError(
        send("PUT", "/kv/bad%C3%28" + n, bytes("intruder"), "text/plain", Map.of()),
        400,
        "PUT under invalid UTF-8");
    assertNotFound(
        get("bad%EF%BF%BD%28" + n, ""),
        "the invalid UTF-8 key must not have been stored as 'bad\\uFFFD(' (a guessed key)");
  }

  @Test
  void keysOfExactly1024Utf8BytesAreAccepted() {
    String ascii = "k".repeat(1019) + String.format("%05d", KEYS.incrementAndGet() % 100000);
    String multiByte =
        "m".repeat(1016)
            + String.format("%05d", KEYS.incrementAndGet() % 100000)
            + "%C3%A9"; // 1021 + 2 bytes = 1023; one more ASCII byte below makes 1024
    multiByte = "n" + multiByte;
    for (String path : List.of(ascii, multiByte)) {
      Response put = put(path, bytes("max key"), "text/plain", null, "");
      assertEquals(204, put.status, "a key of exactly 1024 UTF-8 bytes is accepted: " + put);
      Response get = get(path, "");
      assertEquals(200, get.status, "GET of a 1024-byte key: " + get);
      assertEquals("max key", get.text(), "the 1024-byte key's value");
    }
  }

  @Test
  void aValueOfExactlyOneMibIsAccepted() {
    String key = newKey("one-mib");
    byte[] value = new byte[MIB];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) (i * 31 + 7);
    }
    Response put = put(key, value, "application/octet-stream", null, "");
    assertEquals(204, put.status, "a value of exactly 1 MiB is accepted: " + put);
    Response get = get(key, "");
    assertEquals(200, get.status, "GET of the 1 MiB value: " + get);
    assertArrayEquals(value, get.body, "the 1 MiB value round-trips exactly");
  }

  @Test
  void aValueOverOneMibOnANewKeyIs413AndStoresNothing() throws IOException {
    String key = newKey("too-large");
    assertJsonError(
        put(key, new byte[MIB + 1], "application/octet-stream", null, ""),
        413,
        "PUT of 1 MiB + 1 byte");
    assertNotFound(get(key, ""), "nothing stored after a 413");
  }

  /**
   * A client that sends its whole body before reading (as curl and HttpClient do) must see the 413,
   * not a broken pipe: the node reads and drops a rejected body before answering. 8 MiB is far more
   * than loopback socket buffers hold, so a node that answered and closed early would make the
   * upload fail here every time.
   */
  @Test
  void anOversizedBodyIsReadBeforeThe413SoTheClientSeesIt() throws IOException {
    String key = newKey("eight-mib");
    Response response =
        raw("PUT", "/kv/" + key, new byte[8 * MIB], "application/octet-stream", Map.of());
    assertJsonError(response, 413, "PUT of 8 MiB sent in full before reading");
    assertNotFound(get(key, ""), "nothing stored after a 413");
  }

  @Test
  void aRejectedPutKeepsTheConnectionOpenForTheNextRequest() throws IOException {
    String key = newKey("keep-alive");
    try (Socket socket = new Socket("127.0.0.1", NODE.port())) {
      socket.setSoTimeout((int) CALL.toMillis());
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      byte[] big = new byte[2 * MIB];
      out.write(
          ("PUT /kv/"
                  + key
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                  + big.length
                  + "\r\nContent-Type: application/octet-stream\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.write(big);
      out.flush();
      assertEquals(413, readStatusAndBody(in), "the oversized PUT is answered 413");
      out.write(
          ("GET /kv/" + key + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      assertEquals(
          404,
          readStatusAndBody(in),
          "the same connection answers the next request (nothing was stored)");
    }
  }

  /** Reads one response with a Content-Length body from a kept-alive connection; its status. */
  private static int readStatusAndBody(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("the connection closed before a full response head: " + head);
      }
      head.write(b);
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    int length = 0;
    for (String line : lines) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    in.readNBytes(length);
    return Integer.parseInt(lines[0].split(" ")[1]);
  }

  @Test
  void validQuorumAndTimeoutParametersAreAccepted() {
    String key = newKey("params");
    for (String query :
        List.of(
            "?w=1",
            "?w=one",
            "?w=quorum",
            "?w=all",
            "?w=ALL",
            "?timeout=1000",
            "?timeout=60000",
            "?w=1&timeout=500")) {
      Response put =
          put(
              key + "-" + query.replaceAll("[^a-zA-Z0-9]", "_"),
              bytes("ok"),
              "text/plain",
              null,
              query);
      assertEquals(204, put.status, "PUT" + query + " is valid with N=1: " + put);
    }
    assertEquals(204, put(key, bytes("ok"), "text/plain", null, "").status, "PUT");
    for (String query : List.of("?r=1", "?r=one", "?r=quorum", "?r=all", "?timeout=60000")) {
      Response get = get(key, query);
      assertEquals(200, get.status, "GET" + query + " is valid with N=1: " + get);
      assertEquals("ok", get.text(), "GET" + query + " value");
    }
  }

  @Test
  void unknownRoutesAre404WithJson() throws IOException {
    for (String target : List.of("/nope", "/kv", "/admin/nope", "/health/nope", "/kvx/a")) {
      assertJsonError(send("GET", target, null, null, Map.of()), 404, "GET " + target);
    }
    Response post = send("POST", "/nope", bytes("x"), "text/plain", Map.of());
    assertTrue(post.status == 404 || post.status == 405, "POST /nope is a 404 or 405: " + post);
    assertJsonError(post, post.status, "POST /nope");
    assertJsonError(send("DELETE", "/admin/ring", null, null, Map.of()), 405, "DELETE /admin/ring");
  }

  // ---------------------------------------------------------------- operations endpoints

  @Test
  void adminClusterListsThisNodeUpReachableWithTheDataRole() throws IOException {
    Response response = send("GET", "/admin/cluster", null, null, Map.of());
    assertEquals(200, response.status, "/admin/cluster: " + response);
    assertJsonContentType(response, "/admin/cluster");
    JsonNode body = response.json();
    assertEquals(
        NODE.node().name(), body.path("self").asText(null), "self is this node's host:port");
    JsonNode members = body.path("members");
    assertEquals(1, members.size(), "one member: " + body);
    JsonNode member = members.get(0);
    assertEquals(NODE.node().name(), member.path("node").asText(null), "the member is this node");
    assertEquals("Up", member.path("status").asText(null), "the member is Up");
    assertTrue(
        member.path("reachable").isBoolean() && member.path("reachable").asBoolean(),
        "the member is reachable: " + member);
    assertTrue(member.path("roles").isArray(), "roles is an array: " + member);
    assertTrue(texts(member.path("roles")).contains("data"), "roles contain 'data': " + member);
  }

  @Test
  void adminRingHas64PartitionsEachOnThisNodeWithoutFallbacks() throws IOException {
    Response response = send("GET", "/admin/ring", null, null, Map.of());
    assertEquals(200, response.status, "/admin/ring: " + response);
    assertJsonContentType(response, "/admin/ring");
    JsonNode body = response.json();
    assertEquals(64, body.path("partitionCount").asInt(-1), "partitionCount");
    assertEquals(1, body.path("replicationFactor").asInt(-1), "replicationFactor");
    JsonNode partitions = body.path("partitions");
    assertEquals(64, partitions.size(), "one entry per partition");
    for (int p = 0; p < 64; p++) {
      JsonNode partition = partitions.get(p);
      assertEquals(p, partition.path("partition").asInt(-1), "partition " + p + " in order");
      assertEquals(
          List.of(NODE.node().name()),
          texts(partition.path("replicas")),
          "partition " + p + " has this node as its only replica");
      assertTrue(
          partition.path("fallbacks").isArray() && partition.path("fallbacks").isEmpty(),
          "partition " + p + " has no fallbacks in a one-node cluster: " + partition);
    }
  }

  @Test
  void adminReplicasShowsTheStoredStateOfAKey() throws IOException {
    String key = newKey("admin-replicas");
    assertEquals(204, put(key, bytes("shown"), "text/plain", null, "").status, "PUT");
    String context = get(key, "").header(CONTEXT).orElseThrow();

    Response response = send("GET", "/admin/replicas/" + key, null, null, Map.of());
    assertEquals(200, response.status, "/admin/replicas: " + response);
    assertJsonContentType(response, "/admin/replicas");
    JsonNode body = response.json();
    assertEquals(key, body.path("key").asText(null), "key");
    int partition = body.path("partition").asInt(-1);
    assertTrue(partition >= 0 && partition < 64, "partition in 0..63: " + body);
    JsonNode replicas = body.path("replicas");
    assertEquals(1, replicas.size(), "N=1 replica: " + body);
    JsonNode replica = replicas.get(0);
    assertEquals(NODE.node().name(), replica.path("node").asText(null), "the replica's node");
    assertTrue(replica.path("found").asBoolean(false), "found: " + replica);
    assertEquals(
        List.of(Base64.getEncoder().encodeToString(bytes("shown"))),
        texts(replica.path("values")),
        "values are the stored bytes in base64");
    assertTrue(
        replica.path("tombstone").isBoolean() && !replica.path("tombstone").asBoolean(),
        "no tombstone: " + replica);
    assertEquals(
        context,
        replica.path("context").asText(null),
        "the replica's context is the one a read returns (N=1)");

    Response deleted = send("DELETE", "/kv/" + key, null, null, Map.of(CONTEXT, context));
    assertEquals(204, deleted.status, "DELETE: " + deleted);
    JsonNode afterDelete =
        send("GET", "/admin/replicas/" + key, null, null, Map.of()).json().path("replicas").get(0);
    assertFalse(
        afterDelete.path("found").asBoolean(true), "not found after delete: " + afterDelete);
    assertTrue(
        afterDelete.path("tombstone").asBoolean(false), "tombstone after delete: " + afterDelete);
    assertTrue(
        afterDelete.path("values").isArray() && afterDelete.path("values").isEmpty(),
        "no values after delete: " + afterDelete);
  }

  @Test
  void healthEndpointsAre200() throws IOException {
    for (String target : List.of("/health/alive", "/health/ready")) {
      Response response = send("GET", target, null, null, Map.of());
      assertEquals(200, response.status, target + ": " + response);
      assertJsonContentType(response, target);
      assertEquals(
          NODE.node().name(),
          response.json().path("self").asText(null),
          target + " names this node");
    }
  }

  // ---------------------------------------------------------------- restart

  @Test
  void acknowledgedWritesSurviveARestartOnTheSameDataDirectory(@TempDir Path restartDir) {
    Map<String, byte[]> written = new LinkedHashMap<>();
    try (TestNode first = TestNode.start(restartDir, 1, 1, 1).joinSelf()) {
      int firstPort = first.awaitReady(START);
      for (int i = 0; i < 50; i++) {
        String key = "durable-" + i;
        byte[] value = ("value " + i + " \u00e9").getBytes(StandardCharsets.UTF_8);
        Response put = call(firstPort, "PUT", "/kv/" + key, value, "text/plain", Map.of());
        assertEquals(204, put.status, "acknowledged PUT of " + key + ": " + put);
        written.put(key, value);
      }
    }
    try (TestNode second = TestNode.start(restartDir, 1, 1, 1).joinSelf()) {
      int secondPort = second.awaitReady(START);
      for (Map.Entry<String, byte[]> e : written.entrySet()) {
        Response get = call(secondPort, "GET", "/kv/" + e.getKey(), null, null, Map.of());
        assertEquals(200, get.status, e.getKey() + " survives the restart: " + get);
        assertArrayEquals(e.getValue(), get.body, e.getKey() + " has its value after the restart");
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private static String newKey(String name) {
    return name + "-" + KEYS.incrementAndGet();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Response put(
      String path, byte[] value, String type, String context, String query) {
    Map<String, String> headers = context == null ? Map.of() : Map.of(CONTEXT, context);
    return call(NODE.port(), "PUT", "/kv/" + path + query, value, type, headers);
  }

  private static Response get(String path, String query) {
    return call(NODE.port(), "GET", "/kv/" + path + query, null, null, Map.of());
  }

  /**
   * Sends with HttpClient, or over a raw socket when java.net.URI refuses the (malformed) target.
   */
  private static Response send(
      String method, String target, byte[] body, String type, Map<String, String> headers)
      throws IOException {
    URI uri;
    try {
      uri = new URI("http://127.0.0.1:" + NODE.port() + target);
    } catch (URISyntaxException e) {
      return raw(method, target, body, type, headers);
    }
    return call(uri, method, body, type, headers);
  }

  private static Response call(
      int port,
      String method,
      String target,
      byte[] body,
      String type,
      Map<String, String> headers) {
    return call(URI.create("http://127.0.0.1:" + port + target), method, body, type, headers);
  }

  private static Response call(
      URI uri, String method, byte[] body, String type, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(CALL)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (type != null && body != null) {
      request.header("Content-Type", type);
    }
    headers.forEach(request::header);
    try {
      HttpResponse<byte[]> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      Map<String, String> h = new LinkedHashMap<>();
      response.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v.get(0)));
      return new Response(response.statusCode(), h, response.body());
    } catch (IOException e) {
      throw new AssertionError(method + " " + uri + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(method + " " + uri + " interrupted", e);
    }
  }

  /** A minimal HTTP/1.1 exchange for request targets HttpClient cannot express. */
  private static Response raw(
      String method, String target, byte[] body, String type, Map<String, String> headers)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", NODE.port())) {
      socket.setSoTimeout((int) CALL.toMillis());
      StringBuilder head =
          new StringBuilder()
              .append(method)
              .append(' ')
              .append(target)
              .append(" HTTP/1.1\r\n")
              .append("Host: 127.0.0.1:")
              .append(NODE.port())
              .append("\r\n")
              .append("Connection: close\r\n");
      if (body != null) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
        if (type != null) {
          head.append("Content-Type: ").append(type).append("\r\n");
        }
      }
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] all = in.readAllBytes();
      int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      if (split < 0) {
        throw new AssertionError("no HTTP response head for " + method + " " + target);
      }
      String[] lines = new String(all, 0, split, StandardCharsets.ISO_8859_1).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> h = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        h.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
      byte[] rest = Arrays.copyOfRange(all, split + 4, all.length);
      int length = Integer.parseInt(h.getOrDefault("content-length", String.valueOf(rest.length)));
      return new Response(status, h, Arrays.copyOf(rest, Math.min(length, rest.length)));
    }
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Asserts a 300 with the contract's JSON; returns each sibling's value (as text) → content type.
   */
  private static Map<String, String> assertSiblings(Response response) throws IOException {
    assertEquals(300, response.status, "siblings answer 300 Multiple Choices: " + response);
    assertJsonContentType(response, "300 siblings");
    JsonNode body = response.json();
    String context = body.path("context").asText(null);
    assertNotNull(context, "the 300 body has a context: " + body);
    assertEquals(
        context,
        response.header(CONTEXT).orElse(null),
        "the X-Causal-Context header equals the body's context");
    JsonNode siblings = body.path("siblings");
    assertTrue(siblings.isArray() && siblings.size() >= 2, "at least two siblings: " + body);
    Map<String, String> values = new LinkedHashMap<>();
    for (JsonNode sibling : siblings) {
      String value =
          new String(
              Base64.getDecoder().decode(sibling.path("value").asText()), StandardCharsets.UTF_8);
      assertTrue(
          sibling.path("contentType").isTextual(), "each sibling has a contentType: " + sibling);
      assertNull(
          values.put(value, sibling.path("contentType").asText()),
          "sibling values are distinct: " + body);
    }
    return values;
  }

  private static void assertNull(Object o, String message) {
    Assertions.assertNull(o, message);
  }

  private static void assertNotFound(Response response, String what) throws IOException {
    assertJsonError(response, 404, what);
  }

  private static void assertJsonError(Response response, int expected, String what)
      throws IOException {
    assertTrue(response.status < 500, what + ": never a 5xx: " + response);
    assertEquals(expected, response.status, what + ": status: " + response);
    assertJsonContentType(response, what);
    JsonNode body = response.json();
    assertTrue(
        body.path("error").isTextual(), what + ": the JSON body names the error: " + response);
    assertTrue(
        body.path("message").isTextual(), what + ": the JSON body has a message: " + response);
  }

  private static void assertJsonContentType(Response response, String what) {
    assertTrue(
        response.header("Content-Type").orElse("").startsWith("application/json"),
        what + ": the body is JSON: " + response);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private record Response(int status, Map<String, String> headers, byte[] body) {
    Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }

    @Override
    public String toString() {
      String shown =
          body.length > 300 ? new String(body, 0, 300, StandardCharsets.UTF_8) + "…" : text();
      return status + " " + headers + " " + shown;
    }
  }
}
