package io.ringstore.coordinator;

import io.ringstore.config.RingstoreSettings;
import io.ringstore.config.RingstoreSettings.ReplicationSettings;
import io.ringstore.config.RingstoreSettings.RequestSettings;
import io.ringstore.storage.ObjectParts;
import io.ringstore.version.CausalContextCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Validates a request's key, value, context, R/W and timeout against the settings, the one place
 * both the HTTP gateway and the Java API check input: a bad request is rejected with a clear
 * message before anything is sent to a replica (DESIGN invariant 5). Pure.
 */
public final class RequestLimits {
  private final ReplicationSettings replication;
  private final RequestSettings requests;

  public RequestLimits(RingstoreSettings settings) {
    this(settings.replication(), settings.requests());
  }

  /**
   * Limits from the replication and request settings alone: what a client outside the cluster (the
   * HTTP client) learns from a node's {@code GET /settings}.
   */
  public RequestLimits(ReplicationSettings replication, RequestSettings requests) {
    this.replication = replication;
    this.requests = requests;
  }

  /** Thrown for a value over the configured size limit (HTTP 413). */
  public static final class ValueTooLargeException extends IllegalArgumentException {
    public ValueTooLargeException(String message) {
      super(message);
    }
  }

  /**
   * The largest encoded object a message carries whole: larger merges travel in parts ({@link
   * ObjectParts}).
   */
  public long maxPartBytes() {
    return ObjectParts.partBytes(requests.maxObjectBytes());
  }

  public void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("the key must not be empty");
    }
    int max = requests.maxKeyBytes();
    if (key.length() > max || key.getBytes(StandardCharsets.UTF_8).length > max) {
      throw new IllegalArgumentException("the key is longer than " + max + " bytes of UTF-8");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c)
              && i + 1 < key.length()
              && Character.isLowSurrogate(key.charAt(++i)))) {
        throw new IllegalArgumentException("the key is not valid UTF-8 text (lone surrogate)");
      }
    }
  }

  public void checkValue(byte[] value) {
    if (value == null) {
      throw new IllegalArgumentException("the value must not be null");
    }
    checkValueSize(value.length);
  }

  public void checkValueSize(long size) {
    int max = requests.maxValueBytes();
    if (size > max) {
      throw new ValueTooLargeException("the value is " + size + " bytes; the limit is " + max);
    }
  }

  public void checkContentType(String contentType) {
    if (contentType == null || contentType.isBlank() || contentType.length() > 256) {
      throw new IllegalArgumentException("the content type must be 1..256 characters");
    }
  }

  /**
   * Checks an encoded causal context (null means none): well-formed, at most {@code
   * max-context-size} characters and {@code max-context-actors} actors. Whether the actors and
   * counters it names are ones the key's replicas issued is checked where the write is applied
   * (DESIGN invariant 5: a context can only narrow what the stored clock holds).
   */
  public void checkContext(String context) {
    if (context == null) {
      return;
    }
    int maxChars = requests.maxContextChars();
    if (context.length() > maxChars) {
      throw new IllegalArgumentException(
          "the causal context is " + context.length() + " characters; the limit is " + maxChars);
    }
    int actors = CausalContextCodec.decode(context).size();
    int maxActors = requests.maxContextActors();
    if (actors > maxActors) {
      throw new IllegalArgumentException(
          "the causal context names " + actors + " actors; the limit is " + maxActors);
    }
  }

  /** The largest context the server hands out: the same limits it checks a client's against. */
  public CausalContextCodec.Limits contextLimits() {
    return new CausalContextCodec.Limits(requests.maxContextActors(), requests.maxContextChars());
  }

  public int readQuorum(Quorum r) {
    return resolve(r, replication.r(), "r");
  }

  public int writeQuorum(Quorum w) {
    return resolve(w, replication.w(), "w");
  }

  /** The request's quorum mode, or the configured default. */
  public boolean sloppy(Boolean requested) {
    return requested != null ? requested : requests.sloppyQuorum();
  }

  /** The request's timeout, or the default; at most the configured maximum. */
  public Duration timeout(Duration requested) {
    if (requested == null) {
      return requests.timeout();
    }
    if (requested.isNegative() || requested.isZero()) {
      throw new IllegalArgumentException("the timeout must be positive");
    }
    Duration max = requests.maxTimeout();
    if (requested.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          "the timeout must be at most " + max.toMillis() + " ms, was " + requested.toMillis());
    }
    return requested;
  }

  private int resolve(Quorum quorum, int configuredDefault, String name) {
    try {
      return (quorum == null ? Quorum.DEFAULT : quorum).resolve(replication.n(), configuredDefault);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " " + e.getMessage(), e);
    }
  }
}
