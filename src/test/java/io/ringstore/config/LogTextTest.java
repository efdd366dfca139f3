package io.ringstore.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link LogText#escape}: what client text looks like in a log line (issue 15, item 7). */
class LogTextTest {
  @Test
  void controlAndInvisibleCharactersAreWrittenAsEscapes() {
    String[][] table = {
      {"plain key", "plain key"},
      {"a\nb", "a\\nb"},
      {"a\r\nINFO forged", "a\\r\\nINFO forged"},
      {"tab\there", "tab\\there"},
      {"\u001b[31mred", "\\u001b[31mred"},
      {"nul\u0000", "nul\\u0000"},
      {"del\u007f", "del\\u007f"},
      {"c1\u0085next", "c1\\u0085next"},
      {"line\u2028sep\u2029para", "line\\u2028sep\\u2029para"},
      {"bidi\u202eevil", "bidi\\u202eevil"},
      {"zero\u200bwidth", "zero\\u200bwidth"},
      {"back\\nslash", "back\\\\nslash"},
      {"ünïcödé ✓ 鍵 😀", "ünïcödé ✓ 鍵 😀"},
      {"lone\ud800", "lone\\ud800"},
      {"", ""},
    };
    for (String[] row : table) {
      assertEquals(row[1], LogText.escape(row[0]), "escape of " + row[1]);
    }
    assertEquals("null", LogText.escape(null), "null");
  }

  @Test
  void longTextIsCutAfterTheLimit() {
    assertEquals("x".repeat(200), LogText.escape("x".repeat(200)), "200 characters are kept");
    assertEquals("x".repeat(200) + "…", LogText.escape("x".repeat(201)), "the 201st is cut");
    assertEquals(
        "😀".repeat(200) + "…", LogText.escape("😀".repeat(5000)), "characters, not UTF-16 units");
    String escaped = LogText.escape("\n".repeat(1000));
    assertEquals("\\n".repeat(200) + "…", escaped, "escapes count as one character each");
    assertTrue(escaped.length() < 500, "bounded: " + escaped.length());
  }
}
