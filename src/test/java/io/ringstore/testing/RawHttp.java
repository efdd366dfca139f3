package io.ringstore.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange over a plain socket to 127.0.0.1, for requests {@code java.net.http} will
 * not send (a chosen {@code Host}, bytes it would refuse). The request is sent as given, with
 * {@code Connection: close}; the answer is read to its end.
 */
public final class RawHttp {
  private RawHttp() {}

  /** An answer: status, headers by lower-case name (the last of each), body as UTF-8. */
  public record Answer(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Sends {@code head} (request line and headers, each line ending in CRLF, without the blank line;
   * {@code Connection: close} is added) followed by {@code body}.
   */
  public static Answer exchange(int port, String head, byte[] body) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      return read(socket.getInputStream());
    }
  }

  /** A request with {@code Host}, further header lines and a UTF-8 body (Content-Length set). */
  public static Answer send(
      int port, String method, String target, String host, String extraHeaders, String body)
      throws IOException {
    byte[] bytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
    String head =
        method
            + " "
            + target
            + " HTTP/1.1\r\n"
            + (host == null ? "" : "Host: " + host + "\r\n")
            + (extraHeaders == null ? "" : extraHeaders)
            + (bytes == null ? "" : "Content-Length: " + bytes.length + "\r\n");
    return exchange(port, head, bytes);
  }

  /** Reads one answer: its head, then Content-Length bytes, a chunked body, or up to the close. */
  private static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        break;
      }
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    if (!text.endsWith("\r\n\r\n")) {
      throw new IOException("no complete answer: " + text);
    }
    String[] lines = text.substring(0, text.length() - 4).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    byte[] body;
    if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = dechunk(in);
    } else {
      body = in.readAllBytes();
    }
    return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static byte[] dechunk(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line(in);
      int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
      if (size == 0) {
        line(in);
        return out.toByteArray();
      }
      out.write(in.readNBytes(size));
      line(in);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        out.write(b);
      }
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
