package io.saferollout.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.saferollout.api.Mode;
import java.util.Optional;

/**
 * SR011-SR014: a rollout never drops capacity. maxUnavailable 0 with a positive maxSurge makes the
 * Deployment controller start a new pod and wait for it to be available before removing an old one
 * (Deployment docs, "Rolling Update Deployment"); minReadySeconds makes "available" mean it stayed
 * up. {@code replicas} is never touched: a HorizontalPodAutoscaler may own it.
 */
final class RolloutStrategyRule {
  private RolloutStrategyRule() {}

  static void apply(HardeningDraft draft, HardeningPolicy policy) {
    DeploymentSpec spec = draft.current().getSpec();
    String type = spec.getStrategy() == null ? null : spec.getStrategy().getType();
    if ("Recreate".equals(type)) {
      if (draft.mode() != Mode.Enforce) {
        draft.find(
            Rule.SR011,
            DeploymentPaths.STRATEGY_TYPE,
            "strategy is Recreate: every old pod stops before a new one starts; kept because it is the user's");
        applyMinReady(draft, policy);
        return;
      }
      draft.change(
          Rule.SR011,
          DeploymentPaths.STRATEGY_TYPE,
          TextNode.valueOf("RollingUpdate"),
          "Recreate leaves the service without endpoints during a rollout");
    }

    draft.settle(
        Rule.SR012,
        DeploymentPaths.MAX_UNAVAILABLE,
        IntNode.valueOf(0),
        v -> bound(v).map(ReplicaBound::isZero).orElse(false),
        "maxUnavailable 0: no serving pod is removed before its replacement is available",
        "maxUnavailable is "
            + draft.get(DeploymentPaths.MAX_UNAVAILABLE).map(JsonNode::asText).orElse("")
            + describeUnavailable(draft, spec)
            + "; kept because it is the user's");

    boolean noneUnavailable =
        draft
            .get(DeploymentPaths.MAX_UNAVAILABLE)
            .flatMap(RolloutStrategyRule::bound)
            .map(ReplicaBound::isZero)
            .orElse(false);
    JsonNode surge = ManifestJson.valueOf(policy.maxSurge());
    draft.settle(
        Rule.SR013,
        DeploymentPaths.MAX_SURGE,
        surge,
        // A zero surge is only invalid next to a zero maxUnavailable (Kubernetes forbids both 0).
        v -> bound(v).map(b -> !b.isZero() || !noneUnavailable).orElse(false),
        "maxSurge "
            + bound(surge).map(ReplicaBound::toString).orElse("?")
            + ": rollouts add pods before removing any",
        "maxSurge is "
            + draft.get(DeploymentPaths.MAX_SURGE).map(JsonNode::asText).orElse("")
            + ", which is not a positive count or percentage; kept because it is the user's");

    applyMinReady(draft, policy);
  }

  private static void applyMinReady(HardeningDraft draft, HardeningPolicy policy) {
    Integer minReady = draft.current().getSpec().getMinReadySeconds();
    boolean owned = draft.owns(DeploymentPaths.MIN_READY_SECONDS);
    // The API omits minReadySeconds when it is 0, so 0 and unset cannot be told apart: both are a
    // gap.
    if ((minReady == null || minReady == 0 || owned) && policy.minReadySeconds() > 0) {
      draft.change(
          Rule.SR014,
          DeploymentPaths.MIN_READY_SECONDS,
          IntNode.valueOf(policy.minReadySeconds()),
          "a new pod must stay ready "
              + policy.minReadySeconds()
              + " s before it counts as available");
    } else if (minReady == null || minReady == 0) {
      draft.find(
          Rule.SR014,
          DeploymentPaths.MIN_READY_SECONDS,
          "minReadySeconds is 0 and the policy's strategy.minReadySeconds is 0 too");
    }
  }

  private static Optional<ReplicaBound> bound(JsonNode value) {
    IntOrString v =
        value.isInt() || value.isLong()
            ? new IntOrString(value.asInt())
            : value.isTextual() ? new IntOrString(value.asText()) : null;
    return ReplicaBound.parse(v);
  }

  private static String describeUnavailable(HardeningDraft draft, DeploymentSpec spec) {
    int replicas = spec.getReplicas() == null ? 1 : spec.getReplicas();
    return draft
        .get(DeploymentPaths.MAX_UNAVAILABLE)
        .flatMap(RolloutStrategyRule::bound)
        .map(
            b ->
                b.unit() == ReplicaBound.Unit.PERCENT
                    ? " ("
                        + b.pods(replicas, ReplicaBound.Rounding.DOWN)
                        + " of "
                        + replicas
                        + " pods now, more once scaled up)"
                    : "")
        .orElse(", which is not a valid count or percentage");
  }
}
