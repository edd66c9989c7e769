package io.saferollout.rules;

import java.util.Arrays;
import java.util.Optional;

/**
 * The catalogue of zero-downtime rules: the one place a rule's id, title, severity and explanation
 * live. Lint output, status findings, docs and {@code lint --explain} all read it from here. Ids
 * are stable: never renumber, only add.
 */
public enum Rule {
  SR001(
      "Serving container has no readiness probe",
      Severity.ERROR,
      "Without a readiness probe a container counts as ready the moment it starts, so a new pod gets "
          + "traffic before the application can serve it and clients see 500s or refused connections.",
      "Add a readinessProbe (httpGet on the application's health endpoint) to every container that "
          + "serves traffic, or set spec.readinessProbe.path on the SafeRollout so it adds one."),
  SR002(
      "Readiness probe only checks that the port is open",
      Severity.INFO,
      "A TCP check passes as soon as the server socket listens, which can be before the application "
          + "has loaded its configuration or reached its dependencies; early requests can still fail.",
      "Set spec.readinessProbe.path to an HTTP endpoint that reports real readiness."),
  SR003(
      "Sidecar has no readiness probe",
      Severity.WARNING,
      "The pod turns ready while its proxy sidecar is still fetching configuration, so the first "
          + "requests through the proxy fail.",
      "Give the sidecar a readinessProbe (and, as a native sidecar, a startupProbe); mesh injectors "
          + "usually add one, a hand-written sidecar needs its own."),
  SR004(
      "Sidecars are not ordered around the application",
      Severity.WARNING,
      "The application can start, turn ready and take traffic before its proxy sidecar is up, and on "
          + "shutdown the proxy can exit while the application still drains requests; both moments "
          + "return errors.",
      "Use native sidecars (initContainers with restartPolicy: Always, Kubernetes 1.29+), Istio's "
          + "holdApplicationUntilProxyStarts, or Linkerd's config.linkerd.io/proxy-await, and keep the "
          + "proxy alive for the application's whole shutdown."),
  SR005(
      "Serving container has no preStop delay",
      Severity.ERROR,
      "SIGTERM arrives while the pod is still in the endpoints of kube-proxy, ingresses and meshes "
          + "(endpoint removal takes time to propagate), so requests routed to it in that window are "
          + "refused or reset: 502/503.",
      "Add a preStop hook that waits for endpoint removal to propagate, e.g. lifecycle.preStop.sleep."
          + "seconds: 15 (Kubernetes 1.30+), or exec [sh, -c, 'sleep 15']."),
  SR006(
      "preStop delay needs a shell in the image",
      Severity.WARNING,
      "An exec preStop such as sh -c 'sleep 15' fails at once in images without a shell (distroless, "
          + "scratch): the delay is silently skipped and the pod gets SIGTERM while still receiving traffic.",
      "Make sure the image has /bin/sh, or upgrade the cluster to Kubernetes 1.30+ so the native "
          + "lifecycle.preStop.sleep action can be used."),
  SR007(
      "preStop delay is shorter than the policy",
      Severity.WARNING,
      "If endpoint removal takes longer to propagate than the delay, the pod gets SIGTERM while "
          + "proxies still route to it and those requests fail.",
      "Lengthen the preStop delay to at least the SafeRollout's preStop.delaySeconds, or lower that "
          + "setting if measured endpoint-removal latency allows it."),
  SR008(
      "preStop hook kept unchecked",
      Severity.INFO,
      "The preStop hook is not a plain sleep, so SafeRollout cannot tell how long it delays SIGTERM; "
          + "if it returns before endpoint removal has propagated, requests fail.",
      "Make sure the hook waits at least preStop.delaySeconds before returning, or replace it with a sleep."),
  SR009(
      "terminationGracePeriodSeconds is shorter than preStop plus drain",
      Severity.ERROR,
      "The grace period covers the preStop hook and the application's shutdown; when it runs out the "
          + "kubelet sends SIGKILL and in-flight requests are cut.",
      "Set terminationGracePeriodSeconds to at least preStop delay + drain time + a few seconds."),
  SR010(
      "preStop delay uses up the whole grace period",
      Severity.ERROR,
      "The preStop hook counts against terminationGracePeriodSeconds; when it takes the whole period "
          + "the application gets SIGKILL without ever seeing SIGTERM, so in-flight requests are cut.",
      "Make terminationGracePeriodSeconds longer than the preStop delay plus the application's drain time."),
  SR011(
      "Deployment uses the Recreate strategy",
      Severity.ERROR,
      "Recreate stops every old pod before starting a new one: the service has no endpoints in "
          + "between and every request fails.",
      "Use strategy.type: RollingUpdate with maxUnavailable: 0 and a positive maxSurge."),
  SR012(
      "Rolling update may take pods down before replacements are ready",
      Severity.WARNING,
      "With maxUnavailable above 0 the rollout removes serving pods before new ones are ready, so "
          + "the remaining pods take the load of the missing ones and can overload.",
      "Set strategy.rollingUpdate.maxUnavailable: 0 (and a positive maxSurge)."),
  SR013(
      "Rolling update has no positive maxSurge",
      Severity.WARNING,
      "With maxUnavailable 0 the rollout can only progress by adding pods; without a positive maxSurge "
          + "Kubernetes rejects the strategy, or the rollout never starts a new pod.",
      "Set strategy.rollingUpdate.maxSurge to a positive number or percentage, e.g. 25%."),
  SR014(
      "minReadySeconds is 0",
      Severity.INFO,
      "A new pod counts as available the moment it is ready, so the rollout removes old pods even "
          + "when the new one crashes a second later.",
      "Set minReadySeconds to a few seconds (5 is a good start)."),
  SR015(
      "Deployment has a single replica",
      Severity.WARNING,
      "With one pod, an eviction or node drain leaves the service without endpoints until a new pod "
          + "is ready, and a PodDisruptionBudget cannot protect it.",
      "Run at least 2 replicas (or let a HorizontalPodAutoscaler keep minReplicas >= 2)."),
  SR016(
      "No PodDisruptionBudget covers the pods",
      Severity.WARNING,
      "A node drain or cluster upgrade may evict all pods at once, independently of the rolling-update "
          + "strategy, and the service has no endpoints until new pods are ready.",
      "Create a PodDisruptionBudget whose selector matches the pod template labels, e.g. maxUnavailable: 1."),
  SR017(
      "Readiness probe is identical to the liveness probe",
      Severity.WARNING,
      "When the application is briefly overloaded both probes fail together: instead of only being "
          + "taken out of the endpoints, the container is restarted, which drops its in-flight requests "
          + "and moves its load to the other pods.",
      "Make the liveness probe more tolerant than readiness (a higher failureThreshold, or a "
          + "cheaper endpoint that does not check dependencies)."),
  SR018(
      "Replicas are not spread across nodes",
      Severity.WARNING,
      "Without pod anti-affinity or topology spread constraints every replica can land on one node; "
          + "when that node is drained or fails, all of them go at once.",
      "Add topologySpreadConstraints (topologyKey kubernetes.io/hostname) or a preferred pod anti-affinity."),
  SR019(
      "progressDeadlineSeconds is shorter than a pod needs to become available",
      Severity.WARNING,
      "The Deployment is marked as failed (ProgressDeadlineExceeded) while new pods are still starting, "
          + "which fires rollbacks and alerts for a healthy rollout.",
      "Raise progressDeadlineSeconds well above initialDelaySeconds + periodSeconds x successThreshold "
          + "+ minReadySeconds (the Kubernetes default is 600)."),
  SR020(
      "Service selects no pods",
      Severity.ERROR,
      "The Service's selector matches none of the pod templates, so it has no endpoints and every "
          + "request to it fails.",
      "Make spec.selector match the labels of the Deployment's spec.template.metadata.labels."),
  SR021(
      "Service targetPort names a port no container declares",
      Severity.ERROR,
      "A named targetPort is resolved against the selected pods' container ports; a pod without a port "
          + "of that name is left out of the Service's endpoints, so the Service gets no endpoints from it.",
      "Name the container port as the Service's targetPort says, or use the port number."),
  SR022(
      "Service targetPort matches no declared container port",
      Severity.WARNING,
      "Traffic goes to a port the containers do not declare; if the application does not listen there, "
          + "every request is refused. Readiness checks on the declared ports do not cover it.",
      "Make targetPort one of the containers' declared ports (containerPort)."),
  SR023(
      "Endpoint removal outlasted the preStop delay",
      Severity.WARNING,
      "The pod got SIGTERM while its endpoint was still being removed: measured removal (EndpointSlices, "
          + "then the nodes programming the change, then the stated budgets) took longer than its preStop, so "
          + "proxies kept routing to a pod that was shutting down and those requests failed with 502/503.",
      "Set spec.preStop.mode: Auto so the delay follows measured removal, or raise spec.preStop.delaySeconds "
          + "above the removal p99 in status.preStopTuning; state a budget for hops no metric covers.");

  private final String title;
  private final Severity severity;
  private final String whatFails;
  private final String fix;

  Rule(String title, Severity severity, String whatFails, String fix) {
    this.title = title;
    this.severity = severity;
    this.whatFails = whatFails;
    this.fix = fix;
  }

  public String id() {
    return name();
  }

  public String title() {
    return title;
  }

  public Severity severity() {
    return severity;
  }

  /** What goes wrong at rollout time if this rule is ignored. */
  public String whatFails() {
    return whatFails;
  }

  public String fix() {
    return fix;
  }

  /** Looks a rule up by id, case-insensitively ("sr005" finds SR005); empty for unknown ids. */
  public static Optional<Rule> byId(String id) {
    if (id == null) {
      return Optional.empty();
    }
    String wanted = id.trim();
    return Arrays.stream(values()).filter(r -> r.name().equalsIgnoreCase(wanted)).findFirst();
  }
}
