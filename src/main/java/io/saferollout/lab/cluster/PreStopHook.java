package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.saferollout.rules.PreStopDelay;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A container's preStop hook as the lab can run it: the native sleep action (KEP-3960), an exec
 * hook whose delay {@link PreStopDelay} can read (the lab runs no processes, so it can only honour
 * the delay: a script that sleeps and then runs more commands takes the sleep), or an HTTP GET. See
 * https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#hook-handler-implementations
 */
sealed interface PreStopHook {

  record None() implements PreStopHook {}

  record Sleep(Duration duration) implements PreStopHook {}

  record HttpGet(HTTPGetAction action) implements PreStopHook {}

  /** An exec hook that is not a plain sleep: the lab cannot run it, so it takes no time. */
  record UnrecognisedExec(List<String> command) implements PreStopHook {}

  /** The sleep action dropped by an API server without PodLifecycleSleepAction (before 1.30). */
  record UnsupportedSleep(long seconds) implements PreStopHook {}

  static PreStopHook of(Container container, SimulatedVersion version) {
    Optional<LifecycleHandler> handler =
        Optional.ofNullable(container.getLifecycle()).map(Lifecycle::getPreStop);
    if (handler.isEmpty()) {
      return new None();
    }
    LifecycleHandler h = handler.get();
    if (h.getSleep() != null && h.getSleep().getSeconds() != null) {
      long seconds = h.getSleep().getSeconds();
      return version.supportsSleepAction()
          ? new Sleep(Duration.ofSeconds(seconds))
          : new UnsupportedSleep(seconds);
    }
    if (h.getHttpGet() != null) {
      return new HttpGet(h.getHttpGet());
    }
    if (h.getExec() != null) {
      // The rules' reading of the hook, so the lab runs exactly the delay the rules credit it with.
      return PreStopDelay.of(h)
          .<PreStopHook>map(Sleep::new)
          .orElseGet(() -> new UnrecognisedExec(h.getExec().getCommand()));
    }
    return new None();
  }
}
