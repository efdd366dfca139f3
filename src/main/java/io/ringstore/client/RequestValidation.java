package io.ringstore.client;

import io.ringstore.coordinator.ReadCoordinator;
import io.ringstore.coordinator.RequestLimits;
import io.ringstore.coordinator.RequestMetrics.Operation;
import io.ringstore.coordinator.WriteCoordinator;
import io.ringstore.storage.Sibling;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Checks a request once, where it enters the node, and turns it into its coordinator's request: the
 * HTTP routes, the Java API ({@link RingstoreClient}) and an actor app's {@link Ringstore} messages
 * all come through here, so the same bad input gets the same answer whichever way it came in, and
 * nothing is checked again further down (DESIGN invariant 5: a bad request is rejected before
 * anything is sent to a replica). The checks, in this order: key, causal context, R or W, timeout,
 * value size, content type ({@link RequestLimits}); a failing one throws {@link
 * IllegalArgumentException} ({@link RequestLimits.ValueTooLargeException} for a value over the
 * limit). Pure.
 */
public final class RequestValidation {
  private final RequestLimits limits;

  public RequestValidation(RequestLimits limits) {
    this.limits = limits;
  }

  /** A read that passed the checks; only {@link RequestValidation} makes them. */
  public static final class ValidRead {
    private final ReadCoordinator.ReadRequest request;

    private ValidRead(ReadCoordinator.ReadRequest request) {
      this.request = request;
    }

    public ReadCoordinator.ReadRequest request() {
      return request;
    }
  }

  /** A write or delete that passed the checks; only {@link RequestValidation} makes them. */
  public static final class ValidWrite {
    private final Operation operation;
    private final WriteCoordinator.WriteRequest request;

    private ValidWrite(Operation operation, WriteCoordinator.WriteRequest request) {
      this.operation = operation;
      this.request = request;
    }

    /** {@link Operation#PUT} or {@link Operation#DELETE}, for the request metrics. */
    public Operation operation() {
      return operation;
    }

    public WriteCoordinator.WriteRequest request() {
      return request;
    }
  }

  /**
   * A PUT checked up to its value: what the HTTP route checks before it reads the body, so a
   * request that will be refused is refused before its value is read.
   */
  public final class PutHead {
    private final String key;
    private final String contentType;
    private final String context;
    private final int w;
    private final Duration timeout;
    private final boolean sloppy;

    private PutHead(
        String key, String contentType, String context, int w, Duration timeout, boolean sloppy) {
      this.key = key;
      this.contentType = contentType;
      this.context = context;
      this.w = w;
      this.timeout = timeout;
      this.sloppy = sloppy;
    }

    /** The whole PUT, once its value is known: checks the value (not null, within the limit). */
    public ValidWrite withValue(byte[] value) {
      limits.checkValue(value);
      return new ValidWrite(
          Operation.PUT,
          new WriteCoordinator.WriteRequest(
              key,
              Sibling.value(value, contentType),
              context,
              false,
              w,
              timeout,
              sloppy,
              limits.contextLimits()));
    }
  }

  /** A read of {@code key}; {@code options} null means the defaults. */
  public ValidRead read(String key, ReadOptions options) {
    ReadOptions o = options == null ? ReadOptions.DEFAULT : options;
    limits.checkKey(key);
    int r = limits.readQuorum(o.r());
    Duration timeout = limits.timeout(o.timeout());
    return new ValidRead(
        new ReadCoordinator.ReadRequest(
            key, r, timeout, limits.contextLimits(), limits.maxPartBytes()));
  }

  /**
   * A PUT without its value yet. {@code contentType} null means the default; {@code declaredSize}
   * is the value's size when it is known before the value (an HTTP {@code Content-Length}).
   */
  public PutHead putHead(
      String key,
      String contentType,
      String context,
      WriteOptions options,
      OptionalLong declaredSize) {
    WriteOptions o = options == null ? WriteOptions.DEFAULT : options;
    String type = contentType == null ? Sibling.DEFAULT_CONTENT_TYPE : contentType;
    limits.checkKey(key);
    limits.checkContext(context);
    int w = limits.writeQuorum(o.w());
    Duration timeout = limits.timeout(o.timeout());
    declaredSize.ifPresent(limits::checkValueSize);
    limits.checkContentType(type);
    return new PutHead(key, type, context, w, timeout, limits.sloppy(o.sloppy()));
  }

  /** A whole PUT: see {@link #putHead} and {@link PutHead#withValue}. */
  public ValidWrite put(
      String key, byte[] value, String contentType, String context, WriteOptions options) {
    return putHead(key, contentType, context, options, OptionalLong.empty()).withValue(value);
  }

  /**
   * A delete of {@code key}: a tombstone replacing what {@code context} covers, or (context null)
   * what the coordinating replica holds.
   */
  public ValidWrite delete(String key, String context, WriteOptions options) {
    WriteOptions o = options == null ? WriteOptions.DEFAULT : options;
    limits.checkKey(key);
    limits.checkContext(context);
    int w = limits.writeQuorum(o.w());
    Duration timeout = limits.timeout(o.timeout());
    return new ValidWrite(
        Operation.DELETE,
        new WriteCoordinator.WriteRequest(
            key,
            Sibling.newTombstone(),
            context,
            context == null,
            w,
            timeout,
            limits.sloppy(o.sloppy()),
            limits.contextLimits()));
  }
}
