package io.ringstore.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordHashTest {
  private static final int ITERATIONS = PasswordHash.MIN_ITERATIONS;

  @Test
  void matchesOnlyItsPassword() {
    PasswordHash hash = PasswordHash.create("correct horse", ITERATIONS);
    assertTrue(hash.matches("correct horse"));
    assertFalse(hash.matches("correct horsE"));
    assertFalse(hash.matches(""));
  }

  @Test
  void saltedSoTheSamePasswordHashesDifferently() {
    assertNotEquals(
        PasswordHash.create("pw", ITERATIONS).format(),
        PasswordHash.create("pw", ITERATIONS).format());
  }

  @Test
  void formatAndParseRoundTrip() {
    PasswordHash hash = PasswordHash.create("pässwörd", ITERATIONS);
    String text = hash.format();
    assertTrue(text.startsWith("pbkdf2-sha256$" + ITERATIONS + "$"), text);
    PasswordHash parsed = PasswordHash.parse(text);
    assertEquals(hash, parsed);
    assertTrue(parsed.matches("pässwörd"));
  }

  @Test
  void malformedOrWeakHashesAreRefusedWithAReason() {
    String good = PasswordHash.create("pw", ITERATIONS).format();
    String[] parts = good.split("\\$");
    for (String bad :
        new String[] {
          "",
          "plain",
          "md5$1$a$b",
          parts[0] + "$" + parts[1] + "$" + parts[2],
          parts[0] + "$999$" + parts[2] + "$" + parts[3],
          parts[0] + "$99999999999$" + parts[2] + "$" + parts[3],
          parts[0] + "$x$" + parts[2] + "$" + parts[3],
          parts[0] + "$" + parts[1] + "$!!!$" + parts[3],
          parts[0] + "$" + parts[1] + "$" + parts[2] + "$AAAA"
        }) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> PasswordHash.parse(bad), "'" + bad + "'");
      assertFalse(e.getMessage().isBlank());
    }
  }

  @Test
  void theDefaultIsSlow() {
    assertTrue(PasswordHash.DEFAULT_ITERATIONS >= 600_000, "OWASP's 2023 figure for PBKDF2-SHA256");
  }
}
