package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.saferollout.api.SafeRollout;
import java.util.List;

/**
 * The observe step: which Deployments a SafeRollout targets and owns, the disruption budgets
 * around them and what the cluster supports, all from caches (no API request but the cached
 * server version).
 */
final class TargetObserver {
  private final ClusterCapabilitiesSource capabilities;

  TargetObserver(ClusterCapabilitiesSource capabilities) {
    this.capabilities = capabilities;
  }

  Observation observe(SafeRollout sr, Context<SafeRollout> ctx, InformerEventSource<Deployment, SafeRollout> deployments,
      InformerEventSource<PodDisruptionBudget, SafeRollout> disruptionBudgets) {
    String namespace = sr.getMetadata().getNamespace();
    // The informer's list is the watch's view; get() also sees what this operator wrote a moment
    // ago (JOSDK's temporary cache of its own updates), so a Deployment patched in the previous
    // reconcile is never planned against its pre-patch version.
    List<Deployment> matched = TargetSelection.matching(sr, deployments.list(namespace).toList()).stream()
        .map(d -> deployments.get(ResourceID.fromResource(d)).orElse(d))
        .toList();
    List<SafeRollout> claims = ctx.getPrimaryCache().list(namespace).toList();
    String self = sr.getMetadata().getName();
    List<Observation.Conflict> conflicts = matched.stream()
        .flatMap(d -> TargetSelection.owner(d, claims)
            .filter(owner -> !owner.getMetadata().getName().equals(self))
            .map(owner -> new Observation.Conflict(d.getMetadata().getName(), owner.getMetadata().getName()))
            .stream())
        .toList();
    List<Deployment> ours = matched.stream()
        .filter(d -> TargetSelection.owner(d, claims).map(o -> o.getMetadata().getName().equals(self)).orElse(false))
        .toList();
    return new Observation(matched, ours, conflicts,
        matched.isEmpty() ? List.of() : disruptionBudgets.list(namespace).toList(),
        matched.isEmpty() ? null : capabilities.current());
  }
}
