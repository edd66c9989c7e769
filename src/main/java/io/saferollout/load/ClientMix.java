package io.saferollout.load;

import java.util.Locale;

/**
 * Which kind of client sends each request. Real traffic mixes them: browsers, service meshes and
 * most HTTP libraries keep HTTP/1.1 connections open and reuse them (RFC 9112 section 9.3,
 * persistence is the HTTP/1.1 default); gRPC and many service-to-service clients multiplex requests
 * as streams over one HTTP/2 connection (RFC 9113); scripts, health checkers and some SDKs open a
 * connection per request. The difference matters in a rollout: a node's kube-proxy balances per
 * connection, so a reused connection stays on its pod after the endpoint is removed, until the app
 * or the client closes it (https://kubernetes.io/docs/reference/networking/virtual-ips/).
 *
 * <p>The shares are spread evenly and deterministically over the request sequence, so two runs of
 * the same plan send the same requests the same way, with no seed to choose: request {@code i} goes
 * on a pooled connection exactly when {@code floor((i+1)·p) > floor(i·p)} for the pooled share
 * {@code p}, and the pooled requests are split between HTTP/1.1 and HTTP/2 the same way.
 *
 * @param keepAlivePercent share of requests, in percent, sent on pooled HTTP/1.1 keep-alive
 *     connections
 * @param http2Percent share sent as streams on a pooled cleartext HTTP/2 connection (prior
 *     knowledge, no Upgrade)
 */
public record ClientMix(int keepAlivePercent, int http2Percent) {

  /** The kinds of client; each request is sent by one. */
  public enum Kind {
    /**
     * A new TCP connection per request, which the request asks to close ({@code Connection:
     * close}).
     */
    NEW_CONNECTION,
    /** HTTP/1.1 on a pool of keep-alive connections: an idle connection is reused. */
    KEEP_ALIVE,
    /** HTTP/2 cleartext: requests are streams multiplexed over one pooled connection. */
    HTTP2
  }

  /**
   * Half the requests on pooled HTTP/1.1 keep-alive connections, half on a new connection each.
   * HTTP/2 is opt-in: {@code verify} aims at real Services whose apps may not speak cleartext
   * HTTP/2, which would turn every such request into a failure of the client's making.
   */
  public static final ClientMix DEFAULT = new ClientMix(50, 0);

  public ClientMix {
    if (keepAlivePercent < 0 || http2Percent < 0 || keepAlivePercent + http2Percent > 100) {
      throw new IllegalArgumentException(
          "client mix shares must be 0 or more and add up to at most 100 percent, got "
              + keepAlivePercent
              + "% keep-alive and "
              + http2Percent
              + "% HTTP/2");
    }
  }

  public static ClientMix newConnectionPerRequest() {
    return new ClientMix(0, 0);
  }

  public static ClientMix keepAliveOnly() {
    return new ClientMix(100, 0);
  }

  public static ClientMix http2Only() {
    return new ClientMix(0, 100);
  }

  /**
   * Reads {@code "50"} or {@code "50%"} (the HTTP/1.1 keep-alive share), or shares by name, e.g.
   * {@code "keep-alive=40,http2=20"}; the rest open a new connection per request.
   *
   * @throws IllegalArgumentException naming the value when it cannot be read
   */
  public static ClientMix parse(String text) {
    String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    try {
      if (!value.contains("=")) {
        return new ClientMix(percent(value), 0);
      }
      int keepAlive = 0;
      int http2 = 0;
      for (String part : value.split(",")) {
        String[] pair = part.split("=", 2);
        String name = pair[0].trim();
        int share = percent(pair[1].trim());
        switch (name) {
          case "keep-alive" -> keepAlive = share;
          case "http2" -> http2 = share;
          case "new-connection" -> {} // the rest, whatever is written
          default -> throw new IllegalArgumentException("unknown client kind '" + name + "'");
        }
      }
      return new ClientMix(keepAlive, http2);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "client mix '"
              + text
              + "' must be the keep-alive share as a whole"
              + " percentage (e.g. 50%) or shares by kind (e.g. keep-alive=40,http2=20): "
              + e.getMessage(),
          e);
    }
  }

  private static int percent(String text) {
    String digits = text.endsWith("%") ? text.substring(0, text.length() - 1).trim() : text;
    return Integer.parseInt(digits);
  }

  /** The kind of client that sends request number {@code i} (from 0). */
  public Kind kindOf(long i) {
    int pooled = keepAlivePercent + http2Percent;
    if (!steps(i, pooled, 100)) {
      return Kind.NEW_CONNECTION;
    }
    long pooledBefore = Math.floorDiv(i * pooled, 100);
    return steps(pooledBefore, http2Percent, pooled) ? Kind.HTTP2 : Kind.KEEP_ALIVE;
  }

  /**
   * Whether {@code floor(i·share/whole)} steps up at {@code i}: exactly {@code share} of every
   * {@code whole} indices do.
   */
  private static boolean steps(long i, int share, int whole) {
    return Math.floorDiv((i + 1) * share, whole) > Math.floorDiv(i * share, whole);
  }

  /** For headers and reports: "50% keep-alive, 0% HTTP/2, 50% new connection per request". */
  @Override
  public String toString() {
    return keepAlivePercent
        + "% keep-alive, "
        + http2Percent
        + "% HTTP/2, "
        + (100 - keepAlivePercent - http2Percent)
        + "% new connection per request";
  }
}
