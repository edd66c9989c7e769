package io.saferollout.lab.app;

import java.util.Locale;

/**
 * What a container process does when it receives SIGTERM. The kubelet sends SIGTERM after the
 * preStop hook and SIGKILL when the grace period is over, whatever the process did
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination); these are
 * the three things real processes do in between.
 */
public enum ShutdownStyle {
  /**
   * Exits at once, as a process with the default SIGTERM disposition (terminate) does: the listener
   * and every open connection close, so in-flight requests are cut, keep-alive clients see their
   * connections reset and later connections are refused.
   */
  IMMEDIATE,
  /**
   * Shuts down as an Envoy drain does: stops accepting connections, finishes the requests in flight
   * and answers them (and the next request arriving on each open connection) with {@code
   * Connection: close} so that keep-alive clients move on, closes a keep-alive connection unasked
   * only once it has been idle for a second (closing it at once races a request the client may be
   * writing, RFC 9112 section 9.6, as Go's {@code Shutdown} does), sends HTTP/2 clients GOAWAY (RFC
   * 9113 section 6.8) and finishes their open streams, then exits; bounded by a drain timeout after
   * which it exits anyway.
   */
  GRACEFUL,
  /**
   * Ignores SIGTERM, as a program running as PID 1 in its container does unless it installs a
   * handler: Linux delivers no signal to PID 1 for which it has only the default disposition
   * (signal(7), pid_namespaces(7)), so it keeps serving, keep-alive connections included, until
   * SIGKILL at the end of the grace period.
   */
  IGNORE;

  /**
   * The name used in the {@code lab.saferollout.io/shutdown} annotation: "immediate", "graceful",
   * "ignore".
   */
  public String annotationValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
