package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One finished rollout of a target, with what its endpoint removal measured. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutRecord {
  private String deployment;
  private String revision;
  private RolloutKind kind;
  private String start;
  private String end;
  private Integer podsReplaced;
  private RolloutOutcome outcome;

  @JsonPropertyDescription(
      "Control plane: deletion until the endpoint is not ready in every EndpointSlice listing the pod.")
  private LatencyFigures endpointRemovalMs;

  @JsonPropertyDescription(
      "Data plane: nodes programming the change, from the configured source. With kube-proxy"
          + " metrics p99 is the slowest node's: the pooled quantile 1 - 0.01/N over N nodes.")
  private LatencyFigures dataPlaneMs;

  @JsonPropertyDescription("Nodes whose kube-proxy counters the data-plane figures cover.")
  private Integer dataPlaneNodes;

  @JsonPropertyDescription(
      "Nodes whose kube-proxy could not be read at the rollout's start or end: 0 when every node"
          + " counted; the figures then miss those nodes.")
  private Integer dataPlaneNodesUnread;

  @JsonPropertyDescription("Pods whose control-plane removal was timed (the samples).")
  private Integer podsMeasured;

  @JsonPropertyDescription(
      "Replaced pods that carried no preStop delay: an adoption rollout's old pods, which predate"
          + " the hardening.")
  private Integer podsWithoutPreStop;

  private Integer preStopSecondsInForce;

  @JsonPropertyDescription(
      "Pods whose removal (control plane + data plane + budgets) outlasted their preStop.")
  private Integer podsOutlastingPreStop;

  @JsonPropertyDescription("The preStop this rollout's measurements alone would recommend.")
  private Integer recommendedPreStopSeconds;

  public String getDeployment() {
    return deployment;
  }

  public void setDeployment(String deployment) {
    this.deployment = deployment;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public RolloutKind getKind() {
    return kind;
  }

  public void setKind(RolloutKind kind) {
    this.kind = kind;
  }

  public String getStart() {
    return start;
  }

  public void setStart(String start) {
    this.start = start;
  }

  public String getEnd() {
    return end;
  }

  public void setEnd(String end) {
    this.end = end;
  }

  public Integer getPodsReplaced() {
    return podsReplaced;
  }

  public void setPodsReplaced(Integer podsReplaced) {
    this.podsReplaced = podsReplaced;
  }

  public RolloutOutcome getOutcome() {
    return outcome;
  }

  public void setOutcome(RolloutOutcome outcome) {
    this.outcome = outcome;
  }

  public LatencyFigures getEndpointRemovalMs() {
    return endpointRemovalMs;
  }

  public void setEndpointRemovalMs(LatencyFigures v) {
    this.endpointRemovalMs = v;
  }

  public LatencyFigures getDataPlaneMs() {
    return dataPlaneMs;
  }

  public void setDataPlaneMs(LatencyFigures dataPlaneMs) {
    this.dataPlaneMs = dataPlaneMs;
  }

  public Integer getPreStopSecondsInForce() {
    return preStopSecondsInForce;
  }

  public void setPreStopSecondsInForce(Integer v) {
    this.preStopSecondsInForce = v;
  }

  public Integer getPodsOutlastingPreStop() {
    return podsOutlastingPreStop;
  }

  public void setPodsOutlastingPreStop(Integer v) {
    this.podsOutlastingPreStop = v;
  }

  public Integer getRecommendedPreStopSeconds() {
    return recommendedPreStopSeconds;
  }

  public void setRecommendedPreStopSeconds(Integer v) {
    this.recommendedPreStopSeconds = v;
  }

  public Integer getDataPlaneNodes() {
    return dataPlaneNodes;
  }

  public void setDataPlaneNodes(Integer dataPlaneNodes) {
    this.dataPlaneNodes = dataPlaneNodes;
  }

  public Integer getDataPlaneNodesUnread() {
    return dataPlaneNodesUnread;
  }

  public void setDataPlaneNodesUnread(Integer dataPlaneNodesUnread) {
    this.dataPlaneNodesUnread = dataPlaneNodesUnread;
  }

  public Integer getPodsMeasured() {
    return podsMeasured;
  }

  public void setPodsMeasured(Integer podsMeasured) {
    this.podsMeasured = podsMeasured;
  }

  public Integer getPodsWithoutPreStop() {
    return podsWithoutPreStop;
  }

  public void setPodsWithoutPreStop(Integer podsWithoutPreStop) {
    this.podsWithoutPreStop = podsWithoutPreStop;
  }
}
