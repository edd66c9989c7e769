package io.saferollout.lab;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.saferollout.lab.app.AppBehaviour;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.lab.app.SidecarBehaviour;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * How a lab pod's programs behave, read from its pod template annotations, so that the Deployment
 * manifest alone describes the workload: a rollout that changes an annotation changes the app,
 * exactly as a new image would on a cluster. Pure: annotations in, behaviour out.
 *
 * <p>Unset annotations take the defaults of a well-behaved app (no warm-up, graceful shutdown); the
 * naive workload of the seed article sets them explicitly.
 */
public final class AppAnnotations {

  public static final String PREFIX = "lab.saferollout.io/";

  /** Milliseconds from process start until the listener opens (connections are refused before). */
  public static final String LISTEN_DELAY_MS = PREFIX + "listen-delay-ms";

  /** Milliseconds after the listener opens during which requests get 500. */
  public static final String WARMUP_MS = PREFIX + "warmup-ms";

  /**
   * What the app does on SIGTERM: {@code immediate} (exits at once), {@code graceful} (stops
   * accepting, finishes in-flight requests with {@code Connection: close}, closes idle keep-alive
   * connections, sends HTTP/2 clients GOAWAY, then exits) or {@code ignore} (PID 1 without a
   * handler: serves until SIGKILL). {@code naive}, the seed article's word, means {@code
   * immediate}. See {@link ShutdownStyle}.
   */
  public static final String SHUTDOWN = PREFIX + "shutdown";

  /** Milliseconds a graceful shutdown waits for in-flight requests at most. */
  public static final String DRAIN_TIMEOUT_MS = PREFIX + "drain-timeout-ms";

  /** Service time of a request: {@code 10} or a uniform range {@code 5-20}, in milliseconds. */
  public static final String SERVICE_TIME_MS = PREFIX + "service-time-ms";

  /** The app's health endpoint (503 while warming up or draining, 200 otherwise). */
  public static final String HEALTH_PATH = PREFIX + "health-path";

  /** Milliseconds until a sidecar container can route; it answers 503 before. */
  public static final String SIDECAR_START_DELAY_MS = PREFIX + "sidecar-start-delay-ms";

  private AppAnnotations() {}

  /**
   * The application container's behaviour.
   *
   * @param seed for service-time draws; callers derive it from the lab seed and the pod name
   * @throws IllegalArgumentException naming the annotation when a value is malformed
   */
  public static AppBehaviour appBehaviour(Pod pod, long seed) {
    Map<String, String> a = annotations(pod.getMetadata());
    long[] serviceTime = range(a, SERVICE_TIME_MS, "5-20");
    return AppBehaviour.builder()
        .listenDelay(millis(a, LISTEN_DELAY_MS, 0))
        .warmup(millis(a, WARMUP_MS, 0))
        .readinessPath(a.getOrDefault(HEALTH_PATH, "/healthz"))
        .serviceTime(Duration.ofMillis(serviceTime[0]), Duration.ofMillis(serviceTime[1]))
        .shutdown(shutdown(a))
        .drainTimeout(millis(a, DRAIN_TIMEOUT_MS, 30_000))
        .seed(seed)
        .build();
  }

  /** A sidecar proxy's behaviour: Istio-like defaults with the annotated start delay. */
  public static SidecarBehaviour sidecarBehaviour(Pod pod) {
    return SidecarBehaviour.startingAfter(
        millis(annotations(pod.getMetadata()), SIDECAR_START_DELAY_MS, 0));
  }

  private static Map<String, String> annotations(ObjectMeta meta) {
    return meta == null || meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
  }

  private static ShutdownStyle shutdown(Map<String, String> a) {
    String value = a.getOrDefault(SHUTDOWN, "graceful").trim().toLowerCase(Locale.ROOT);
    if (value.equals("naive")) {
      return ShutdownStyle.IMMEDIATE;
    }
    for (ShutdownStyle style : ShutdownStyle.values()) {
      if (style.annotationValue().equals(value)) {
        return style;
      }
    }
    throw new IllegalArgumentException(
        "annotation "
            + SHUTDOWN
            + " must be 'immediate', 'graceful' or 'ignore' (or 'naive', meaning 'immediate'), got '"
            + value
            + "'");
  }

  private static Duration millis(Map<String, String> a, String key, long fallback) {
    String value = a.get(key);
    return Duration.ofMillis(value == null ? fallback : nonNegative(key, value));
  }

  private static long[] range(Map<String, String> a, String key, String fallback) {
    String value = a.getOrDefault(key, fallback).trim();
    int dash = value.indexOf('-', 1);
    long min = nonNegative(key, dash < 0 ? value : value.substring(0, dash));
    long max = dash < 0 ? min : nonNegative(key, value.substring(dash + 1));
    if (max < min) {
      throw new IllegalArgumentException(
          "annotation " + key + ": range '" + value + "' ends before it starts");
    }
    return new long[] {min, max};
  }

  private static long nonNegative(String key, String text) {
    try {
      long v = Long.parseLong(text.trim());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below with the annotation's name
    }
    throw new IllegalArgumentException(
        "annotation "
            + key
            + " must be a whole number of milliseconds (0 or more), got '"
            + text
            + "'");
  }
}
