package io.ringstore.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.config.RingstoreSettings.ReplicationSettings;
import io.ringstore.config.RingstoreSettings.RequestSettings;
import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.RequestLimits;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.storage.Sibling;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Turns a node's HTTP answers (DESIGN.md's HTTP API, {@code http.KvResponses}) back into the
 * results the member client gives, for {@link HttpStoreClient}: {@code 200} a {@link
 * ReadResult.Found} of one value with the response's content type, {@code 300} a {@code Found} of
 * the JSON body's siblings, {@code 404 not_found} a {@link ReadResult.NotFound}, {@code 204} a
 * {@link WriteResult.Written}, {@code 503} an {@link Outcome.Unavailable} (acks, required, replicas
 * and nodes from the body; a {@code 503} without them, such as {@code not_ready} or {@code
 * overloaded}, counts 0 of the request's R or W), {@code 400} a {@link Outcome.Rejected} {@code
 * BAD_REQUEST}, {@code 409} {@code TOO_MANY_SIBLINGS}, {@code 413 object_too_large} {@code
 * OBJECT_TOO_LARGE} ({@code 413 value_too_large}, a value over the node's limit, is {@code
 * BAD_REQUEST}: the input the member client refuses with an exception). Replicas, hints and quorum
 * mode come from the {@code X-Ringstore-*} headers. Any other status is an {@link
 * HttpStatusException}. Also reads {@code GET /settings}. Pure.
 */
final class HttpAnswers {
  static final String CONTEXT_HEADER = "X-Causal-Context";
  static final String REQUEST_ID_HEADER = "X-Request-Id";
  private static final String REPLICAS_HEADER = "X-Ringstore-Replicas";
  private static final String HINTS_HEADER = "X-Ringstore-Hints";
  private static final String QUORUM_HEADER = "X-Ringstore-Quorum";
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpAnswers() {}

  /** What {@code GET /settings} says: the cluster's replication and the limits of a request. */
  record NodeSettings(Replication replication, int partitions, RequestLimits limits) {}

  /** One answer: its status, headers and body, and the URL it came from (for messages). */
  @SuppressWarnings("ArrayRecordComponent") // carries the array as it is, never compared
  record Answer(int status, HttpHeaders headers, byte[] body, String url) {
    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  /** The result of a read whose R was {@code required}. */
  static ReadResult read(Answer answer, int required) {
    return switch (answer.status()) {
      case 200 ->
          new ReadResult.Found(
              List.of(
                  Sibling.value(
                      answer.body(),
                      answer
                          .headers()
                          .firstValue("Content-Type")
                          .orElse(Sibling.DEFAULT_CONTENT_TYPE))),
              answer.header(CONTEXT_HEADER),
              nodes(answer.header(REPLICAS_HEADER)));
      case 300 -> siblings(answer);
      case 404 -> {
        JsonNode body = json(answer);
        if (!"not_found".equals(body.path("error").asText())) {
          throw unexpected(answer, body);
        }
        yield new ReadResult.NotFound(
            answer.header(CONTEXT_HEADER), nodes(answer.header(REPLICAS_HEADER)));
      }
      case 503 -> unavailable(answer, required);
      default -> rejected(answer);
    };
  }

  /** The result of a write or delete whose W was {@code required}. */
  static WriteResult write(Answer answer, int required) {
    return switch (answer.status()) {
      case 204 ->
          new WriteResult.Written(
              answer.header(CONTEXT_HEADER),
              nodes(answer.header(REPLICAS_HEADER)),
              nodes(answer.header(HINTS_HEADER)),
              "sloppy".equals(answer.header(QUORUM_HEADER)));
      case 503 -> unavailable(answer, required);
      default -> rejected(answer);
    };
  }

  /**
   * A {@code 503}: the body's counts, or (a node that is not ready, overloaded, or did not answer
   * in time) none of the {@code required} replicas.
   */
  static Outcome.Unavailable unavailable(Answer answer, int required) {
    JsonNode body = json(answer);
    String reason =
        body.path("message").asText(body.path("error").asText("unavailable"))
            + " ("
            + answer.url()
            + ")";
    if (!body.has("acks")) {
      return new Outcome.Unavailable(0, required, 0, List.of(), reason);
    }
    List<String> nodes = new ArrayList<>();
    body.path("nodes").forEach(n -> nodes.add(n.asText()));
    return new Outcome.Unavailable(
        body.path("acks").asInt(),
        body.path("required").asInt(required),
        body.path("replicas").asInt(),
        nodes,
        reason);
  }

