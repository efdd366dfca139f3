package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ringstore.coordinator.Outcome;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Failures that cannot be forced over HTTP on demand (an ask that times out, a storage exception, a
 * library's exception text in a coordinator's reason) still answer with bodies that speak the API
 * (issue 15, item 6).
 */
class HttpErrorsTest {
  private static final Pattern LEAK = Pattern.compile("\\w+(Exception|Error)\\b|pekko://|Actor\\[");
  private static final String ASK =
      "Ask timed out on [Actor[pekko://ringstore/user/gateway#-1]] "
          + "after [5000 ms]. Message of type [io.ringstore.client.Ringstore$Get].";

  @Test
  void exceptionsBecomeApiErrors() {
    Object[][] table = {
      {new AskTimeoutException(ASK), 503},
      {new CompletionException(new AskTimeoutException(ASK)), 503},
      {new TimeoutException("Futures timed out after [3 seconds]"), 503},
      {
        new IllegalArgumentException("java.lang.NumberFormatException: For input string: \"x\""),
        400
      },
      {new IllegalArgumentException("Illegal base64 character 2d"), 400},
      {new IllegalStateException("RocksDBException: IO error: No space left on device"), 500},
      {new NullPointerException(), 500},
      {
        new HttpErrors.BodyFailedException(
            new IllegalStateException("Substream Source cannot be materialized more than once")),
        400
      },
      {new HttpErrors.BodyReadTimeoutException(30_000), 408},
    };
    for (Object[] row : table) {
      Throwable failure = (Throwable) row[0];
      HttpResponse response = HttpErrors.fromThrowable(failure, "0123456789abcdef");
      assertEquals((int) (Integer) row[1], response.status().intValue(), failure.toString());
      String body = body(response);
      assertFalse(LEAK.matcher(body).find(), failure + " shows internals: " + body);
    }
  }

  @Test
  void coordinatorReasonsThatShowInternalsAreReplaced() {
    HttpResponse unavailable =
        KvResponses.write(
            new Outcome.Unavailable(1, 2, 3, List.of("n1"), ASK), "0123456789abcdef", "k");
    assertEquals(503, unavailable.status().intValue());
    assertFalse(LEAK.matcher(body(unavailable)).find(), body(unavailable));
    HttpResponse clean =
        KvResponses.write(
            new Outcome.Unavailable(1, 2, 3, List.of("n1"), "timed out after 500 ms"), "-", "k");
    assertEquals(true, body(clean).contains("timed out after 500 ms"), "an API reason is kept");
    HttpResponse rejected =
        KvResponses.write(
            new Outcome.Rejected(
                "StorageException: java.io.IOException at io.ringstore.storage.RocksDbStorage.get"),
            "-",
            "k");
    assertEquals(400, rejected.status().intValue());
    assertFalse(LEAK.matcher(body(rejected)).find(), body(rejected));
  }

  private static String body(HttpResponse response) {
    try {
      return ((HttpEntity.Strict) response.entity()).getData().utf8String();
    } catch (ClassCastException e) {
      throw new AssertionError("not a strict entity", e);
    }
  }
}
