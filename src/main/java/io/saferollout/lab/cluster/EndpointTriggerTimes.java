package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the EndpointSlice controller writes as {@code
 * endpoints.kubernetes.io/last-change-trigger-time}, as kubernetes/kubernetes
 * pkg/controller/util/endpoint/trigger_time_tracker.go computes it: a pod's trigger time is its
 * Ready condition's lastTransitionTime, the Service's is its creationTimestamp; a sync exports the
 * earliest of those that moved since the Service's previous sync, or the Service's
 * creationTimestamp on its first sync, or nothing when none moved (a pod deleted while still Ready
 * moves nothing, so that change carries no trigger time, as on a cluster). Like the original it may
 * be off when one object changes twice between two syncs. Not thread-safe: one sync per Service at
 * a time.
 */
final class EndpointTriggerTimes {

  static final String ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

  private record ServiceState(Instant serviceTrigger, Map<String, Instant> podTriggers) {}

  private final Map<String, ServiceState> states = new HashMap<>();

  /** The trigger time to export for this sync of {@code key}; records this sync's state. */
  Optional<Instant> compute(String key, Service service, List<Pod> pods) {
    ServiceState before = states.get(key);
    Map<String, Instant> podTriggers = new HashMap<>();
    Instant earliestChanged = null;
    for (Pod pod : pods) {
      Optional<Instant> trigger = podTrigger(pod);
      if (trigger.isPresent()) {
        podTriggers.put(pod.getMetadata().getName(), trigger.get());
        Instant last =
            before == null ? null : before.podTriggers().get(pod.getMetadata().getName());
        if (last == null || trigger.get().isAfter(last)) {
          earliestChanged = earliest(earliestChanged, trigger.get());
        }
      }
    }
    Instant serviceTrigger = parse(service.getMetadata().getCreationTimestamp());
    if (serviceTrigger != null
        && (before == null
            || before.serviceTrigger() == null
            || serviceTrigger.isAfter(before.serviceTrigger()))) {
      earliestChanged = earliest(earliestChanged, serviceTrigger);
    }
    states.put(key, new ServiceState(serviceTrigger, podTriggers));
    if (before == null) {
      return Optional.ofNullable(serviceTrigger);
    }
    return Optional.ofNullable(earliestChanged);
  }

  void forget(String key) {
    states.remove(key);
  }

  private static Optional<Instant> podTrigger(Pod pod) {
    return PodConditions.condition(pod, "Ready").map(c -> parse(c.getLastTransitionTime()));
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }

  private static Instant parse(String timestamp) {
    if (timestamp == null || timestamp.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
