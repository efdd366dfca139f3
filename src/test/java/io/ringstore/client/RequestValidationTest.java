package io.ringstore.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ringstore.NodeConfig;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.coordinator.Quorum;
import io.ringstore.coordinator.ReadCoordinator;
import io.ringstore.coordinator.RequestLimits;
import io.ringstore.coordinator.RequestMetrics.Operation;
import io.ringstore.coordinator.WriteCoordinator;
import io.ringstore.storage.Sibling;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The one place a request is checked: every entry point (HTTP, the Java API, actor messages) gets
 * the same answer for the same input, in the same order of checks, and a valid request comes out as
 * its coordinator's request with the defaults filled in.
 */
class RequestValidationTest {
  private static final RingstoreSettings SETTINGS =
      RingstoreSettings.fromConfig(
          NodeConfig.load(
              ConfigFactory.parseString("ringstore.replication{n=3,r=2,w=2}"),
              ConfigFactory.empty()));
  private static final RequestValidation VALIDATION =
      new RequestValidation(new RequestLimits(SETTINGS));
  private static final byte[] VALUE = "v".getBytes(UTF_8);

  private record Case(String name, Supplier<?> request, String expectedInMessage) {}

  @Test
  void badInputIsRefusedWithAMessageSayingWhat() {
    Duration tooLong = SETTINGS.requests().maxTimeout().plusMillis(1);
    List<Case> cases =
        List.of(
            new Case("empty key", () -> VALIDATION.read("", null), "key"),
            new Case("null key", () -> VALIDATION.delete(null, null, null), "key"),
            new Case("r above n", () -> VALIDATION.read("k", ReadOptions.r(Quorum.of(4))), "r "),
            new Case(
                "w above n",
                () -> VALIDATION.put("k", VALUE, null, null, WriteOptions.w(Quorum.of(4))),
                "w "),
            new Case(
                "timeout too long",
                () -> VALIDATION.delete("k", null, WriteOptions.DEFAULT.withTimeout(tooLong)),
                "timeout"),
            new Case("bad context", () -> VALIDATION.put("k", VALUE, null, "%%", null), "context"),
            new Case(
                "null value", () -> VALIDATION.put("k", null, "text/plain", null, null), "value"),
            new Case(
                "blank content type",
                () -> VALIDATION.put("k", VALUE, " ", null, null),
                "content type"),
            new Case(
                "key checked before the context",
                () -> VALIDATION.put("", VALUE, null, "%%", null),
                "key"),
            new Case(
                "context checked before the value",
                () -> VALIDATION.put("k", null, null, "%%", null),
                "context"));
    for (Case c : cases) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, c.request()::get, c.name());
      assertTrue(e.getMessage().contains(c.expectedInMessage()), c.name() + ": " + e.getMessage());
    }
  }

  @Test
  void aValueOverTheLimitIsTooLarge_whetherDeclaredOrGiven() {
    int max = SETTINGS.requests().maxValueBytes();
    assertThrows(
        RequestLimits.ValueTooLargeException.class,
        () -> VALIDATION.putHead("k", "text/plain", null, null, OptionalLong.of(max + 1L)),
        "a Content-Length over the limit is refused before the body is read");
    assertThrows(
        RequestLimits.ValueTooLargeException.class,
        () -> VALIDATION.put("k", new byte[max + 1], null, null, null),
        "a value over the limit");
  }

  @Test
  void validRequestsBecomeTheirCoordinatorsRequests_withTheDefaults() {
    ReadCoordinator.ReadRequest read = VALIDATION.read("k", null).request();
    assertEquals("k", read.key());
    assertEquals(2, read.r(), "the configured R");
    assertEquals(SETTINGS.requests().timeout(), read.timeout(), "the configured timeout");

    RequestValidation.ValidWrite put = VALIDATION.put("k", VALUE, null, "AQA", null);
    assertEquals(Operation.PUT, put.operation());
    WriteCoordinator.WriteRequest p = put.request();
    assertEquals(Sibling.DEFAULT_CONTENT_TYPE, p.value().contentType(), "the default type");
    assertArrayEquals(VALUE, p.value().data());
    assertEquals("AQA", p.context());
    assertFalse(p.contextFromReplica());
    assertEquals(2, p.w(), "the configured W");
    assertEquals(SETTINGS.requests().sloppyQuorum(), p.sloppy(), "the configured quorum mode");

    WriteCoordinator.WriteRequest headThenValue =
        VALIDATION
            .putHead("k", null, "AQA", null, OptionalLong.of(VALUE.length))
            .withValue(VALUE)
            .request();
    assertEquals(p.key(), headThenValue.key());
    assertEquals(p.context(), headThenValue.context());
    assertEquals(p.w(), headThenValue.w());

    RequestValidation.ValidWrite delete =
        VALIDATION.delete("k", null, WriteOptions.w(Quorum.of(3)).withSloppy(false));
    assertEquals(Operation.DELETE, delete.operation());
    assertTrue(delete.request().value().tombstone(), "a delete writes a tombstone");
    assertTrue(delete.request().contextFromReplica(), "no context: the replica's");
    assertEquals(3, delete.request().w());
    assertFalse(delete.request().sloppy());
  }
}
