package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Plans the zero-downtime hardening of one Deployment: a pure function, no client, no I/O. The
 * operator patches what it returns, {@code harden} prints it, {@code lint} reports it.
 */
public final class DeploymentHardener {
  private DeploymentHardener() {}

  /**
   * Plans the changes that close the Deployment's zero-downtime gaps, and the findings it leaves to
   * the user. Never mutates its input.
   *
   * <p>Modes: {@code FillMissing} adds what is missing and reports unsafe user values; {@code
   * Enforce} also corrects unsafe user values, except a preStop hook the user wrote, which is
   * always kept; {@code Audit} plans exactly as FillMissing does, so the plan lists the changes it
   * <em>would</em> make, and it is the caller that does not apply them.
   *
   * <p>Planning the plan's own {@link HardeningPlan#hardened()} again, with or without the plan's
   * paths as {@code ownedPaths}, yields no changes: hardening never causes a second rollout.
   *
   * <p>A value nobody chose is treated as missing: when the Deployment carries {@code
   * metadata.managedFields}, a field no manager owns, or one holding the Kubernetes default (such
   * as {@code maxUnavailable: 25%}) that no Apply manager owns and the last-applied configuration
   * does not contain, was defaulted by the API server and is filled in every mode; see {@link
   * FieldOwnership}.
   *
   * @param ownedPaths paths SafeRollout set earlier: their values are not the user's and follow the
   *     policy when it changes. May be null.
   * @param pdbs the namespace's PodDisruptionBudgets; null when unknown (the PDB check is then
   *     skipped, as for a manifest linted alone)
   * @throws IllegalArgumentException when the Deployment has no pod template or containers, or a
   *     container without a name: the API server would reject it
   */
  public static HardeningPlan plan(
      Deployment deployment,
      HardeningPolicy policy,
      ClusterCapabilities caps,
      Set<String> ownedPaths,
      List<PodDisruptionBudget> pdbs) {
    return plan(new HardeningDraft(deployment, policy.mode(), ownedPaths), policy, caps, pdbs);
  }

  /**
   * Plans the hardening of a Deployment read from the cluster, as the operator writes it: besides
   * what {@link #plan(Deployment, HardeningPolicy, ClusterCapabilities, Set, List)} does, a handler
   * SafeRollout set is released where another manager set a different handler next to it (the
   * object would otherwise carry two, which the API server rejects); sidecars move to {@code
   * initContainers} only when the policy says {@code sidecars: Native}, because a GitOps tool or
   * Helm re-adds them under {@code containers} on its next sync; and the namespace's mesh injection
   * labels count.
   */
  public static HardeningPlan plan(
      Deployment deployment,
      HardeningPolicy policy,
      ClusterCapabilities caps,
      LiveTarget live,
      List<PodDisruptionBudget> pdbs) {
    Objects.requireNonNull(live, "live");
    return plan(new HardeningDraft(deployment, policy.mode(), live), policy, caps, pdbs);
  }

  private static HardeningPlan plan(
      HardeningDraft draft,
      HardeningPolicy policy,
      ClusterCapabilities caps,
      List<PodDisruptionBudget> pdbs) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(caps, "caps");
    HandlerRelease.apply(draft);
    ReadinessRule.apply(draft, policy);
    PreStopRule.apply(draft, policy, caps);
    GracePeriodRule.apply(draft, policy);
    SidecarOrdering.apply(draft, policy, caps);
    RolloutStrategyRule.apply(draft, policy);
    AvailabilityChecks.apply(draft, pdbs);
    return draft.plan();
  }

  static void requireWellFormed(Deployment d) {
    String name =
        d.getMetadata() == null || d.getMetadata().getName() == null
            ? "(unnamed)"
            : d.getMetadata().getName();
    if (d.getSpec() == null
        || d.getSpec().getTemplate() == null
        || d.getSpec().getTemplate().getSpec() == null) {
      throw new IllegalArgumentException("Deployment " + name + " has no spec.template.spec");
    }
    List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
    if (containers == null || containers.isEmpty()) {
      throw new IllegalArgumentException(
          "Deployment " + name + " has no containers in spec.template.spec.containers");
    }
    List<Container> inits = d.getSpec().getTemplate().getSpec().getInitContainers();
    for (List<Container> list : inits == null ? List.of(containers) : List.of(containers, inits)) {
      for (Container c : list) {
        if (c.getName() == null || c.getName().isBlank()) {
          throw new IllegalArgumentException(
              "Deployment " + name + " has a container without a name");
        }
      }
    }
  }
}
