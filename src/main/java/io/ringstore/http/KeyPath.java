package io.ringstore.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the key from the raw (percent-encoded) path after {@code /kv/}: strict percent-decoding
 * to bytes, then strict UTF-8 decoding. {@code +} stays a plus (paths are not form data); a {@code
 * /} inside the key is allowed, encoded or not. Malformed input is rejected, never guessed. Pure.
 */
public final class KeyPath {
  private KeyPath() {}

  public static String decode(String rawPath) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawPath.length());
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c == '%') {
        if (i + 2 >= rawPath.length()) {
          throw new IllegalArgumentException("the key has a truncated percent-escape");
        }
        int hi = hexDigit(rawPath.charAt(i + 1));
        int lo = hexDigit(rawPath.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("the key has an invalid percent-escape");
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else if (!Character.isSurrogate(c)) {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < rawPath.length()
          && Character.isLowSurrogate(rawPath.charAt(i + 1))) {
        bytes.writeBytes(rawPath.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
        i++;
      } else {
        throw new IllegalArgumentException("the key is not valid UTF-8 text (lone surrogate)");
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the key is not valid UTF-8 after URL-decoding");
    }
  }

  /** An ASCII hex digit's value, or -1 ({@link Character#digit} also accepts non-ASCII digits). */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
