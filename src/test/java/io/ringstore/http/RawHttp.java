package io.ringstore.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP/1.1 over a plain socket bound to a chosen loopback address (java.net.http cannot choose its
 * local address), one request per connection ({@code Connection: close}).
 */
final class RawHttp {
  record Response(int status, String text) {
    /** The first value of header {@code name}, or null. */
    String header(String name) {
      for (String line : text.substring(0, Math.max(0, text.indexOf("\r\n\r\n"))).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  private RawHttp() {}

  /** The response, which must come within {@code within} (else an assertion error). */
  static Response send(
      String from,
      int port,
      String method,
      String path,
      String body,
      Duration within,
      String... headerLines)
      throws IOException {
    long start = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) within.toMillis());
      socket.setSoTimeout((int) within.toMillis());
      byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      String head =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
              + (headerLines.length == 0 ? "" : String.join("\r\n", headerLines) + "\r\n")
              + (body == null
                  ? ""
                  : "Content-Type: text/plain\r\nContent-Length: " + bytes.length + "\r\n")
              + "\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
      assertTrue(millis <= within.toMillis(), method + " " + path + " took " + millis + " ms");
      assertTrue(
          text.startsWith("HTTP/1.1 "),
          method + " " + path + " from " + from + ": the connection was closed without a response");
      return new Response(Integer.parseInt(text.substring(9, 12)), text);
    } catch (SocketTimeoutException e) {
      throw new AssertionError(
          method + " " + path + " from " + from + " not answered within " + within, e);
    }
  }

  /** True when the node closes a new connection from {@code from} without answering a request. */
  static boolean closedWithoutAnswer(String from, int port, Duration within) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) within.toMillis());
      socket.setSoTimeout((int) within.toMillis());
      try {
        socket
            .getOutputStream()
            .write(
                "GET /health/alive HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        return socket.getInputStream().read() == -1;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException reset) {
        return true;
      }
    }
  }
}
