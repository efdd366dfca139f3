package io.ringstore.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RingConfigTest {

  @Test
  void defaults() {
    RingConfig c = RingConfig.defaults();
    assertEquals(64, c.partitionCount(), "default Q");
    assertEquals(RingConfig.DEFAULT_TOKENS_PER_MEMBER, c.tokensPerMember(), "default T");
    assertEquals(3, c.replicationFactor(), "default N");
    assertEquals(6, c.partitionBits(), "log2(64)");
    assertEquals(5, RingConfig.withReplicationFactor(5).replicationFactor(), "with N=5");
  }

  @ParameterizedTest(name = "valid Q={0} T={1} N={2}")
  @CsvSource({"1,1,1", "2,32,3", "64,32,3", "1024,128,5", "65536,1,1"})
  void accepts(int q, int t, int n) {
    RingConfig c = new RingConfig(q, t, n);
    assertEquals(q, c.partitionCount(), "Q kept");
    assertEquals(1 << c.partitionBits(), q, "partitionBits consistent");
  }

  @ParameterizedTest(name = "invalid Q={0} T={1} N={2} -> {3}")
  @CsvSource({
    "0,32,3,partitionCount",
    "-64,32,3,partitionCount",
    "63,32,3,partitionCount",
    "100,32,3,partitionCount",
    "131072,32,3,partitionCount",
    "64,0,3,tokensPerMember",
    "64,-1,3,tokensPerMember",
    "64,32,0,replicationFactor",
    "64,32,-2,replicationFactor"
  })
  void rejects(int q, int t, int n, String field) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RingConfig(q, t, n),
            "Q=" + q + " T=" + t + " N=" + n);
    assertTrue(e.getMessage().contains(field), "message names " + field + ": " + e.getMessage());
  }
}
