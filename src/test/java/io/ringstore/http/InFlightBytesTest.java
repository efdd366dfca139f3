package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** What a request body counts as against the gateway's in-flight bound, and the bound itself. */
class InFlightBytesTest {

  private record Case(String name, HttpRequest request, long cost) {}

  @Test
  void aBodyCountsAsItsLengthCappedAtTheLargestValue() {
    InFlightBytes inFlight = new InFlightBytes(10_000, 1_000);
    List<Case> cases =
        List.of(
            new Case("no body", HttpRequest.PUT("/kv/a"), 0),
            new Case("known length", HttpRequest.PUT("/kv/a").withEntity(new byte[300]), 300),
            new Case(
                "streamed with a length",
                HttpRequest.PUT("/kv/a")
                    .withEntity(
                        HttpEntities.create(
                            ContentTypes.APPLICATION_OCTET_STREAM,
                            700,
                            Source.single(ByteString.fromArray(new byte[700])))),
                700),
            new Case(
                "a length past the largest value (refused with 413 before it is read)",
                HttpRequest.PUT("/kv/a")
                    .withEntity(
                        HttpEntities.create(
                            ContentTypes.APPLICATION_OCTET_STREAM,
                            5_000,
                            Source.single(ByteString.fromArray(new byte[5_000])))),
                1_000),
            new Case(
                "chunked, length unknown",
                HttpRequest.PUT("/kv/a")
                    .withEntity(
                        HttpEntities.createChunked(
                            ContentTypes.APPLICATION_OCTET_STREAM,
                            Source.single(ByteString.fromArray(new byte[10])))),
                1_000));
    for (Case c : cases) {
      assertEquals(c.cost(), inFlight.cost(c.request()), c.name());
    }
  }

  @Test
  void reservationsStayUnderTheBoundAndAreGivenBack() {
    InFlightBytes inFlight = new InFlightBytes(2_500, 1_000);
    assertTrue(inFlight.tryAcquire(1_000), "first body");
    assertTrue(inFlight.tryAcquire(1_000), "second body");
    assertFalse(inFlight.tryAcquire(1_000), "a third would pass 2500 bytes");
    assertTrue(inFlight.tryAcquire(500), "a smaller one still fits");
    assertEquals(2_500, inFlight.usedBytes());
    inFlight.release(1_000);
    assertTrue(inFlight.tryAcquire(1_000), "fits again after an answer");
    assertEquals(Optional.of(2_500L), Optional.of(inFlight.usedBytes()));
  }

  @Test
  void boundsArePositive() {
    assertThrows(IllegalArgumentException.class, () -> new InFlightBytes(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new InFlightBytes(1, 0));
  }
}
