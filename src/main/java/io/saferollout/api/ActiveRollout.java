package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * A rollout being followed. It lives in the status, not in memory, so an operator restarted
 * mid-rollout picks it up with the removals already measured and the nodes' data-plane counters at
 * its start, and writes exactly one record.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ActiveRollout {
  private String deployment;
  private String revision;
  private RolloutKind kind;

  @JsonPropertyDescription("When the rollout was first seen (RFC 3339).")
  private String start;

  private Integer replicas;
  private Integer preStopSecondsInForce;

  @JsonPropertyDescription("Terminated pods measured so far.")
  private List<PodRemoval> removals = new ArrayList<>();

  @JsonPropertyDescription(
      "Each node's kube-proxy network-programming histogram when the rollout started, as operator"
          + " versions before dataPlaneBaselineTotal kept it: still read, no longer written.")
  private List<NodeHistogram> dataPlaneBaseline;

  @JsonPropertyDescription(
      "Every node's kube-proxy histogram at the start, added up (data-plane source"
          + " KubeProxyMetrics); replaces dataPlaneBaseline, which grew with the node count.")
  private DataPlaneBaseline dataPlaneBaselineTotal;

  @JsonPropertyDescription("Nodes whose kube-proxy could not be read when the rollout started.")
  private Integer dataPlaneNodesUnread;

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

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getPreStopSecondsInForce() {
    return preStopSecondsInForce;
  }

  public void setPreStopSecondsInForce(Integer v) {
    this.preStopSecondsInForce = v;
  }

  public List<PodRemoval> getRemovals() {
    return removals;
  }

  public void setRemovals(List<PodRemoval> removals) {
    this.removals = removals;
  }

  public List<NodeHistogram> getDataPlaneBaseline() {
    return dataPlaneBaseline;
  }

  public void setDataPlaneBaseline(List<NodeHistogram> dataPlaneBaseline) {
    this.dataPlaneBaseline = dataPlaneBaseline;
  }

  public Integer getDataPlaneNodesUnread() {
    return dataPlaneNodesUnread;
  }

  public void setDataPlaneNodesUnread(Integer dataPlaneNodesUnread) {
    this.dataPlaneNodesUnread = dataPlaneNodesUnread;
  }

  public DataPlaneBaseline getDataPlaneBaselineTotal() {
    return dataPlaneBaselineTotal;
  }

  public void setDataPlaneBaselineTotal(DataPlaneBaseline dataPlaneBaselineTotal) {
    this.dataPlaneBaselineTotal = dataPlaneBaselineTotal;
  }
}
