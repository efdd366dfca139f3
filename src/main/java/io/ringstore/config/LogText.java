package io.ringstore.config;

/**
 * Client text made safe for a log line (issue 15, item 7): keys, paths, header values and reasons
 * that a client chose are logged only through {@link #escape}, so no request can forge a line, hide
 * one with terminal escapes or flood the log. Here, in the lowest package, so that every layer that
 * logs a key (http, client, coordinator, replica, handoff) can use it.
 */
public final class LogText {
  /**
   * Characters (code points) of client text kept in a log line; the rest becomes {@link #ELLIPSIS}.
   */
  public static final int MAX_CHARS = 200;

  public static final String ELLIPSIS = "…";

  private LogText() {}

  /**
   * {@code text} with control characters written as escapes ({@code \n}, {@code \r}, {@code \t},
   * {@code \u001b}, …), as are Unicode line and paragraph separators and invisible format
   * characters (bidirectional overrides, zero-width), and a backslash doubled so that an escape
   * cannot be faked; cut after {@link #MAX_CHARS} characters with {@link #ELLIPSIS}. {@code null}
   * is {@code "null"}.
   */
  public static String escape(Object text) {
    if (text == null) {
      return "null";
    }
    String s = text.toString();
    StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_CHARS) + 8);
    int chars = 0;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (chars == MAX_CHARS) {
        out.append(ELLIPSIS);
        break;
      }
      chars++;
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (Character.isISOControl(c)
              || c == '\u2028'
              || c == '\u2029'
              || Character.getType(c) == Character.FORMAT
              || Character.getType(c) == Character.SURROGATE) {
            out.append(String.format("\\u%04x", c));
          } else {
            out.appendCodePoint(c);
          }
        }
      }
    }
    return out.toString();
  }
}
