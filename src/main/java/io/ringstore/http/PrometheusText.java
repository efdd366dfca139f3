package io.ringstore.http;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes Prometheus's text exposition format (version 0.0.4): each metric family's {@code # HELP}
 * and {@code # TYPE} lines, then its samples. Names and label names are checked, label values
 * escaped; a family may be declared only once.
 */
final class PrometheusText {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final StringBuilder out = new StringBuilder(8192);
  private final Set<String> families = new HashSet<>();

  /** Declares a family: {@code type} is counter, gauge or histogram. */
  PrometheusText family(String name, String type, String help) {
    checkName(name);
    if (!families.add(name)) {
      throw new IllegalStateException("metric family " + name + " declared twice");
    }
    out.append("# HELP ").append(name).append(' ')
        .append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  /** A family with one sample and no labels. */
  PrometheusText single(String name, String type, String help, double value) {
    return family(name, type, help).sample(name, value);
  }

  /** One sample; {@code labels} alternate names and values. */
  PrometheusText sample(String name, double value, String... labels) {
    checkName(name);
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels must be name/value pairs: " + labels.length);
    }
    out.append(name);
    if (labels.length > 0) {
      out.append('{');
      for (int i = 0; i < labels.length; i += 2) {
        if (!LABEL.matcher(labels[i]).matches()) {
          throw new IllegalArgumentException("invalid label name " + labels[i]);
        }
        if (i > 0) {
          out.append(',');
        }
        out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
      }
      out.append('}');
    }
    out.append(' ').append(format(value)).append('\n');
    return this;
  }

  String text() {
    return out.toString();
  }

  static String format(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    double magnitude = Math.abs(value);
    if (magnitude >= 1e-6 && magnitude < 1e15) {
      // plain decimals (0.0005, not 5.0E-4): bucket bounds read as they are written
      return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
    return Double.toString(value);
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static void checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid metric name " + name);
    }
  }
}
