package io.ringstore.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.http.KeyPath;
import io.ringstore.storage.Sibling;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The HTTP client's mapping of a node's answers to the member client's results ({@link
 * HttpAnswers}), its key encoding against the node's own decoder ({@link KeyPath}), and its reading
 * of {@code GET /settings}. Pure.
 */
class HttpAnswersTest {
  private static final String URL = "http://127.0.0.1:1";

  private static HttpAnswers.Answer answer(int status, String body, String... headers) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      map.put(headers[i], List.of(headers[i + 1]));
    }
    return new HttpAnswers.Answer(
        status, HttpHeaders.of(map, (k, v) -> true), body.getBytes(StandardCharsets.UTF_8), URL);
  }

  @Test
  void aValueIsFoundWithItsContentTypeContextAndReplicas() {
    ReadResult result =
        HttpAnswers.read(
            answer(
                200,
                "hello",
                "Content-Type",
                "text/plain; charset=UTF-8",
                "X-Causal-Context",
                "ctx",
                "X-Ringstore-Replicas",
                "a:1,b:2"),
            2);
    ReadResult.Found found = assertInstanceOf(ReadResult.Found.class, result);
    assertEquals(
        List.of(Sibling.value(bytes("hello"), "text/plain; charset=UTF-8")),
        found.values(),
        "one value with the response's content type");
    assertEquals("ctx", found.context(), "the context header");
    assertEquals(List.of("a:1", "b:2"), found.replicas(), "the nodes that answered");
  }

  @Test
  void siblingsComeFromTheJsonBody() {
    Base64.Encoder b64 = Base64.getEncoder();
    String body =
        "{\"context\":\"ctx\",\"siblings\":[{\"value\":\""
            + b64.encodeToString(bytes("left"))
            + "\",\"contentType\":\"text/plain\"},{\"value\":\""
            + b64.encodeToString(new byte[] {0, -1, 2})
            + "\",\"contentType\":\"application/octet-stream\"}]}";
    ReadResult.Found found =
        assertInstanceOf(
            ReadResult.Found.class,
            HttpAnswers.read(answer(300, body, "X-Causal-Context", "ctx"), 1));
    assertTrue(found.hasSiblings(), "two siblings");
    assertEquals(Sibling.value(bytes("left"), "text/plain"), found.values().get(0));
    assertArrayEquals(new byte[] {0, -1, 2}, found.values().get(1).data(), "binary sibling");
    assertFalse(found.values().get(1).tombstone(), "a listed sibling is a value");
    assertEquals("ctx", found.context());
  }

  @Test
  void notFoundKeepsTheTombstonesContextButAMissingRouteIsAnError() {
    ReadResult.NotFound absent =
        assertInstanceOf(
            ReadResult.NotFound.class,
            HttpAnswers.read(
                answer(404, "{\"error\":\"not_found\",\"message\":\"x\"}", "X-Causal-Context", "t"),
                1));
    assertEquals("t", absent.context(), "the tombstone's context");
    assertNull(
        assertInstanceOf(
                ReadResult.NotFound.class,
                HttpAnswers.read(answer(404, "{\"error\":\"not_found\",\"message\":\"x\"}"), 1))
            .context(),
        "no tombstone known");
    HttpStatusException noRoute =
        assertThrows(
            HttpStatusException.class,
            () -> HttpAnswers.read(answer(404, "{\"error\":\"no_route\",\"message\":\"m\"}"), 1),
            "a 404 that is not a key's is not NotFound");
    assertEquals(404, noRoute.status());
  }

  @Test
  void aWriteCarriesItsContextReplicasHintsAndQuorumMode() {
    WriteResult.Written written =
        assertInstanceOf(
            WriteResult.Written.class,
            HttpAnswers.write(
                answer(
                    204,
                    "",
                    "X-Causal-Context",
                    "c2",
                    "X-Ringstore-Replicas",
                    "a:1",
                    "X-Ringstore-Hints",
                    "c:3 for 4:1",
                    "X-Ringstore-Quorum",
                    "sloppy"),
                2));
    assertEquals(
        new WriteResult.Written("c2", List.of("a:1"), List.of("c:3 for 4:1"), true), written);
    assertEquals(
        new WriteResult.Written("c3", List.of(), List.of(), false),
        HttpAnswers.write(answer(204, "", "X-Causal-Context", "c3"), 2),
        "without the X-Ringstore headers: empty lists, strict");
  }

  @Test
  void unavailableCountsComeFromTheBodyOrAreZero() {
    Outcome.Unavailable counted =
        assertInstanceOf(
            Outcome.Unavailable.class,
            HttpAnswers.write(
                answer(
                    503,
                    "{\"error\":\"unavailable\",\"message\":\"1 of 2\",\"acks\":1,\"required\":2,"
                        + "\"replicas\":3,\"nodes\":[\"a:1\"]}"),
                9));
    assertEquals(1, counted.acks(), "acks");
    assertEquals(2, counted.required(), "required from the body");
    assertEquals(3, counted.replicas(), "replicas");
    assertEquals(List.of("a:1"), counted.nodes(), "nodes");
    assertTrue(counted.reason().contains("1 of 2"), counted.reason());
    Outcome.Unavailable notReady =
        assertInstanceOf(
            Outcome.Unavailable.class,
            HttpAnswers.read(
                answer(503, "{\"error\":\"not_ready\",\"message\":\"this node is starting\"}"), 2));
    assertEquals(new Outcome.Unavailable(0, 2, 0, List.of(), notReady.reason()), notReady);
    assertTrue(notReady.reason().contains("this node is starting"), notReady.reason());
  }

  @Test
  void refusalsAreRejectedOfTheirKind() {
    Object[][] table = {
      {400, "bad_request", Outcome.Kind.BAD_REQUEST},
      {409, "too_many_siblings", Outcome.Kind.TOO_MANY_SIBLINGS},
      {413, "object_too_large", Outcome.Kind.OBJECT_TOO_LARGE},
      {413, "value_too_large", Outcome.Kind.BAD_REQUEST},
    };
    for (Object[] row : table) {
      String body = "{\"error\":\"" + row[1] + "\",\"message\":\"why " + row[1] + "\"}";
      Outcome.Rejected rejected =
          assertInstanceOf(
              Outcome.Rejected.class, HttpAnswers.write(answer((int) row[0], body), 1), body);
      assertEquals(row[2], rejected.kind(), row[0] + " " + row[1]);
      assertEquals("why " + row[1], rejected.reason(), "the node's message");
    }
  }

  @Test
  void otherStatusesAreExceptionsNamingStatusUrlAndRequestId() {
    for (int status : new int[] {401, 403, 421, 500}) {
      HttpStatusException e =
          assertThrows(
              HttpStatusException.class,
              () ->
                  HttpAnswers.write(
                      answer(
                          status,
                          "{\"error\":\"e" + status + "\",\"message\":\"m\"}",
                          "X-Request-Id",
                          "id-" + status),
                      1),
              "status " + status);
      assertEquals(status, e.status());
      assertEquals("id-" + status, e.requestId());
      assertTrue(
          e.getMessage().contains(Integer.toString(status))
              && e.getMessage().contains(URL)
              && e.getMessage().contains("id-" + status)
              && e.getMessage().contains("e" + status),
          e.getMessage());
    }
  }

  @Test
  void keysEncodeToOnePathSegmentTheNodeDecodesBack() {
    List<String> keys =
        List.of(
            "plain",
            "a/b/c",
            "/leading",
            "with space",
            "100%",
            "%41",
            "+plus",
            "q?x=1#f",
            ".",
            "..",
            "ключ/ü",
            "emoji \uD83D\uDE00",
            "tab\tand\nnewline",
            "semi;colon,comma=eq&amp");
    for (String key : keys) {
      String segment = HttpStoreClient.encodeKey(key);
      assertTrue(
          segment.chars().allMatch(c -> c < 0x80 && "/?#. %+;".indexOf(c) < 0 || c == '%'),
          "only unreserved ASCII and escapes: " + segment);
      assertFalse(segment.contains("/"), "one segment: " + segment);
      assertEquals(key, KeyPath.decode(segment), "round trip of " + key);
    }
  }

  @Test
  void settingsAreReadWithTheirLimits() {
    HttpAnswers.NodeSettings settings = HttpAnswers.settings(bytes(FakeHttpNode.SETTINGS));
    assertEquals(new Replication(3, 2, 2, 2000), settings.replication());
    assertEquals(64, settings.partitions());
    RequestValidation validation = new RequestValidation(settings.limits());
    assertThrows(
        IllegalArgumentException.class,
        () -> validation.put("k", new byte[1025], "text/plain", null, WriteOptions.DEFAULT),
        "maxValueBytes 1024");
    validation.put("k", new byte[1024], "text/plain", null, WriteOptions.DEFAULT);
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> HttpAnswers.settings(bytes("{\"n\":3,\"r\":2}")),
            "fields missing");
    assertTrue(missing.getMessage().contains("timeoutMs"), missing.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> HttpAnswers.settings(bytes("<html>")), "not JSON");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