  /** {@code 400}, {@code 409} and {@code 413} as {@link Outcome.Rejected}; else the exception. */
  private static Outcome.Rejected rejected(Answer answer) {
    JsonNode body = json(answer);
    String message = body.path("message").asText("");
    String error = body.path("error").asText("");
    return switch (answer.status()) {
      case 400 -> new Outcome.Rejected(message, Outcome.Kind.BAD_REQUEST);
      case 409 -> new Outcome.Rejected(message, Outcome.Kind.TOO_MANY_SIBLINGS);
      case 413 ->
          new Outcome.Rejected(
              message,
              error.equals("value_too_large")
                  ? Outcome.Kind.BAD_REQUEST
                  : Outcome.Kind.OBJECT_TOO_LARGE);
      default -> throw unexpected(answer, body);
    };
  }

  private static ReadResult siblings(Answer answer) {
    JsonNode body = json(answer);
    JsonNode siblings = body.path("siblings");
    if (!siblings.isArray() || siblings.isEmpty()) {
      throw unexpected(answer, body);
    }
    Base64.Decoder base64 = Base64.getDecoder();
    List<Sibling> values = new ArrayList<>();
    for (JsonNode sibling : siblings) {
      values.add(
          Sibling.value(
              base64.decode(sibling.path("value").asText()),
              sibling.path("contentType").asText(Sibling.DEFAULT_CONTENT_TYPE)));
    }
    String context = body.path("context").asText(null);
    return new ReadResult.Found(
        values,
        context != null ? context : answer.header(CONTEXT_HEADER),
        nodes(answer.header(REPLICAS_HEADER)));
  }

  /**
   * {@code GET /settings}'s body, or {@link IllegalArgumentException} when it is not one (the URL
   * is not a ringstore node's, or its settings are out of range).
   */
  static NodeSettings settings(byte[] body) {
    JsonNode s = parse(body);
    List<String> fields =
        List.of(
            "n",
            "r",
            "w",
            "timeoutMs",
            "partitions",
            "maxTimeoutMs",
            "maxKeyBytes",
            "maxValueBytes",
            "maxContextChars",
            "maxContextActors");
    List<String> missing = fields.stream().filter(f -> !s.path(f).isIntegralNumber()).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("its GET /settings lacks " + missing);
    }
    ReplicationSettings replication =
        new ReplicationSettings(s.path("n").asInt(), s.path("r").asInt(), s.path("w").asInt());
    int maxValue = s.path("maxValueBytes").asInt();
    // only the limits RequestLimits checks a request against come from the node; the others are
    // what the node enforces on its own side (object size, siblings, memory) and are not used here
    RequestSettings requests =
        new RequestSettings(
            Duration.ofMillis(s.path("timeoutMs").asLong()),
            Duration.ofMillis(s.path("maxTimeoutMs").asLong()),
            maxValue,
            maxValue,
            s.path("maxKeyBytes").asInt(),
            false,
            true,
            1,
            1,
            s.path("maxContextChars").asInt(),
            s.path("maxContextActors").asInt(),
            maxValue,
            1);
    return new NodeSettings(
        new Replication(
            replication.n(), replication.r(), replication.w(), requests.timeout().toMillis()),
        s.path("partitions").asInt(),
        new RequestLimits(replication, requests));
  }

  /** The error code and message of a JSON error body ({@code "error: message"}), or "". */
  static String errorText(Answer answer) {
    return errorText(json(answer));
  }

  private static String errorText(JsonNode body) {
    String error = body.path("error").asText("");
    String message = body.path("message").asText("");
    return (error + (message.isEmpty() ? "" : ": " + message)).trim();
  }

  /** The answer as an exception: a status the results have no place for. */
  static HttpStatusException unexpected(Answer answer) {
    return unexpected(answer, json(answer));
  }

  private static HttpStatusException unexpected(Answer answer, JsonNode body) {
    return new HttpStatusException(
        answer.status(), errorText(body), answer.url(), answer.header(REQUEST_ID_HEADER));
  }

  /** The body as JSON; an empty object when it is not JSON (an error page of something else). */
  private static JsonNode json(Answer answer) {
    return parse(answer.body());
  }

  private static JsonNode parse(byte[] body) {
    try {
      JsonNode node = JSON.readTree(body);
      return node == null ? JSON.createObjectNode() : node;
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  /** A comma-separated header value as a list (an absent or empty header: none). */
  private static List<String> nodes(String header) {
    if (header == null || header.isBlank()) {
      return List.of();
    }
    return Arrays.stream(header.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
