package io.ringstore.check;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The values the check's clients write, {@code <key>:<seq>:<padding>}, and how to read a sequence
 * number back from a stored value.
 */
final class ValueFormat {
  private ValueFormat() {}

  static byte[] value(String key, long seq, int size) {
    String prefix = key + ":" + seq + ":";
    StringBuilder value = new StringBuilder(Math.max(size, prefix.length())).append(prefix);
    while (value.length() < size) {
      value.append('x');
    }
    return value.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The sequence number of a value written for {@code key}; empty when it is not such a value. */
  static Optional<Long> seqOf(String key, byte[] value) {
    String text = new String(value, StandardCharsets.UTF_8);
    String prefix = key + ":";
    if (!text.startsWith(prefix)) {
      return Optional.empty();
    }
    int end = text.indexOf(':', prefix.length());
    if (end <= prefix.length() || end - prefix.length() > 18) {
      return Optional.empty();
    }
    String digits = text.substring(prefix.length(), end);
    if (!digits.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    return Optional.of(Long.parseLong(digits));
  }
}
