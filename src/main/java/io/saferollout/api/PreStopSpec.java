package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/**
 * How long a terminating pod keeps serving before SIGTERM. Endpoint removal and the preStop hook
 * start together (Pod lifecycle docs, "Termination of Pods"), so the delay must outlast removal on
 * the control plane, the data plane and every hop behind it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.minSeconds) || !has(self.maxSeconds) || self.minSeconds <= self.maxSeconds",
    message = "preStop.minSeconds must not exceed preStop.maxSeconds")
public class PreStopSpec {
  @JsonPropertyDescription(
      "Fixed (default): always delaySeconds. Auto: sized from measured endpoint removal.")
  @Default("Fixed")
  private PreStopMode mode = SpecDefaults.PRE_STOP_MODE;

  @JsonPropertyDescription(
      "The Fixed delay. Auto starts from the larger of it and the budgets + marginSeconds (within min..max) until a rollout is measured. Default 15.")
  @Min(0)
  @Max(SpecDefaults.MAX_SHUTDOWN_PART_SECONDS)
  @Default("" + SpecDefaults.PRE_STOP_DELAY_SECONDS)
  private Integer delaySeconds = SpecDefaults.PRE_STOP_DELAY_SECONDS;

  @JsonPropertyDescription("Auto: the measured removal p99 is multiplied by this. Default 1.5.")
  @Min(1)
  @Max(SpecDefaults.PRE_STOP_MAX_FACTOR)
  @Default("" + SpecDefaults.PRE_STOP_FACTOR)
  private Double factor = SpecDefaults.PRE_STOP_FACTOR;

  @JsonPropertyDescription("Auto: seconds added after the factor. Default 1.")
  @Min(0)
  @Max(SpecDefaults.MAX_SHUTDOWN_PART_SECONDS)
  @Default("" + SpecDefaults.PRE_STOP_MARGIN_SECONDS)
  private Integer marginSeconds = SpecDefaults.PRE_STOP_MARGIN_SECONDS;

  @JsonPropertyDescription("Auto: the shortest delay it may choose. Default 1.")
  @Min(0)
  @Max(SpecDefaults.MAX_SHUTDOWN_PART_SECONDS)
  @Default("" + SpecDefaults.PRE_STOP_MIN_SECONDS)
  private Integer minSeconds = SpecDefaults.PRE_STOP_MIN_SECONDS;

  @JsonPropertyDescription("Auto: the longest delay it may choose. Default 120.")
  @Min(0)
  @Max(SpecDefaults.MAX_SHUTDOWN_PART_SECONDS)
  @Default("" + SpecDefaults.PRE_STOP_MAX_SECONDS)
  private Integer maxSeconds = SpecDefaults.PRE_STOP_MAX_SECONDS;

  @JsonPropertyDescription(
      "Auto: WithNextRollout (default) puts a tuned value in with the next template change the user makes; Immediately rolls it out at once.")
  @Default("WithNextRollout")
  private TuningApplication applyTuning = SpecDefaults.PRE_STOP_APPLY_TUNING;

  @JsonPropertyDescription("Where the data-plane leg of endpoint removal is read.")
  @Default("{}")
  private DataPlaneSpec dataPlane = new DataPlaneSpec();

  @JsonPropertyDescription(
      "Stated seconds for hops no metric covers (ingress controllers, cloud load balancers); they add up along the path.")
  private List<PathBudget> budgets = new ArrayList<>();

  public PreStopMode getMode() {
    return mode;
  }

  public void setMode(PreStopMode mode) {
    this.mode = mode;
  }

  public Integer getDelaySeconds() {
    return delaySeconds;
  }

  public void setDelaySeconds(Integer delaySeconds) {
    this.delaySeconds = delaySeconds;
  }

  public Double getFactor() {
    return factor;
  }

  public void setFactor(Double factor) {
    this.factor = factor;
  }

  public Integer getMarginSeconds() {
    return marginSeconds;
  }

  public void setMarginSeconds(Integer marginSeconds) {
    this.marginSeconds = marginSeconds;
  }

  public Integer getMinSeconds() {
    return minSeconds;
  }

  public void setMinSeconds(Integer minSeconds) {
    this.minSeconds = minSeconds;
  }

  public Integer getMaxSeconds() {
    return maxSeconds;
  }

  public void setMaxSeconds(Integer maxSeconds) {
    this.maxSeconds = maxSeconds;
  }

  public TuningApplication getApplyTuning() {
    return applyTuning;
  }

  public void setApplyTuning(TuningApplication applyTuning) {
    this.applyTuning = applyTuning;
  }

  public DataPlaneSpec getDataPlane() {
    return dataPlane;
  }

  public void setDataPlane(DataPlaneSpec dataPlane) {
    this.dataPlane = dataPlane;
  }

  public List<PathBudget> getBudgets() {
    return budgets;
  }

  public void setBudgets(List<PathBudget> budgets) {
    this.budgets = budgets;
  }
}
