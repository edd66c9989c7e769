package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.saferollout.operator.rollout.RolloutObserver;
import io.saferollout.rules.ClusterCapabilities;
import java.util.List;
import java.util.Optional;

/**
 * What one reconcile sees of a SafeRollout's surroundings, read from the informers' caches.
 *
 * @param matched every Deployment the target selects, by name
 * @param ours those this SafeRollout owns (the oldest claim wins), and so hardens
 * @param conflicts matched Deployments an older SafeRollout owns
 * @param namespace the namespace's labels and annotations (mesh injection is often switched on
 *     there)
 * @param rollouts the owned Deployments' rollouts followed one step, and the preStop they call for;
 *     empty when nothing matched
 */
record Observation(
    List<Deployment> matched,
    List<Deployment> ours,
    List<Conflict> conflicts,
    List<PodDisruptionBudget> disruptionBudgets,
    ClusterCapabilities capabilities,
    NamespaceMetadata.Meta namespace,
    Optional<RolloutObserver.Observation> rollouts) {

  record Conflict(String deployment, String owner) {
    String describe() {
      return "Deployment " + deployment + " is hardened by the older SafeRollout " + owner;
    }
  }
}
