package io.saferollout.lab.dataplane;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 keep-alive connection held open on purpose, as a pooled client holds it: each {@link
 * #get()} goes over the same TCP connection, so a test sees exactly which pod one connection
 * reaches. Blocking, with a read timeout so no test can hang.
 */
final class RawHttpConnection implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttpConnection(InetSocketAddress address) throws IOException {
    socket = new Socket();
    socket.connect(address, 10_000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Sends GET / and returns the response body; throws when the connection is reset or closed. */
  String get() throws IOException {
    out.write("GET / HTTP/1.1\r\nHost: lab\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String status = line();
    if (!status.startsWith("HTTP/1.1 ")) {
      throw new IOException("not an HTTP response: '" + status + "'");
    }
    int length = -1;
    for (String header = line(); !header.isEmpty(); header = line()) {
      if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(header.substring("content-length:".length()).trim());
      }
    }
    if (length < 0) {
      throw new IOException("response without Content-Length");
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  /**
   * -1 when the peer closed the connection, else the next byte (none expected between responses).
   */
  int awaitEnd() throws IOException {
    return in.read();
  }

  private String line() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < 8_192; i++) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed by the peer");
      }
      if (b == '\n') {
        String text = bytes.toString(StandardCharsets.US_ASCII);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      bytes.write(b);
    }
    throw new IOException("header line longer than 8 KiB");
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
