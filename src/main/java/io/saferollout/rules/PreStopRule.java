package io.saferollout.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * SR005-SR008: a serving container waits before SIGTERM, so endpoint removal reaches kube-proxy,
 * ingresses and meshes first (Pod termination docs: removal from EndpointSlices and the preStop
 * hook happen in parallel). A hook the user wrote is always kept, in every mode.
 */
final class PreStopRule {
  private PreStopRule() {}

  static void apply(HardeningDraft draft, HardeningPolicy policy, ClusterCapabilities caps) {
    int delay = policy.preStopDelaySeconds();
    for (Container c : PodContainers.of(draft.current().getSpec().getTemplate()).serving()) {
      FieldPath path = DeploymentPaths.preStop(c.getName());
      LifecycleHandler hook = c.getLifecycle() == null ? null : c.getLifecycle().getPreStop();
      boolean ours = draft.owns(path);
      if (hook != null && !ours) {
        checkUserHook(draft, c.getName(), path, hook, delay);
        continue;
      }
      if (delay == 0) {
        // A zero sleep is only valid behind a 1.32+ feature gate (KEP-4818); no delay means no
        // hook.
        if (ours) {
          draft.change(
              Rule.SR005,
              path,
              null,
              "preStop.delaySeconds is 0: the delay SafeRollout added is removed");
        }
        continue;
      }
      if (ours && keepsItsForm(hook, delay, caps)) {
        if (hook.getSleep() == null) {
          draft.find(
              Rule.SR006,
              path,
              "container '"
                  + c.getName()
                  + "' waits with sh -c 'sleep "
                  + delay
                  + "'; SafeRollout keeps this form, which works, rather than roll the Deployment only to switch to the "
                  + "sleep action"
                  + (caps.sleepAction() ? "" : " (Kubernetes " + caps + " has none; 1.30+)")
                  + "; an image without a shell (distroless, scratch) skips the delay");
        }
        continue;
      }
      LifecycleHandler wanted =
          caps.sleepAction()
              ? new LifecycleHandlerBuilder()
                  .withNewSleep()
                  .withSeconds((long) delay)
                  .endSleep()
                  .build()
              : new LifecycleHandlerBuilder()
                  .withNewExec()
                  .withCommand("sh", "-c", "sleep " + delay)
                  .endExec()
                  .build();
      JsonNode value = ManifestJson.valueOf(wanted);
      draft.change(
          Rule.SR005,
          path,
          value,
          "container '"
              + c.getName()
              + "' had no preStop delay: "
              + (caps.sleepAction() ? "sleep action" : "exec sh -c 'sleep " + delay + "'")
              + " for "
              + delay
              + " s");
      if (!caps.sleepAction()) {
        draft.find(
            Rule.SR006,
            path,
            "container '"
                + c.getName()
                + "' waits with sh -c 'sleep "
                + delay
                + "' because Kubernetes "
                + caps
                + " has no preStop sleep action (1.30+); an image without a shell "
                + "(distroless, scratch) skips the delay");
      }
    }
  }

  /**
   * True when SafeRollout's hook already waits the policy's delay in a form the cluster runs. A
   * hook form is a template change: switching exec-sleep to the sleep action after the cluster
   * learns it would roll every hardened Deployment for nothing. A sleep action the kubelets cannot
   * run (the oldest kubelet is older than 1.30) does not keep its form.
   */
  private static boolean keepsItsForm(LifecycleHandler hook, int delay, ClusterCapabilities caps) {
    boolean waitsTheDelay =
        PreStopDelay.of(hook).map(d -> d.equals(Duration.ofSeconds(delay))).orElse(false);
    return waitsTheDelay && (hook.getSleep() == null || caps.sleepAction());
  }

  private static void checkUserHook(
      HardeningDraft draft, String container, FieldPath path, LifecycleHandler hook, int delay) {
    OptionalInt seconds = PreStopDelay.seconds(hook);
    if (seconds.isEmpty()) {
      draft.find(
          Rule.SR008,
          path,
          "container '"
              + container
              + "' has its own preStop hook, which is kept; SafeRollout cannot tell how long it waits");
    } else if (seconds.getAsInt() < delay) {
      draft.find(
          Rule.SR007,
          path,
          "container '"
              + container
              + "' waits "
              + seconds.getAsInt()
              + " s in preStop, less than the policy's "
              + delay
              + " s; the hook is the user's and is kept");
    }
  }
}
