package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven cases of {@link KeyPath#decode}: strict percent-decoding, then strict UTF-8. */
class KeyPathTest {

  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of("plain ASCII", "abc", "abc"),
        Arguments.of("single character", "x", "x"),
        Arguments.of("empty path decodes to empty key (callers reject it)", "", ""),
        Arguments.of("escaped ASCII letter", "%41b", "Ab"),
        Arguments.of("lower-case hex digits", "%3a%2f", ":/"),
        Arguments.of("upper-case hex digits", "%3A%2F", ":/"),
        Arguments.of("escaped space", "a%20b", "a b"),
        Arguments.of("escaped percent stays a literal percent", "100%25", "100%"),
        Arguments.of("double escape is decoded once", "%2541", "%41"),
        Arguments.of("escape at the very end", "a%41", "aA"),
        Arguments.of("escape at the very start", "%41", "A"),
        Arguments.of("plus stays a plus", "+plus", "+plus"),
        Arguments.of("escaped plus is a plus", "%2Bplus", "+plus"),
        Arguments.of("raw slash kept", "a/b/c", "a/b/c"),
        Arguments.of("escaped slash kept", "a%2Fb/c", "a/b/c"),
        Arguments.of("trailing slash kept", "a/", "a/"),
        Arguments.of("two-byte UTF-8 escaped", "k%C3%A9y", "k\u00e9y"),
        Arguments.of("three-byte UTF-8 escaped", "%E2%9C%93", "\u2713"),
        Arguments.of("four-byte UTF-8 escaped", "%F0%9F%98%80", "\uD83D\uDE00"),
        Arguments.of("two-byte UTF-8 raw", "k\u00e9y", "k\u00e9y"),
        Arguments.of("three-byte UTF-8 raw", "\u2713 x", "\u2713 x"),
        Arguments.of("four-byte UTF-8 raw (surrogate pair)", "a\uD83D\uDE00b", "a\uD83D\uDE00b"),
        Arguments.of("raw and escaped mixed", "\u00e9%C3%A9", "\u00e9\u00e9"),
        Arguments.of("escaped NUL byte", "a%00b", "a\u0000b"),
        Arguments.of("sub-delims kept", "a;b=c&d", "a;b=c&d"),
        Arguments.of("escaped U+FFFD is a legitimate character", "%EF%BF%BD", "\uFFFD"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("valid")
  void decodesValidPaths(String name, String raw, String expected) {
    assertEquals(expected, KeyPath.decode(raw), name + ": decode(\"" + raw + "\")");
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("non-hex escape", "%zz"),
        Arguments.of("half non-hex escape", "%4z"),
        Arguments.of("non-hex first digit", "%g1"),
        Arguments.of("lone percent", "%"),
        Arguments.of("truncated escape, one digit", "a%4"),
        Arguments.of("truncated escape at end", "abc%"),
        Arguments.of("percent followed by percent", "%%41"),
        Arguments.of("non-ASCII (Arabic-Indic) digits in an escape", "%\u0664\u0661"),
        Arguments.of("full-width digits in an escape", "%\uFF14\uFF11"),
        Arguments.of("invalid UTF-8: lead byte then ASCII", "%C3%28"),
        Arguments.of("invalid UTF-8: lone continuation byte", "%A9"),
        Arguments.of("invalid UTF-8: truncated 3-byte sequence", "%E2%9C"),
        Arguments.of("invalid UTF-8: overlong encoding of '/'", "%C0%AF"),
        Arguments.of("invalid UTF-8: byte 0xFF", "%FF"),
        Arguments.of("invalid UTF-8: encoded surrogate", "%ED%A0%80"),
        Arguments.of("invalid UTF-8: above U+10FFFF", "%F4%90%80%80"),
        Arguments.of("raw lone high surrogate at end", "a\uD83D"),
        Arguments.of("raw lone high surrogate before ASCII", "\uD83Dx"),
        Arguments.of("raw lone low surrogate", "\uDE00"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("invalid")
  void rejectsMalformedPaths(String name, String raw) {
    assertThrows(
        IllegalArgumentException.class,
        () -> KeyPath.decode(raw),
        name + ": decode(\"" + raw + "\") must be rejected, not guessed");
  }
}
