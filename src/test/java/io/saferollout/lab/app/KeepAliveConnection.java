package io.saferollout.lab.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One HTTP/1.1 client connection held open by a test, written by hand so that the test sees what a
 * pooled keep-alive client sees: each answer's {@code Connection} header, and whether the server
 * has closed the connection. Blocking and single-threaded: one request at a time.
 */
final class KeepAliveConnection implements AutoCloseable {

  /** One answer; {@code connectionHeader} is lower case, empty when absent. */
  record Answer(int status, String connectionHeader, String body) {
    boolean asksToClose() {
      return connectionHeader.contains("close");
    }
  }

  private final Socket socket = new Socket();
  private final InputStream in;
  private final OutputStream out;

  /**
   * @throws IOException when the connection is refused
   */
  KeepAliveConnection(String host, int port) throws IOException {
    socket.connect(new InetSocketAddress(host, port), 10_000);
    // A bound for reads that the tests expect to succeed; a loaded machine is far quicker.
    socket.setSoTimeout(60_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Sends a GET and reads its answer on another thread, so that the test can act meanwhile. */
  CompletableFuture<Answer> send(String path) {
    try {
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: lab\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return read();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /**
   * Whether the server has closed this connection: a read returns end-of-stream or a reset. Only
   * for a connection with no answer outstanding.
   */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketException reset) {
      return true;
    }
  }

  private Answer read() throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before an answer");
    }
    Map<String, String> headers = new TreeMap<>();
    for (String header = line(); header != null && !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      headers.put(
          header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          header.substring(colon + 1).trim().toLowerCase(Locale.ROOT));
    }
    byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
    return new Answer(
        Integer.parseInt(statusLine.split(" ")[1]),
        headers.getOrDefault("connection", ""),
        new String(body, StandardCharsets.UTF_8));
  }

  private String line() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0; b = in.read()) {
      if (b == '\n') {
        String text = bytes.toString(StandardCharsets.US_ASCII);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      bytes.write(b);
    }
    return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
