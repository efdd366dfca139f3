package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  @Test
  void writesHelpTypeAndSamplesWithLabels() {
    String text = new PrometheusText()
        .family("ringstore_x_total", "counter", "Things.\nSecond line \\ slash")
        .sample("ringstore_x_total", 3, "op", "get", "outcome", "ok")
        .sample("ringstore_x_total", 0.25)
        .text();
    assertEquals("""
        # HELP ringstore_x_total Things.\\nSecond line \\\\ slash
        # TYPE ringstore_x_total counter
        ringstore_x_total{op="get",outcome="ok"} 3
        ringstore_x_total 0.25
        """, text, "the exposition format, with HELP's newline and backslash escaped");
  }

  @Test
  void labelValuesAreEscaped() {
    String text = new PrometheusText()
        .family("g", "gauge", "h")
        .sample("g", 1, "gc", "a \"quoted\" \\ name\nnext")
        .text();
    assertEquals("g{gc=\"a \\\"quoted\\\" \\\\ name\\nnext\"} 1\n", text.split("\n", 3)[2],
        "quotes, backslashes and newlines escaped in label values");
  }

  @Test
  void specialValuesUseTheFormatsSpelling() {
    assertEquals("+Inf", PrometheusText.format(Double.POSITIVE_INFINITY), "+Inf");
    assertEquals("-Inf", PrometheusText.format(Double.NEGATIVE_INFINITY), "-Inf");
    assertEquals("NaN", PrometheusText.format(Double.NaN), "NaN");
    assertEquals("1234567", PrometheusText.format(1234567), "integers without a decimal point");
    assertEquals("0.0005", PrometheusText.format(0.0005), "a bucket bound");
  }

  @Test
  void invalidNamesAndDuplicateFamiliesAreRefused() {
    PrometheusText text = new PrometheusText().family("ok_name", "gauge", "h");
    assertThrows(IllegalStateException.class, () -> text.family("ok_name", "gauge", "again"),
        "a family declared twice");
    assertThrows(IllegalArgumentException.class, () -> text.family("bad-name", "gauge", "h"),
        "a dash in a metric name");
    assertThrows(IllegalArgumentException.class, () -> text.sample("ok_name", 1, "bad-label", "v"),
        "a dash in a label name");
    assertThrows(IllegalArgumentException.class, () -> text.sample("ok_name", 1, "odd"),
        "labels not in pairs");
  }
}
