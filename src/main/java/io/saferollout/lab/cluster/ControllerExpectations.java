package io.saferollout.lab.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * controller.ControllerExpectations: after creating or deleting pods, a ReplicaSet waits until its
 * informer has seen those changes before counting pods again, or it would act twice on a stale
 * cache. Expectations expire after five minutes, as in kube-controller-manager, so a lost event
 * cannot block a ReplicaSet for ever.
 */
final class ControllerExpectations {

  private static final Duration TTL = Duration.ofMinutes(5);

  private record Pending(Set<String> creations, Set<String> deletions, Instant since) {}

  private final Map<String, Pending> pending = new HashMap<>();

  synchronized void expectCreations(String owner, Set<String> podNames) {
    pending(owner).creations().addAll(podNames);
  }

  synchronized void expectDeletions(String owner, Set<String> podNames) {
    pending(owner).deletions().addAll(podNames);
  }

  synchronized void creationObserved(String owner, String podName) {
    Pending p = pending.get(owner);
    if (p != null) {
      p.creations().remove(podName);
    }
  }

  synchronized void deletionObserved(String owner, String podName) {
    Pending p = pending.get(owner);
    if (p != null) {
      p.deletions().remove(podName);
    }
  }

  synchronized boolean satisfied(String owner, Instant now) {
    Pending p = pending.get(owner);
    if (p == null) {
      return true;
    }
    if ((p.creations().isEmpty() && p.deletions().isEmpty()) || p.since().plus(TTL).isBefore(now)) {
      pending.remove(owner);
      return true;
    }
    return false;
  }

  synchronized void forget(String owner) {
    pending.remove(owner);
  }

  private Pending pending(String owner) {
    return pending.computeIfAbsent(
        owner, o -> new Pending(new HashSet<>(), new HashSet<>(), Instant.now()));
  }
}
