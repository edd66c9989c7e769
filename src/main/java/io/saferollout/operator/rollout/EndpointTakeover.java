package io.saferollout.operator.rollout;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.saferollout.rules.PodContainers;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * How long a Deployment's last serving pod must keep serving through its preStop while its
 * replacement comes up. When every ready endpoint of a Service is terminating, kube-proxy routes to
 * the terminating endpoints that still pass readiness (KEP-1669, serving-terminating fallback): the
 * old pod is then the only one serving until the new pod is started and ready, and its endpoint has
 * reached the proxies. The last leg is the same pipeline as removal, which the removal p99 already
 * sizes; this adds the start and the readiness.
 *
 * <p>That happens with one replica (a rollout with surge is safe, but an eviction or a node drain
 * deletes the pod before the ReplicaSet's replacement exists), and in a rolling update whose
 * maxUnavailable covers every replica (maxSurge 0 with one replica, or maxUnavailable 100%).
 * Recreate is left out: it starts new pods only after the old ones are gone, which no preStop can
 * bridge.
 */
public final class EndpointTakeover {
  /**
   * Scheduling, sandbox and container start of a pod whose image is on the node: the Kubernetes pod
   * startup SLO (sig-scalability, "Pod startup latency") is 5 s at the 99th percentile for
   * stateless pods, image pulls excluded. Image pulls are not covered; state them as a budget.
   */
  static final int POD_START_SECONDS = 5;

  /** The probe defaults of the Pod API (periodSeconds 10, successThreshold 1). */
  private static final int DEFAULT_PERIOD_SECONDS = 10;

  /** What one Deployment needs; {@code seconds} 0 when it always has a ready endpoint left. */
  public record Need(String deployment, int seconds, String why) {
    static final Need NONE = new Need(null, 0, "");
  }

  private EndpointTakeover() {}

  /** The longest need over the targets. */
  public static Need of(List<Deployment> targets) {
    return targets.stream()
        .map(EndpointTakeover::of)
        .max(Comparator.comparingInt(Need::seconds))
        .orElse(Need.NONE);
  }

  /** What {@code d} needs: pod start + readiness when it can lose every ready endpoint at once. */
  public static Need of(Deployment d) {
    Optional<String> alone = everyEndpointCanTerminate(d);
    if (alone.isEmpty()) {
      return new Need(d.getMetadata().getName(), 0, "");
    }
    int readiness =
        PodContainers.of(d.getSpec().getTemplate()).serving().stream()
            .mapToInt(EndpointTakeover::readinessSeconds)
            .max()
            .orElse(0);
    int seconds = POD_START_SECONDS + readiness;
    return new Need(
        d.getMetadata().getName(),
        seconds,
        "Deployment "
            + d.getMetadata().getName()
            + " "
            + alone.get()
            + ": + "
            + seconds
            + " s for its replacement to start ("
            + POD_START_SECONDS
            + " s) and turn ready ("
            + readiness
            + " s)");
  }

  /** Why every ready endpoint can be terminating at once, or empty when one always stays. */
  static Optional<String> everyEndpointCanTerminate(Deployment d) {
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    if (replicas <= 0) {
      return Optional.empty();
    }
    DeploymentStrategy strategy = d.getSpec().getStrategy();
    if (strategy != null && "Recreate".equals(strategy.getType())) {
      return Optional.empty();
    }
    if (replicas == 1) {
      return Optional.of("has one replica (an eviction removes it before its replacement exists)");
    }
    var rolling = strategy == null ? null : strategy.getRollingUpdate();
    IntOrString surge = rolling == null ? null : rolling.getMaxSurge();
    IntOrString unavailable = rolling == null ? null : rolling.getMaxUnavailable();
    // The Deployment controller rounds maxSurge up and maxUnavailable down, and takes
    // maxUnavailable 1 when both come out 0 (pkg/controller/deployment/util.ResolveFenceposts).
    int maxSurge = resolve(surge, replicas, true, "25%");
    int maxUnavailable = resolve(unavailable, replicas, false, "25%");
    if (maxSurge == 0 && maxUnavailable == 0) {
      maxUnavailable = 1;
    }
    if (maxUnavailable >= replicas) {
      return Optional.of(
          "has maxUnavailable "
              + maxUnavailable
              + " of "
              + replicas
              + " replicas (a rollout step can terminate every ready pod)");
    }
    return Optional.empty();
  }

  /**
   * Worst case from the container's start to Ready: the startup probe's first success, then the
   * readiness probe's initial delay and successThreshold probes a period apart. Without a readiness
   * probe a container is ready as soon as it runs.
   */
  static int readinessSeconds(Container c) {
    int startup = c.getStartupProbe() == null ? 0 : firstSuccess(c.getStartupProbe(), 1);
    Probe r = c.getReadinessProbe();
    int ready = r == null ? 0 : firstSuccess(r, value(r.getSuccessThreshold(), 1));
    return startup + ready;
  }

  private static int firstSuccess(Probe p, int successes) {
    return value(p.getInitialDelaySeconds(), 0)
        + value(p.getPeriodSeconds(), DEFAULT_PERIOD_SECONDS) * successes;
  }

  private static int value(Integer v, int otherwise) {
    return v == null ? otherwise : v;
  }

  private static int resolve(IntOrString v, int replicas, boolean roundUp, String otherwise) {
    String text = v == null ? otherwise : v.getStrVal();
    if (v != null && v.getIntVal() != null) {
      return v.getIntVal();
    }
    if (text != null && text.endsWith("%")) {
      double share = Double.parseDouble(text.substring(0, text.length() - 1)) / 100 * replicas;
      return (int) (roundUp ? Math.ceil(share - 1e-9) : Math.floor(share + 1e-9));
    }
    return text == null ? 0 : Integer.parseInt(text);
  }
}
