package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What a SafeRollout asks for. Defaults and bounds come from {@link SpecDefaults}; the operator and
 * the CLI read a spec only through {@code io.saferollout.operator.validation.SpecParser}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SafeRolloutSpec {
  @JsonPropertyDescription(
      "The Deployment(s) to harden, in this namespace: exactly one of name or selector. Immutable: create a new SafeRollout for other Deployments.")
  @Required
  // A transition rule (KEP-2876): re-targeting would leave the old target hardened by nobody and
  // its record of applied changes pointing at a SafeRollout that no longer claims it.
  @ValidationRule(
      value = "self == oldSelf",
      message =
          "target is immutable: delete this SafeRollout and create one for the other Deployments")
  private TargetRef target;

  @JsonPropertyDescription(
      "FillMissing (default): add what is missing, keep user values. Enforce: also correct unsafe values. Audit: change nothing, report only.")
  @Default("FillMissing")
  private Mode mode = SpecDefaults.MODE;

  @JsonPropertyDescription(
      "What deleting this SafeRollout does to its Deployments. Keep (default): nothing. Revert: remove exactly the operator's own changes.")
  @Default("Keep")
  private OnDelete onDelete = SpecDefaults.ON_DELETE;

  @JsonPropertyDescription(
      "When running Deployments get the hardening, since changing a pod template rolls every pod. NextRollout (default): together with the user's next pod-template change; the status shows the pending changes meanwhile. Immediately: now, one Deployment at a time.")
  @Default("NextRollout")
  private Adoption adoption = SpecDefaults.ADOPTION;

  @JsonPropertyDescription("Readiness probe for serving containers that have none.")
  @Default("{}")
  private ReadinessProbeSpec readinessProbe = new ReadinessProbeSpec();

  @JsonPropertyDescription(
      "How long a terminating pod keeps serving before SIGTERM, so endpoint removal can reach every proxy: Fixed (default 15 s) or Auto (sized from measured removal).")
  @Default("{}")
  private PreStopSpec preStop = new PreStopSpec();

  @JsonPropertyDescription(
      "Seconds the application needs after SIGTERM to finish in-flight requests. Default "
          + SpecDefaults.DRAIN_SECONDS
          + ".")
  @Min(0)
  @Max(SpecDefaults.MAX_SHUTDOWN_PART_SECONDS)
  @Default("" + SpecDefaults.DRAIN_SECONDS)
  private Integer drainSeconds = SpecDefaults.DRAIN_SECONDS;

  @JsonPropertyDescription("Rolling-update bounds. maxUnavailable is always 0.")
  @Default("{}")
  private StrategySpec strategy = new StrategySpec();

  @JsonPropertyDescription(
      "How sidecars are made ready before the application: Auto (default), Native, Istio, Linkerd, None.")
  @Default("Auto")
  private SidecarMode sidecars = SpecDefaults.SIDECARS;

  public TargetRef getTarget() {
    return target;
  }

  public void setTarget(TargetRef target) {
    this.target = target;
  }

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = mode;
  }

  public OnDelete getOnDelete() {
    return onDelete;
  }

  public void setOnDelete(OnDelete onDelete) {
    this.onDelete = onDelete;
  }

  public Adoption getAdoption() {
    return adoption;
  }

  public void setAdoption(Adoption adoption) {
    this.adoption = adoption;
  }

  public ReadinessProbeSpec getReadinessProbe() {
    return readinessProbe;
  }

  public void setReadinessProbe(ReadinessProbeSpec readinessProbe) {
    this.readinessProbe = readinessProbe;
  }

  public PreStopSpec getPreStop() {
    return preStop;
  }

  public void setPreStop(PreStopSpec preStop) {
    this.preStop = preStop;
  }

  public Integer getDrainSeconds() {
    return drainSeconds;
  }

  public void setDrainSeconds(Integer v) {
    this.drainSeconds = v;
  }

  public StrategySpec getStrategy() {
    return strategy;
  }

  public void setStrategy(StrategySpec strategy) {
    this.strategy = strategy;
  }

  public SidecarMode getSidecars() {
    return sidecars;
  }

  public void setSidecars(SidecarMode sidecars) {
    this.sidecars = sidecars;
  }
}
