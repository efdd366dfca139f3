package io.ringstore.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal blocking HTTP/1.1 client over one keep-alive socket, for one worker: it writes a
 * request, reads the status line and headers, and reads or skips the body ({@code Content-Length},
 * chunked, or to the end of the connection). Far cheaper per request than the JDK client, which
 * matters when the load generator shares two cores with the nodes it measures. Over HTTPS the
 * socket is wrapped in an {@link SSLSocket} of the given context, with SNI and the host name
 * checked against the node's certificate as HTTPS does; every request carries the {@code
 * Authorization} header when one is given. Any I/O failure closes the socket; the next request
 * opens a new one. Not thread-safe.
 */
final class SocketHttpConnection implements Connection {
  private final String host;
  private final int port;
  private final String readQuery;
  private final String writeQuery;
  private final int timeoutMillis;
  private final SSLSocketFactory tls;
  private final String authorization;
  private final StringBuilder line = new StringBuilder(128);
  private final byte[] skip = new byte[8192];
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  /**
   * A connection to {@code node} over TLS with {@code tls} (null: plain TCP), sending {@code
   * authorization} as the {@code Authorization} header of every request (null: none).
   */
  SocketHttpConnection(
      String node,
      String readQuery,
      String writeQuery,
      int timeoutMillis,
      SSLSocketFactory tls,
      String authorization) {
    int colon = node.lastIndexOf(':');
    String h = node.substring(0, colon);
    this.host = h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    this.port = Integer.parseInt(node.substring(colon + 1));
    this.readQuery = readQuery;
    this.writeQuery = writeQuery;
    this.timeoutMillis = timeoutMillis;
    this.tls = tls;
    this.authorization = authorization;
  }

  /** What came back: the status and the causal context header. */
  private record Response(int status, String context) {}

  @Override
  public Result read(String key) {
    return get(key, false);
  }

  @Override
  public Result readForUpdate(String key) {
    return get(key, true);
  }

  private Result get(String key, boolean missingIsOk) {
    try {
      Response response = exchange("GET", key, readQuery, null, null);
      int status = response.status();
      if (status == 200 || status == 300 || (status == 404 && missingIsOk)) {
        return Result.ok(response.context(), status == 300);
      }
      return Result.failedWith(status);
    } catch (IOException | RuntimeException e) {
      return failure(e);
    }
  }

  @Override
  public Result write(String key, byte[] value, String context) {
    try {
      Response response = exchange("PUT", key, writeQuery, value, context);
      int status = response.status();
      if (status == 204 || status == 200) {
        return Result.ok(response.context(), false);
      }
      return Result.failedWith(status);
    } catch (IOException | RuntimeException e) {
      return failure(e);
    }
  }

  /**
   * The status of one {@code HEAD /kv/key} (access as a read, no body, so a node's counts of reads
   * are untouched); an IOException when there is no answer (TLS failures included).
   */
  int status(String key) throws IOException {
    try {
      return exchange("HEAD", key, readQuery, null, null).status();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private Result failure(Exception e) {
    close();
    String kind = e.getClass().getSimpleName();
    return e instanceof ConnectException ? Result.refused(kind) : Result.failed(kind);
  }

  private Response exchange(String method, String key, String query, byte[] body, String context)
      throws IOException {
    if (socket == null) {
      Socket s = new Socket();
      s.setTcpNoDelay(true);
      s.setKeepAlive(true);
      s.connect(new InetSocketAddress(host, port), Math.min(2000, timeoutMillis));
      s.setSoTimeout(timeoutMillis);
      if (tls != null) {
        s = handshake(s);
      }
      socket = s;
      in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
      out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
    }
    StringBuilder head = new StringBuilder(160);
    head.append(method)
        .append(" /kv/")
        .append(key)
        .append(query)
        .append(" HTTP/1.1\r\nHost: ")
        .append(host)
        .append(':')
        .append(port)
        .append("\r\n");
    if (body != null) {
      head.append("Content-Type: application/octet-stream\r\nContent-Length: ")
          .append(body.length)
          .append("\r\n");
    }
    if (authorization != null) {
      head.append("Authorization: ").append(authorization).append("\r\n");
    }
    if (context != null) {
      head.append(HttpConnections.CONTEXT_HEADER).append(": ").append(context).append("\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      out.write(body);
    }
    out.flush();
    return readResponse(method);
  }

  /**
   * {@code plain} wrapped in TLS, the handshake done: SNI for a host name, the host checked as
   * HTTPS does.
   */
  private Socket handshake(Socket plain) throws IOException {
    SSLSocket ssl = (SSLSocket) tls.createSocket(plain, host, port, true);
    try {
      SSLParameters parameters = ssl.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      if (!isIpLiteral(host)) {
        parameters.setServerNames(List.of(new SNIHostName(host)));
      }
      ssl.setSSLParameters(parameters);
      ssl.startHandshake();
      return ssl;
    } catch (IOException | RuntimeException e) {
      ssl.close();
      throw e;
    }
  }

  private static boolean isIpLiteral(String host) {
    return host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }

  private Response readResponse(String method) throws IOException {
    String statusLine = readLine();
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
      throw new IOException("not an HTTP/1.x status line: '" + statusLine + "'");
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean close = statusLine.startsWith("HTTP/1.0");
    String context = null;
    for (String header = readLine(); !header.isEmpty(); header = readLine()) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = header.substring(0, colon).trim();
      String value = header.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Long.parseLong(value);
      } else if (name.equalsIgnoreCase(HttpConnections.CONTEXT_HEADER)) {
        context = value;
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
      } else if (name.equalsIgnoreCase("Connection")) {
        close = value.equalsIgnoreCase("close");
      }
    }
    boolean noBody = method.equals("HEAD") || status == 204 || status == 304 || status / 100 == 1;
    if (!noBody) {
      if (chunked) {
        skipChunked();
      } else if (length >= 0) {
        skipFully(length);
      } else {
        while (in.read(skip) >= 0) {
          // no length: the body runs to the end of the connection
        }
        close = true;
      }
    }
    if (close) {
      close();
    }
    return new Response(status, context);
  }

  private void skipChunked() throws IOException {
    while (true) {
      String size = readLine();
      int semicolon = size.indexOf(';');
      long n = Long.parseLong((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
      if (n == 0) {
        while (!readLine().isEmpty()) {
          // trailers
        }
        return;
      }
      skipFully(n);
      readLine();
    }
  }

  private void skipFully(long n) throws IOException {
    for (long left = n; left > 0; ) {
      int r = in.read(skip, 0, (int) Math.min(skip.length, left));
      if (r < 0) {
        throw new EOFException("the connection closed inside a response body");
      }
      left -= r;
    }
  }

  /** A header line without its CRLF (ISO-8859-1). */
  private String readLine() throws IOException {
    line.setLength(0);
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the connection closed inside a response head");
      }
      if (b == '\n') {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
          line.setLength(end - 1);
        }
        return line.toString();
      }
      line.append((char) b);
    }
  }

  void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing after a failure: nothing more to do
      }
      socket = null;
      in = null;
      out = null;
    }
  }
}
