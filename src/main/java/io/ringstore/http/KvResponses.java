package io.ringstore.http;

import io.ringstore.config.LogText;
import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.storage.Sibling;
import java.util.Base64;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps quorum outcomes to HTTP responses, the one place where statuses are chosen: 200 one value,
 * 300 siblings, 404 absent or deleted, 204 written, 503 unavailable (with how many replicas
 * answered), 400/413 rejected, 409 a write that would leave too many siblings, 413 a write that
 * would leave the key's object too large.
 */
final class KvResponses {
  static final String CONTEXT_HEADER = "X-Causal-Context";
  static final String REPLICAS_HEADER = "X-Ringstore-Replicas";

  /**
   * Fallback members that hold a hint for a replica that did not ack ("node for p:r",
   * comma-separated).
   */
  static final String HINTS_HEADER = "X-Ringstore-Hints";

  /** "strict" (only real replica acks counted toward W) or "sloppy" (hints counted too). */
  static final String QUORUM_HEADER = "X-Ringstore-Quorum";

  /** On every 503: unavailability here is a matter of seconds (a replica away, a node starting). */
  private static final HttpHeader RETRY_AFTER = RawHeader.create("Retry-After", "1");

  /**
   * Every 503 of {@code /kv} is logged (INFO) with this marker and its reason, so that failures can
   * be counted by node, time and reason from the logs (they are rare: a replica away, a node
   * starting).
   */
  static final String UNAVAILABLE_LOG = "kv answered 503";

  private static final Logger LOG = LoggerFactory.getLogger(KvRoutes.class);

  private KvResponses() {}

  /** The answer to a read of {@code key}, the request {@code id}. */
  static HttpResponse read(ReadResult result, String id, String key) {
    if (result instanceof ReadResult.Found found) {
      return found.hasSiblings() ? siblings(found) : value(found);
    }
    if (result instanceof ReadResult.NotFound notFound) {
      return withContext(
              Json.response(
                  StatusCodes.NOT_FOUND, new Dto.Error("not_found", "no value for this key")),
              notFound.context())
          .addHeader(replicas(notFound.replicas()));
    }
    return failure(result, id, key);
  }

  /** The answer to a write of {@code key}, the request {@code id}. */
  static HttpResponse write(WriteResult result, String id, String key) {
    if (result instanceof WriteResult.Written written) {
      return HttpResponse.create()
          .withStatus(StatusCodes.NO_CONTENT)
          .addHeader(RawHeader.create(CONTEXT_HEADER, written.context()))
          .addHeader(replicas(written.replicas()))
          .addHeader(RawHeader.create(HINTS_HEADER, String.join(",", written.hints())))
          .addHeader(RawHeader.create(QUORUM_HEADER, written.sloppy() ? "sloppy" : "strict"));
    }
    return failure(result, id, key);
  }

  private static HttpResponse failure(Object result, String id, String key) {
    if (result instanceof Outcome.Unavailable unavailable) {
      return unavailable(unavailable, id, key);
    }
    if (result instanceof Outcome.Rejected rejected) {
      if (HttpErrors.leaks(rejected.reason())) {
        LOG.info(
            "request {}: key {} refused: {}",
            id,
            LogText.escape(key),
            LogText.escape(rejected.reason()));
      }
      return switch (rejected.kind()) {
        case TOO_MANY_SIBLINGS ->
            tooManySiblings(
                HttpErrors.clean(
                    rejected.reason(),
                    "the key holds too many siblings: write with the context of a read to resolve them"));
        case OBJECT_TOO_LARGE ->
            objectTooLarge(
                HttpErrors.clean(
                    rejected.reason(),
                    "the key's object would be too large: resolve the siblings (read, then write with the"
                        + " X-Causal-Context the read returns)"));
        case BAD_REQUEST ->
            badRequest(HttpErrors.clean(rejected.reason(), "the request is malformed"));
      };
    }
    throw new IllegalStateException("unexpected outcome " + result);
  }

  static HttpResponse badRequest(String message) {
    return Json.response(StatusCodes.BAD_REQUEST, new Dto.Error("bad_request", message));
  }

  /** 409: the write would leave the key with more siblings than allowed; resolve them first. */
  static HttpResponse tooManySiblings(String message) {
    return Json.response(StatusCodes.CONFLICT, new Dto.Error("too_many_siblings", message));
  }

  /**
   * 413: the write would leave the key's object (all siblings) larger than allowed; resolve the
   * siblings first. Nothing was stored.
   */
  static HttpResponse objectTooLarge(String message) {
    return Json.response(StatusCodes.PAYLOAD_TOO_LARGE, new Dto.Error("object_too_large", message));
  }

  static HttpResponse tooLarge(String message) {
    return Json.response(StatusCodes.PAYLOAD_TOO_LARGE, new Dto.Error("value_too_large", message));
  }

  static HttpResponse unavailable(Outcome.Unavailable u, String id, String key) {
    LOG.info(
        "request {}: {}: {} ({} of {} counted, from {}; key {})",
        id,
        UNAVAILABLE_LOG,
        LogText.escape(u.reason()),
        u.acks(),
        u.required(),
        u.nodes(),
        LogText.escape(key));
    String reason =
        HttpErrors.clean(
            u.reason(), u.acks() + " of " + u.required() + " replicas needed answered in time");
    return Json.response(
            StatusCodes.SERVICE_UNAVAILABLE,
            new Dto.Unavailable(
                "unavailable", reason, u.acks(), u.required(), u.replicas(), u.nodes()))
        .addHeader(RETRY_AFTER);
  }

  /**
   * Before this node was first ready (it has not joined the cluster, or its replica region is not
   * registered yet): 503 with {@code Retry-After}, before any coordinator is asked.
   */
  static HttpResponse notReady(String id) {
    LOG.info("request {}: {}: this node has not been ready yet", id, UNAVAILABLE_LOG);
    return Json.response(
            StatusCodes.SERVICE_UNAVAILABLE,
            new Dto.Error(
                "not_ready",
                "this node is starting: it has not joined the cluster yet; retry, or ask another node"))
        .addHeader(RETRY_AFTER);
  }

  private static HttpResponse value(ReadResult.Found found) {
    Sibling sibling = found.values().get(0);
    return HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(contentType(sibling.contentType()), sibling.data()))
        .addHeader(RawHeader.create(CONTEXT_HEADER, found.context()))
        .addHeader(replicas(found.replicas()));
  }

  private static HttpResponse siblings(ReadResult.Found found) {
    Base64.Encoder base64 = Base64.getEncoder();
    List<Dto.SiblingValue> values =
        found.values().stream()
            .map(s -> new Dto.SiblingValue(base64.encodeToString(s.data()), s.contentType()))
            .toList();
    return Json.response(StatusCodes.MULTIPLE_CHOICES, new Dto.Siblings(found.context(), values))
        .addHeader(RawHeader.create(CONTEXT_HEADER, found.context()))
        .addHeader(replicas(found.replicas()));
  }

  private static HttpResponse withContext(HttpResponse response, String context) {
    return context == null
        ? response
        : response.addHeader(RawHeader.create(CONTEXT_HEADER, context));
  }

  private static HttpHeader replicas(List<String> nodes) {
    return RawHeader.create(REPLICAS_HEADER, String.join(",", nodes));
  }

  private static ContentType contentType(String stored) {
    try {
      return ContentTypes.parse(stored);
    } catch (RuntimeException e) {
      return ContentTypes.APPLICATION_OCTET_STREAM;
    }
  }
}
