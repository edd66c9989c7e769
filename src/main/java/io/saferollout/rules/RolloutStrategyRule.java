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

    if (keepsZeroSurge(draft) && usersValue(draft, DeploymentPaths.MAX_UNAVAILABLE).isEmpty()) {
      // maxUnavailable 0 next to the user's maxSurge 0 is the one pair the API server rejects
      // ("may not be 0 when `maxSurge` is 0", ValidateRollingUpdateDeployment in
      // pkg/apis/apps/validation), and the 422 would also block every other change of the patch.
      draft.find(
          Rule.SR013,
          DeploymentPaths.MAX_SURGE,
          "maxSurge is "
              + draft.get(DeploymentPaths.MAX_SURGE).map(JsonNode::asText).orElse("")
              + ", so maxUnavailable cannot be set to 0 (Kubernetes rejects both being 0); left at "
              + draft
                  .get(DeploymentPaths.MAX_UNAVAILABLE)
                  .map(JsonNode::asText)
                  .orElse("its default of 25%")
              + ", so a rollout takes pods down before their replacements are ready",
          "Set strategy.rollingUpdate.maxSurge to a positive number or percentage, e.g. 25%;"
              + " SafeRollout then sets maxUnavailable: 0.");
      applyMinReady(draft, policy);
      return;
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
            .map(RolloutStrategyRule::countsAsZero)
            .orElse(false);
    JsonNode surge = ManifestJson.valueOf(policy.maxSurge());
    String usersSurge = draft.get(DeploymentPaths.MAX_SURGE).map(JsonNode::asText).orElse("");
    boolean bothZero =
        noneUnavailable
            && draft
                .get(DeploymentPaths.MAX_SURGE)
                .map(RolloutStrategyRule::countsAsZero)
                .orElse(false);
    draft.settle(
        Rule.SR013,
        DeploymentPaths.MAX_SURGE,
        surge,
        // A zero surge is only invalid next to a zero maxUnavailable (Kubernetes forbids both 0).
        v -> bound(v).map(b -> !b.isZero() || !noneUnavailable).orElse(false),
        "maxSurge "
            + bound(surge).map(ReplicaBound::toString).orElse("?")
            + ": rollouts add pods before removing any",
        bothZero
            ? "maxSurge "
                + usersSurge
                + " and maxUnavailable "
                + draft.get(DeploymentPaths.MAX_UNAVAILABLE).map(JsonNode::asText).orElse("")
                + " are both 0, which Kubernetes rejects (maxUnavailable \"may not be 0 when"
                + " `maxSurge` is 0\"): no create or update of this Deployment can succeed;"
                + " kept because it is the user's"
            : "maxSurge is "
                + usersSurge
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

  /**
   * True when the user's maxSurge counts as 0 and this rule keeps it: FillMissing and Audit keep a
   * user's value, Enforce replaces it with the policy's, which is never 0 ({@link
   * HardeningPolicy}).
   */
  private static boolean keepsZeroSurge(HardeningDraft draft) {
    return draft.mode() != Mode.Enforce
        && usersValue(draft, DeploymentPaths.MAX_SURGE)
            .map(RolloutStrategyRule::countsAsZero)
            .orElse(false);
  }

  /** The field's value when a user chose it: present, not SafeRollout's, not a server default. */
  private static Optional<JsonNode> usersValue(HardeningDraft draft, FieldPath path) {
    return draft.get(path).filter(v -> !draft.owns(path) && !draft.defaulted(path));
  }

  /**
   * Whether the API server's Deployment validation reads this bound as 0 (getIntOrPercentValue in
   * pkg/apis/apps/validation): "N%" as N, an int as itself, and any other string as strconv.Atoi
   * reads it, so "0" and a string that is no number at all count as 0 too.
   */
  private static boolean countsAsZero(JsonNode value) {
    if (value.isIntegralNumber()) {
      return value.asLong() == 0;
    }
    if (!value.isTextual()) {
      return false;
    }
    String text = value.asText();
    if (text.matches("[0-9]+%")) {
      return text.matches("0+%");
    }
    // Atoi fails (and yields 0) on anything but an optionally signed run of digits; out of range
    // it yields the largest int of that sign, which is not 0.
    return !text.matches("[+-]?[0-9]+") || text.matches("[+-]?0+");
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
