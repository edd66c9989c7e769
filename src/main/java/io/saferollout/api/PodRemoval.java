package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One pod the rollout removed, kept while the rollout is followed: its control-plane removal, or
 * none when no EndpointSlice listed it ready (nothing to time).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodRemoval {
  private String pod;
  private Long controlPlaneMs;
  private Integer preStopSeconds;

  public PodRemoval() {}

  public PodRemoval(String pod, Long controlPlaneMs, Integer preStopSeconds) {
    this.pod = pod;
    this.controlPlaneMs = controlPlaneMs;
    this.preStopSeconds = preStopSeconds;
  }

  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
  }

  public Long getControlPlaneMs() {
    return controlPlaneMs;
  }

  public void setControlPlaneMs(Long controlPlaneMs) {
    this.controlPlaneMs = controlPlaneMs;
  }

  public Integer getPreStopSeconds() {
    return preStopSeconds;
  }

  public void setPreStopSeconds(Integer preStopSeconds) {
    this.preStopSeconds = preStopSeconds;
  }
}
