package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;

/** Bounds of the rolling update: maxUnavailable is always 0, so capacity never drops. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StrategySpec {
  @JsonPropertyDescription(
      "Extra pods allowed during a rollout (number or percentage). Must not be 0, since maxUnavailable is 0. Default "
          + SpecDefaults.MAX_SURGE
          + ".")
  @Default(SpecDefaults.MAX_SURGE)
  @ValidationRule(
      value = "type(self) == int ? self > 0 : self.matches('^[1-9][0-9]?%$|^100%$')",
      message = "maxSurge must be a positive number or a percentage from 1% to 100%")
  private IntOrString maxSurge = new IntOrString(SpecDefaults.MAX_SURGE);

  @JsonPropertyDescription(
      "Seconds a new pod must stay ready before it counts as available. Default "
          + SpecDefaults.MIN_READY_SECONDS
          + ".")
  @Min(0)
  @Max(SpecDefaults.MAX_MIN_READY_SECONDS)
  @Default("" + SpecDefaults.MIN_READY_SECONDS)
  private Integer minReadySeconds = SpecDefaults.MIN_READY_SECONDS;

  public IntOrString getMaxSurge() {
    return maxSurge;
  }

  public void setMaxSurge(IntOrString maxSurge) {
    this.maxSurge = maxSurge;
  }

  public Integer getMinReadySeconds() {
    return minReadySeconds;
  }

  public void setMinReadySeconds(Integer minReadySeconds) {
    this.minReadySeconds = minReadySeconds;
  }
}
