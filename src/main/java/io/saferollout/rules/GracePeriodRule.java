package io.saferollout.rules;

import com.fasterxml.jackson.databind.node.IntNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.OptionalInt;

/**
 * SR009, SR010: the grace period must cover the preStop delay, the application's drain and a
 * margin, because it is counted from the deletion and the preStop hook runs inside it (Container
 * hooks docs: the Pod's termination grace period countdown begins before the PreStop hook is
 * executed).
 */
final class GracePeriodRule {
  /** What the API server uses when terminationGracePeriodSeconds is unset. */
  static final int KUBERNETES_DEFAULT_GRACE_SECONDS = 30;

  private GracePeriodRule() {}

  static void apply(HardeningDraft draft, HardeningPolicy policy) {
    PodContainers roles = PodContainers.of(draft.current().getSpec().getTemplate());
    int longestPreStop =
        roles.serving().stream()
            .map(
                c ->
                    c.getLifecycle() == null
                        ? OptionalInt.empty()
                        : PreStopDelay.seconds(c.getLifecycle().getPreStop()))
            .filter(OptionalInt::isPresent)
            .mapToInt(OptionalInt::getAsInt)
            .max()
            .orElse(0);
    // A user's longer preStop needs a longer grace period: the drain still has to fit after it.
    int required =
        Math.max(
            policy.requiredGracePeriodSeconds(),
            longestPreStop + policy.drainSeconds() + HardeningPolicy.GRACE_MARGIN_SECONDS);

    FieldPath path = DeploymentPaths.GRACE_PERIOD;
    Long set = draft.current().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    // Unset (or defaulted) means 30 s; when that is enough, changing it would only cause a needless
    // rollout.
    boolean defaultIsEnough =
        (set == null || draft.defaulted(path)) && required <= KUBERNETES_DEFAULT_GRACE_SECONDS;
    if (!defaultIsEnough) {
      draft.settle(
          Rule.SR009,
          path,
          IntNode.valueOf(required),
          v -> v.asLong() >= required,
          "terminationGracePeriodSeconds must cover preStop + drain + margin: " + required + " s",
          "terminationGracePeriodSeconds is "
              + (set == null ? "unset (30)" : set)
              + " s, less than the "
              + required
              + " s that preStop + drain ("
              + policy.drainSeconds()
              + " s) + margin need; the value is the user's and is kept");
    }

    PodSpec pod = draft.current().getSpec().getTemplate().getSpec();
    long grace =
        pod.getTerminationGracePeriodSeconds() == null
            ? KUBERNETES_DEFAULT_GRACE_SECONDS
            : pod.getTerminationGracePeriodSeconds();
    for (Container c : PodContainers.of(draft.current().getSpec().getTemplate()).serving()) {
      OptionalInt preStop =
          c.getLifecycle() == null
              ? OptionalInt.empty()
              : PreStopDelay.seconds(c.getLifecycle().getPreStop());
      if (preStop.isPresent() && preStop.getAsInt() >= grace) {
        draft.find(
            Rule.SR010,
            DeploymentPaths.preStop(c.getName()),
            "container '"
                + c.getName()
                + "' waits "
                + preStop.getAsInt()
                + " s in preStop, but the whole grace period is "
                + grace
                + " s: the kubelet sends SIGKILL without giving the application time after SIGTERM");
      }
    }
  }
}
