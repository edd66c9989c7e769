package io.saferollout.load;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * The stable names under which a request's outcome is counted. Reports, status fields and timelines
 * use these keys, so they never change once published.
 *
 * <p>Every 5xx code is its own class ("500", "502", "503", "504", ...) because each points at a
 * different cause in a rollout: 500 from an app that took traffic before it was warm, 502 from a
 * proxy whose upstream refused or reset, 503 from a proxy with no endpoint (or a sidecar with no
 * route), 504 from an upstream that stalled.
 */
public final class FailureClass {

  /** Nothing accepted the connection: the pod's listener was closed or not open yet. */
  public static final String CONNECT_REFUSED = "connect-refused";

  /**
   * The connection (or the HTTP/2 stream) was reset or closed before a complete response arrived.
   */
  public static final String RESET = "reset";

  /**
   * A request written to a pooled keep-alive connection that had already carried a response, and
   * that the server then reset or closed before answering: the race every keep-alive client has
   * with a server closing idle connections (RFC 9112 section 9.6 leaves retrying to the client, and
   * only for idempotent requests). The generator never retries, so each one counts.
   */
  public static final String RESET_ON_REUSED_CONNECTION = "reset-on-reused-connection";

  /** No complete response (or no connection) within the request timeout. */
  public static final String TIMEOUT = "timeout";

  /**
   * The generator had already reached its in-flight cap when this request was due, so it was not
   * sent.
   */
  public static final String OVERLOAD = "overload";

  /** Any other error, e.g. a TLS failure or a malformed response. */
  public static final String OTHER_ERROR = "other-error";

  private FailureClass() {}

  /** {@code null} for 2xx; the code itself for 5xx; "1xx", "3xx" or "4xx" for the rest. */
  public static String ofStatus(int status) {
    if (status >= 200 && status < 300) {
      return null;
    }
    if (status >= 500 && status < 600) {
      return Integer.toString(status);
    }
    if (status >= 100 && status < 500) {
      return (status / 100) + "xx";
    }
    return OTHER_ERROR;
  }

  /**
   * As {@link #ofError(Throwable)}, but a reset of a connection that was reused from the pool is
   * told apart from one on a fresh connection: the first is what a keep-alive client sees when the
   * app closes connections without {@code Connection: close}.
   */
  public static String ofError(Throwable error, boolean reusedConnection) {
    String failureClass = ofError(error);
    return reusedConnection && failureClass.equals(RESET)
        ? RESET_ON_REUSED_CONNECTION
        : failureClass;
  }

  /** Names the transport-level cause, looking through wrapping exceptions. */
  public static String ofError(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException || t instanceof ConnectTimeoutException) {
        return TIMEOUT;
      }
      if (t instanceof ConnectException) {
        return CONNECT_REFUSED;
      }
      if (t instanceof HttpClosedException
          || t instanceof ClosedChannelException
          || t instanceof StreamResetException) {
        return RESET;
      }
      if (t instanceof IOException && mentionsReset(t.getMessage())) {
        return RESET;
      }
    }
    return OTHER_ERROR;
  }

  private static boolean mentionsReset(String message) {
    if (message == null) {
      return false;
    }
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("reset") || m.contains("broken pipe") || m.contains("closed");
  }
}
