package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.operator.rollout.RolloutObserver;
import io.saferollout.operator.validation.SafeRolloutPolicy;
import java.util.List;
import java.util.Optional;

/**
 * The observe step: which Deployments a SafeRollout targets and owns, the disruption budgets around
 * them, what the cluster supports, and how the owned Deployments' rollouts went (followed through
 * the pod and EndpointSlice informers of {@link RolloutObserver}); all from caches, but the cached
 * server version and namespace labels ({@link NamespaceMetadata}) and, at a rollout's start and
 * end, the nodes' kube-proxy metrics.
 */
final class TargetObserver {
  private final ClusterCapabilitiesSource capabilities;
  private final RolloutObserver rollouts;
  private final NamespaceMetadata namespaces;

  TargetObserver(
      ClusterCapabilitiesSource capabilities,
      RolloutObserver rollouts,
      NamespaceMetadata namespaces) {
    this.capabilities = capabilities;
    this.rollouts = rollouts;
    this.namespaces = namespaces;
  }

  /** The informers rollout following needs, registered with the controller's own. */
  List<EventSource<?, SafeRollout>> eventSources(EventSourceContext<SafeRollout> ctx) {
    return rollouts.eventSources(ctx);
  }

  Observation observe(
      SafeRollout sr,
      SafeRolloutPolicy policy,
      Context<SafeRollout> ctx,
      InformerEventSource<Deployment, SafeRollout> deployments,
      InformerEventSource<PodDisruptionBudget, SafeRollout> disruptionBudgets) {
    String namespace = sr.getMetadata().getNamespace();
    // The informer's list is the watch's view; get() also sees what this operator wrote a moment
    // ago (JOSDK's temporary cache of its own updates), so a Deployment patched in the previous
    // reconcile is never planned against its pre-patch version.
    List<Deployment> matched =
        TargetSelection.matching(sr, deployments.list(namespace).toList()).stream()
            .map(d -> deployments.get(ResourceID.fromResource(d)).orElse(d))
            .toList();
    List<SafeRollout> claims = ctx.getPrimaryCache().list(namespace).toList();
    String self = sr.getMetadata().getName();
    List<Observation.Conflict> conflicts =
        matched.stream()
            .flatMap(
                d ->
                    TargetSelection.owner(d, claims)
                        .filter(owner -> !owner.getMetadata().getName().equals(self))
                        .map(
                            owner ->
                                new Observation.Conflict(
                                    d.getMetadata().getName(), owner.getMetadata().getName()))
                        .stream())
            .toList();
    List<Deployment> ours =
        matched.stream()
            .filter(
                d ->
                    TargetSelection.owner(d, claims)
                        .map(o -> o.getMetadata().getName().equals(self))
                        .orElse(false))
            .toList();
    // With no target at all there is nothing to follow; the status keeps the rollout records as
    // they were (the record step starts from the previous status).
    Optional<RolloutObserver.Observation> followed =
        matched.isEmpty()
            ? Optional.empty()
            : Optional.of(
                rollouts.observe(
                    sr,
                    policy.preStop(),
                    ours,
                    sr.getStatus() == null ? new SafeRolloutStatus() : sr.getStatus()));
    return new Observation(
        matched,
        ours,
        conflicts,
        matched.isEmpty() ? List.of() : disruptionBudgets.list(namespace).toList(),
        matched.isEmpty() ? null : capabilities.current(),
        matched.isEmpty() ? NamespaceMetadata.Meta.UNKNOWN : namespaces.of(namespace),
        followed);
  }
}
