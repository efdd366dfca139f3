package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringstore.client.RingstoreClient;
import io.ringstore.client.WriteOptions;
import io.ringstore.config.RingstoreSettings;
import io.ringstore.coordinator.Outcome;
import io.ringstore.coordinator.ReadResult;
import io.ringstore.coordinator.WriteResult;
import io.ringstore.ring.KeyHash;
import io.ringstore.storage.Sibling;
import io.ringstore.testing.HttpTestNode;
import io.ringstore.version.CausalContextCodec;
import io.ringstore.version.DvvSet;
import io.ringstore.version.VersionVector;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15, item 1, against one in-JVM node with the shipped limits: a causal context is a claim
 * the server checks, never state it adopts (DESIGN invariant 5). Every made-up, inflated or
 * out-of-range context is a 400 {@code bad_request} that stores nothing; the key stays readable and
 * writable, its stored clock is what it was, and the context it hands out still fits back into a
 * request header. The same checks hold on the Java API, which shares the write path.
 */
class CausalContextClaimsHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTEXT = "X-Causal-Context";

  @RegisterExtension static final HttpTestNode NODE = HttpTestNode.joined();

  /** The first row: five PUTs, each naming 1,100 made-up 3-byte actors. */
  @Test
  void fivePutsNaming1100MadeUpActorsEachAre400AndLeaveTheKeyUsable() throws Exception {
    String key = "/kv/poison-1100";
    String original = setUp(key);
    String forged = forged(madeUp("x", 1100, 1L));
    assertTrue(
        forged.length() < 8 * 1024, "the forged context fits an 8 KiB header: " + forged.length());
    for (int i = 0; i < 5; i++) {
      assertBadRequest(send("PUT", key, "poison " + i, forged), "PUT " + i + " with 1,100 actors");
    }
    assertUntouched(key, original, "after five PUTs naming 1,100 made-up actors");
    assertBadRequest(send("DELETE", key, null, forged), "DELETE with 1,100 actors");
    assertStillWritable(key, original);
  }

  /**
   * Each PUT stays under the shipped 64-actor limit, but names 60 actors the key never issued
   * (others each time, and with the key's real actor): had any been merged, the stored clock would
   * grow by 60 per PUT past what a header carries.
   */
  @Test
  void putsOf60MadeUpActorsEachUnderTheLimitNeverGrowTheStoredClock() throws Exception {
    String key = "/kv/poison-60";
    String original = setUp(key);
    String self = onlyActor(original);
    long counter = CausalContextCodec.decode(original).get(self);
    for (int round = 0; round < 8; round++) {
      Map<String, Long> actors = madeUp("r" + round + "-", 60, 1L);
      assertBadRequest(
          send("PUT", key, "v" + round, forged(actors)), "round " + round + ": 60 made-up actors");
      actors.put(self, counter);
      assertBadRequest(
          send("PUT", key, "v" + round, forged(actors)),
          "round " + round + ": the real actor and 60 made-up ones");
      assertBadRequest(
          send("DELETE", key, null, forged(actors)),
          "round " + round + ": DELETE with the real actor and 60 made-up ones");
    }
    assertUntouched(key, original, "after eight rounds of 60 made-up actors");
    assertStillWritable(key, original);
  }

  /** The second row and its variants: huge counters and counters past what is stored. */
  @Test
  void countersPastWhatIsStoredOrOutOfRangeAre400() throws Exception {
    String key = "/kv/counters";
    String original = setUp(key);
    String self = onlyActor(original);
    long stored = CausalContextCodec.decode(original).get(self);
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("the real actor at 2^63-1", forged(Map.of(self, Long.MAX_VALUE)));
    bad.put("the real actor at 2^62", forged(Map.of(self, 1L << 62)));
    bad.put("the real actor one past its counter", forged(Map.of(self, stored + 1)));
    bad.put("a made-up actor at 2^63-1", forged(Map.of("zz", Long.MAX_VALUE)));
    bad.put(
        "a counter of 2^63 (ten-byte varint)",
        raw(
            self,
            new byte[] {
              (byte) 0x80,
              (byte) 0x80,
              (byte) 0x80,
              (byte) 0x80,
              (byte) 0x80,
              (byte) 0x80,
              (byte) 0x80,
              (byte) 0x80,
              (byte) 0x80,
              0x01
            }));
    bad.put(
        "a counter of 2^64-1 (ten-byte varint)",
        raw(
            self,
            new byte[] {
              (byte) 0xFF,
              (byte) 0xFF,
              (byte) 0xFF,
              (byte) 0xFF,
              (byte) 0xFF,
              (byte) 0xFF,
              (byte) 0xFF,
              (byte) 0xFF,
              (byte) 0xFF,
              0x01
            }));
    bad.put("a counter of 0", raw(self, new byte[] {0}));
    for (Map.Entry<String, String> c : bad.entrySet()) {
      assertBadRequest(send("PUT", key, "bad", c.getValue()), "PUT with " + c.getKey());
      assertBadRequest(send("DELETE", key, null, c.getValue()), "DELETE with " + c.getKey());
      assertUntouched(key, original, c.getKey());
    }
    assertStillWritable(key, original);
  }

  /** A context for a key that holds nothing can name nothing: a 400, and the key stays absent. */
  @Test
  void aContextForAnAbsentKeyIs400AndStoresNothing() throws Exception {
    String key = "/kv/absent";
    for (String context :
        new String[] {
          forged(Map.of("ghost", 1L)),
          forged(Map.of("ghost", Long.MAX_VALUE)),
          forged(madeUp("g", 60, 7L))
        }) {
      assertBadRequest(send("PUT", key, "bad", context), "PUT to an absent key");
      assertBadRequest(send("DELETE", key, null, context), "DELETE of an absent key");
      HttpResponse<String> read = send("GET", key, null, null);
      assertEquals(404, read.statusCode(), "still absent: " + read.body());
      assertTrue(read.headers().firstValue(CONTEXT).isEmpty(), "no tombstone was stored");
    }
  }

  /**
   * The limits agree, read from the running configuration: Pekko HTTP's effective server-side
   * {@code max-header-value-length} leaves at least 1 KiB above {@code max-context-size}, which is
   * within the codec's own limit, which itself fits a header.
   */
  @Test
  void theHeaderLimitTheCodecLimitAndMaxContextSizeAgree() {
    long headerLimit =
        ServerSettings.create(NODE.node().system().settings().config())
            .getParserSettings()
            .getMaxHeaderValueLength();
    assertEquals(
        headerLimit,
        RingstoreSettings.maxHeaderValueLength(NODE.node().system().settings().config()),
        "the settings read the same header limit Pekko HTTP applies");
    int maxContextChars = NODE.node().settings().requests().maxContextChars();
    int maxActors = NODE.node().settings().requests().maxContextActors();
    assertTrue(
        maxContextChars + 1024 <= headerLimit,
        "max-context-size ("
            + maxContextChars
            + ") leaves at least 1 KiB under max-header-value-length ("
            + headerLimit
            + ")");
    assertTrue(
        maxContextChars <= CausalContextCodec.MAX_STRING_LENGTH,
        "max-context-size within the codec's limit (" + CausalContextCodec.MAX_STRING_LENGTH + ")");
    assertTrue(
        CausalContextCodec.MAX_STRING_LENGTH + 1024 <= headerLimit,
        "the codec's own limit ("
            + CausalContextCodec.MAX_STRING_LENGTH
            + ") leaves 1 KiB under a header ("
            + headerLimit
            + ")");
    assertTrue(
        maxActors <= CausalContextCodec.MAX_ENTRIES, "max-context-actors within the codec's");
    assertEquals(
        CausalContextCodec.Limits.DEFAULT,
        new CausalContextCodec.Limits(maxActors, maxContextChars),
        "the codec's defaults are reference.conf's");
  }

  /**
   * A key whose stored clock names more nodes than a context may carry (80 nodes coordinated its
   * writes over its life: replicas moved, disks replaced) still hands out a context a client can
   * send back, and a write with it resolves the siblings the read showed.
   */
  @Test
  void aKeyCoordinatedByMoreNodesThanAContextCarriesHandsOutAContextThatResolves()
      throws Exception {
    String key = "many-coordinators";
    int partition = KeyHash.partitionOf(key, NODE.node().settings().ring().partitions());
    List<DvvSet.Entry<Sibling>> entries = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      String uid = String.format("retired-node-%02d", i);
      entries.add(
          i % 20 == 3
              ? new DvvSet.Entry<>(uid, 7, List.of(Sibling.value(bytes("from " + i), "text/plain")))
              : new DvvSet.Entry<>(uid, 1 + i, List.of()));
    }
    NODE.node().node().store().merge(partition, key, DvvSet.fromParts(entries, List.of()));

    HttpResponse<String> read = send("GET", "/kv/" + key, null, null);
    assertEquals(300, read.statusCode(), "four siblings: " + read.body());
    String context = read.headers().firstValue(CONTEXT).orElseThrow();
    assertTrue(
        context.length() <= NODE.node().settings().requests().maxContextChars(),
        "within max-context-size: " + context.length());
    assertTrue(
        CausalContextCodec.decode(context).size()
            <= NODE.node().settings().requests().maxContextActors(),
        "within max-context-actors");
    assertEquals(
        JSON.readTree(read.body()).path("context").asText(),
        context,
        "the body's context is the header's");
    HttpResponse<String> write = send("PUT", "/kv/" + key, "resolved", context);
    assertEquals(
        204, write.statusCode(), "the handed-out context is accepted back: " + write.body());
    HttpResponse<String> after = send("GET", "/kv/" + key, null, null);
    assertEquals(200, after.statusCode(), "resolved to one value: " + after.body());
    assertEquals("resolved", after.body(), "the resolving write");
    assertTrue(
        write.headers().firstValue(CONTEXT).orElseThrow().length()
            <= NODE.node().settings().requests().maxContextChars(),
        "the PUT's context fits as well");
  }

  /** The Java API shares the write path: the same contexts are refused and store nothing. */
  @Test
  void theJavaApiRefusesTheSameContexts() throws Exception {
    RingstoreClient client = NODE.node().node().client();
    String key = "java-claims";
    WriteResult first =
        client.put(key, bytes("original")).toCompletableFuture().get(30, TimeUnit.SECONDS);
    String original = assertInstanceOf(WriteResult.Written.class, first, "setup put").context();
    String self = onlyActor(original);
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("60 made-up actors", forged(madeUp("j", 60, 1L)));
    bad.put("the real actor at 2^63-1", forged(Map.of(self, Long.MAX_VALUE)));
    bad.put(
        "the real actor one past its counter",
        forged(Map.of(self, CausalContextCodec.decode(original).get(self) + 1)));
    bad.put("1,100 made-up actors", forged(madeUp("x", 1100, 1L)));
    for (Map.Entry<String, String> c : bad.entrySet()) {
      assertRefused(
          () ->
              client
                  .put(key, bytes("bad"), "text/plain", c.getValue(), WriteOptions.DEFAULT)
                  .toCompletableFuture()
                  .get(30, TimeUnit.SECONDS),
          "put with " + c.getKey());
      assertRefused(
          () ->
              client
                  .delete(key, c.getValue(), WriteOptions.DEFAULT)
                  .toCompletableFuture()
                  .get(30, TimeUnit.SECONDS),
          "delete with " + c.getKey());
      ReadResult read = client.get(key).toCompletableFuture().get(30, TimeUnit.SECONDS);
      ReadResult.Found found = assertInstanceOf(ReadResult.Found.class, read, c.getKey());
      assertEquals(1, found.values().size(), c.getKey() + ": one value");
      assertEquals(original, found.context(), c.getKey() + ": the stored clock is unchanged");
    }
    WriteResult updated =
        client
            .put(key, bytes("updated"), "text/plain", original, WriteOptions.DEFAULT)
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertInstanceOf(WriteResult.Written.class, updated, "the real context still works");
  }

  // ------------------------------------------------------------------ helpers

  private interface Call {
    Object run() throws Exception;
  }

  /** A refused context: either the facade throws, or the write answers Rejected(BAD_REQUEST). */
  private static void assertRefused(Call call, String what) throws Exception {
    Object result;
    try {
      result = call.run();
    } catch (IllegalArgumentException e) {
      return;
    } catch (ExecutionException | CompletionException e) {
      throw new AssertionError(what + ": failed instead of being refused", e);
    }
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, result, what);
    assertEquals(Outcome.Kind.BAD_REQUEST, rejected.kind(), what);
  }

  private static String setUp(String key) throws Exception {
    assertEquals(204, send("PUT", key, "original", null).statusCode(), "setup PUT");
    HttpResponse<String> read = send("GET", key, null, null);
    assertEquals(200, read.statusCode(), "setup GET");
    return read.headers().firstValue(CONTEXT).orElseThrow();
  }

  private static String onlyActor(String context) {
    VersionVector vv = CausalContextCodec.decode(context);
    assertEquals(1, vv.size(), "one node coordinated the key: " + vv);
    return vv.entries().firstKey();
  }

  private static void assertBadRequest(HttpResponse<String> response, String what)
      throws Exception {
    assertEquals(400, response.statusCode(), what + ": " + response.body());
    assertEquals("bad_request", JSON.readTree(response.body()).path("error").asText(), what);
  }

  private static void assertUntouched(String key, String context, String what) throws Exception {
    HttpResponse<String> read = send("GET", key, null, null);
    assertEquals(200, read.statusCode(), what + ": the key is readable, one value: " + read.body());
    assertEquals("original", read.body(), what + ": the value is unchanged");
    assertEquals(
        context,
        read.headers().firstValue(CONTEXT).orElse(null),
        what + ": the stored clock is unchanged (nothing adopted from the context)");
  }

  /** A blind PUT, a PUT with the real context and a DELETE still work, and contexts stay small. */
  private static void assertStillWritable(String key, String context) throws Exception {
    assertEquals(204, send("PUT", key, "blind", null).statusCode(), "a blind PUT still works");
    HttpResponse<String> siblings = send("GET", key, null, null);
    assertEquals(300, siblings.statusCode(), "the blind PUT is a sibling: " + siblings.body());
    String both = siblings.headers().firstValue(CONTEXT).orElseThrow();
    assertEquals(204, send("PUT", key, "resolved", both).statusCode(), "resolving PUT");
    HttpResponse<String> read = send("GET", key, null, null);
    assertEquals(200, read.statusCode(), "resolved: " + read.body());
    assertEquals("resolved", read.body(), "the resolved value");
    String after = read.headers().firstValue(CONTEXT).orElseThrow();
    assertEquals(
        CausalContextCodec.decode(context).entries().keySet(),
        CausalContextCodec.decode(after).entries().keySet(),
        "the stored clock names only the node that coordinated the writes");
    assertTrue(
        after.length() <= NODE.node().settings().requests().maxContextChars(),
        "the handed-out context is within max-context-size: " + after.length());
    assertEquals(204, send("DELETE", key, null, after).statusCode(), "DELETE with its context");
    assertEquals(404, send("GET", key, null, null).statusCode(), "deleted");
  }

  private static Map<String, Long> madeUp(String prefix, int count, long counter) {
    Map<String, Long> actors = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      actors.put(prefix + Integer.toString(i, 36), counter);
    }
    return actors;
  }

  /** Encodes a context byte by byte, as a client could, past what the server's encoder allows. */
  private static String forged(Map<String, Long> counters) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(CausalContextCodec.FORMAT_VERSION);
    varint(out, counters.size());
    for (Map.Entry<String, Long> e : new TreeMap<>(counters).entrySet()) {
      byte[] id = e.getKey().getBytes(StandardCharsets.UTF_8);
      varint(out, id.length);
      out.writeBytes(id);
      varint(out, e.getValue());
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
  }

  private static void varint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  /** A context of one actor whose counter varint is given raw (to go past what encode allows). */
  private static String raw(String actor, byte[] counterVarint) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] id = actor.getBytes(StandardCharsets.UTF_8);
    out.write(CausalContextCodec.FORMAT_VERSION);
    out.write(1);
    out.write(id.length);
    out.writeBytes(id);
    out.writeBytes(counterVarint);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> send(String method, String path, String body, String context)
      throws Exception {
    return NODE.sendText(method, path, body, context);
  }
}
