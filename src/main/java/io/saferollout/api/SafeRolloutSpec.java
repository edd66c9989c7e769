package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.preStop) && has(self.preStop.delaySeconds) ? self.preStop.delaySeconds : 15)"
    + " + (has(self.drainSeconds) ? self.drainSeconds : 10) <= " + SafeRolloutSpec.MAX_SHUTDOWN_SECONDS,
    message = "preStop.delaySeconds + drainSeconds must not exceed " + SafeRolloutSpec.MAX_SHUTDOWN_SECONDS
        + " seconds: pods would take longer than that to stop")
public class SafeRolloutSpec {
  /** Longest shutdown (preStop + drain) a spec may ask for; kept well below node drain timeouts. */
  public static final int MAX_SHUTDOWN_SECONDS = 600;

  @JsonPropertyDescription("The Deployment(s) to harden, in this namespace: exactly one of name or selector.")
  @Required
  private TargetRef target;

  @JsonPropertyDescription("FillMissing (default): add what is missing, keep user values. Enforce: also correct unsafe values. Audit: change nothing, report only.")
  @Default("FillMissing")
  private Mode mode = Mode.FillMissing;

  @JsonPropertyDescription("What deleting this SafeRollout does to its Deployments. Keep (default): nothing. Revert: remove exactly the operator's own changes.")
  @Default("Keep")
  private OnDelete onDelete = OnDelete.Keep;

  @JsonPropertyDescription("Readiness probe for serving containers that have none.")
  @Default("{}")
  private ReadinessProbeSpec readinessProbe = new ReadinessProbeSpec();

  @JsonPropertyDescription("How long a terminating pod keeps serving before SIGTERM, so endpoint removal can reach every proxy: Fixed (default 15 s) or Auto (sized from measured removal).")
  @Default("{}")
  private PreStopSpec preStop = new PreStopSpec();

  @JsonPropertyDescription("Seconds the application needs after SIGTERM to finish in-flight requests. Default 10.")
  @Min(0) @Max(300)
  @Default("10")
  private Integer drainSeconds = 10;

  @JsonPropertyDescription("Rolling-update bounds. maxUnavailable is always 0.")
  @Default("{}")
  private StrategySpec strategy = new StrategySpec();

  @JsonPropertyDescription("How sidecars are made ready before the application: Auto (default), Native, Istio, Linkerd, None.")
  @Default("Auto")
  private SidecarMode sidecars = SidecarMode.Auto;

  public TargetRef getTarget() { return target; }
  public void setTarget(TargetRef target) { this.target = target; }
  public Mode getMode() { return mode; }
  public void setMode(Mode mode) { this.mode = mode; }
  public OnDelete getOnDelete() { return onDelete; }
  public void setOnDelete(OnDelete onDelete) { this.onDelete = onDelete; }
  public ReadinessProbeSpec getReadinessProbe() { return readinessProbe; }
  public void setReadinessProbe(ReadinessProbeSpec readinessProbe) { this.readinessProbe = readinessProbe; }
  public PreStopSpec getPreStop() { return preStop; }
  public void setPreStop(PreStopSpec preStop) { this.preStop = preStop; }
  public Integer getDrainSeconds() { return drainSeconds; }
  public void setDrainSeconds(Integer v) { this.drainSeconds = v; }
  public StrategySpec getStrategy() { return strategy; }
  public void setStrategy(StrategySpec strategy) { this.strategy = strategy; }
  public SidecarMode getSidecars() { return sidecars; }
  public void setSidecars(SidecarMode sidecars) { this.sidecars = sidecars; }
}
