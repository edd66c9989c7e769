package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;

/**
 * SR015, SR016, SR018, SR019: findings only; none of these can be fixed by patching the Deployment.
 */
final class AvailabilityChecks {
  /**
   * The progress deadline must be this many times a pod's expected time to become available: image
   * pulls, scheduling and a slow start all count against it too, and are not in the probe
   * arithmetic.
   */
  static final int PROGRESS_DEADLINE_MARGIN_FACTOR = 2;

  /** Kubernetes' default progressDeadlineSeconds. */
  static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

  /** Kubernetes' default probe periodSeconds. */
  private static final int DEFAULT_PERIOD_SECONDS = 10;

  private AvailabilityChecks() {}

  static void apply(HardeningDraft draft, List<PodDisruptionBudget> pdbs) {
    DeploymentSpec spec = draft.current().getSpec();
    PodTemplateSpec template = spec.getTemplate();
    Integer replicas = spec.getReplicas();
    if (replicas == null || replicas == 1) {
      draft.find(
          Rule.SR015,
          DeploymentPaths.REPLICAS,
          "the Deployment runs "
              + (replicas == null ? "1 replica (unset)" : "1 replica")
              + ": any eviction or node drain briefly leaves no pod serving (if an autoscaler keeps more, ignore this)");
    }
    Map<String, String> labels =
        template.getMetadata() == null ? Map.of() : template.getMetadata().getLabels();
    if (pdbs != null
        && pdbs.stream()
            .noneMatch(
                p ->
                    p.getSpec() != null
                        && LabelSelectorMatch.matches(p.getSpec().getSelector(), labels))) {
      draft.find(
          Rule.SR016,
          DeploymentPaths.TEMPLATE_LABELS,
          "no PodDisruptionBudget in the namespace selects the pods' labels " + labels);
    }
    if (replicas != null && replicas > 1 && !spreads(template.getSpec())) {
      draft.find(
          Rule.SR018,
          DeploymentPaths.AFFINITY,
          replicas
              + " replicas without pod anti-affinity or topologySpreadConstraints may all run on one node");
    }
    checkProgressDeadline(draft, spec);
  }

  private static boolean spreads(PodSpec pod) {
    Affinity affinity = pod.getAffinity();
    boolean antiAffinity = affinity != null && affinity.getPodAntiAffinity() != null;
    return antiAffinity
        || (pod.getTopologySpreadConstraints() != null
            && !pod.getTopologySpreadConstraints().isEmpty());
  }

  private static void checkProgressDeadline(HardeningDraft draft, DeploymentSpec spec) {
    int deadline =
        spec.getProgressDeadlineSeconds() == null
            ? DEFAULT_PROGRESS_DEADLINE_SECONDS
            : spec.getProgressDeadlineSeconds();
    int minReady = spec.getMinReadySeconds() == null ? 0 : spec.getMinReadySeconds();
    int slowestReadiness =
        PodContainers.of(spec.getTemplate()).serving().stream()
            .mapToInt(AvailabilityChecks::secondsToReady)
            .max()
            .orElse(0);
    int expected = slowestReadiness + minReady;
    if (deadline < PROGRESS_DEADLINE_MARGIN_FACTOR * expected) {
      draft.find(
          Rule.SR019,
          DeploymentPaths.PROGRESS_DEADLINE_SECONDS,
          "progressDeadlineSeconds is "
              + deadline
              + " s, but a new pod needs about "
              + expected
              + " s to become available (readiness "
              + slowestReadiness
              + " s + minReadySeconds "
              + minReady
              + " s), and the deadline should be at least "
              + PROGRESS_DEADLINE_MARGIN_FACTOR
              + " times that");
    }
  }

  /** The earliest a container can turn ready: initialDelay + period x successThreshold. */
  private static int secondsToReady(Container c) {
    Probe p = c.getReadinessProbe();
    if (p == null) {
      return 0;
    }
    int initial = p.getInitialDelaySeconds() == null ? 0 : p.getInitialDelaySeconds();
    int period = p.getPeriodSeconds() == null ? DEFAULT_PERIOD_SECONDS : p.getPeriodSeconds();
    int successes = p.getSuccessThreshold() == null ? 1 : p.getSuccessThreshold();
    return initial + period * successes;
  }
}
