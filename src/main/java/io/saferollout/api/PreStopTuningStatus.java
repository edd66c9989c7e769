package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The preStop in force, what the measurements recommend, and why. Shown in Fixed mode too. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PreStopTuningStatus {
  private PreStopMode mode;

  @JsonPropertyDescription("The delay the policy applies now.")
  private Integer inForceSeconds;

  @JsonPropertyDescription(
      "The delay the measurements recommend (p99 x factor + margin + budgets, bounded, with hysteresis).")
  private Integer recommendedSeconds;

  @JsonPropertyDescription("Why the recommendation is what it is, and whether it is applied.")
  private String reason;

  private RemovalEvidence evidence;

  @JsonPropertyDescription(
      "Seconds added for targets that can have every endpoint terminating at once (one replica,"
          + " or maxUnavailable >= replicas): the old pod serves alone through its preStop until"
          + " its replacement has started and turned ready (KEP-1669).")
  private Integer takeoverSeconds;

  @JsonPropertyDescription("Whether the data plane could be read, and what failed where not.")
  private DataPlaneReading dataPlane;

  public PreStopMode getMode() {
    return mode;
  }

  public void setMode(PreStopMode mode) {
    this.mode = mode;
  }

  public Integer getInForceSeconds() {
    return inForceSeconds;
  }

  public void setInForceSeconds(Integer inForceSeconds) {
    this.inForceSeconds = inForceSeconds;
  }

  public Integer getRecommendedSeconds() {
    return recommendedSeconds;
  }

  public void setRecommendedSeconds(Integer recommendedSeconds) {
    this.recommendedSeconds = recommendedSeconds;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public RemovalEvidence getEvidence() {
    return evidence;
  }

  public void setEvidence(RemovalEvidence evidence) {
    this.evidence = evidence;
  }

  public Integer getTakeoverSeconds() {
    return takeoverSeconds;
  }

  public void setTakeoverSeconds(Integer takeoverSeconds) {
    this.takeoverSeconds = takeoverSeconds;
  }

  public DataPlaneReading getDataPlane() {
    return dataPlane;
  }

  public void setDataPlane(DataPlaneReading dataPlane) {
    this.dataPlane = dataPlane;
  }
}
