package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One terminating pod's measured control-plane removal, kept while its rollout is followed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodRemoval {
  private String pod;
  private Long controlPlaneMs;
  private Integer preStopSeconds;

  public PodRemoval() {}

  public PodRemoval(String pod, long controlPlaneMs, Integer preStopSeconds) {
    this.pod = pod;
    this.controlPlaneMs = controlPlaneMs;
    this.preStopSeconds = preStopSeconds;
  }

  public String getPod() { return pod; }
  public void setPod(String pod) { this.pod = pod; }
  public Long getControlPlaneMs() { return controlPlaneMs; }
  public void setControlPlaneMs(Long controlPlaneMs) { this.controlPlaneMs = controlPlaneMs; }
  public Integer getPreStopSeconds() { return preStopSeconds; }
  public void setPreStopSeconds(Integer preStopSeconds) { this.preStopSeconds = preStopSeconds; }
}
