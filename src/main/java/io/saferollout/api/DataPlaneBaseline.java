package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Every node's kube-proxy network-programming histogram at a rollout's start, added together: one
 * entry whatever the node count, so a rollout's status stays small on a 5,000-node cluster.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataPlaneBaseline {
  @JsonPropertyDescription("Nodes whose kube-proxy answered and are added up here.")
  private Integer nodes;

  @JsonPropertyDescription(
      "A fingerprint of those nodes and their kube-proxy processes: the end of the rollout"
          + " subtracts only when it reads the same set.")
  private String nodeSet;

  @JsonPropertyDescription("Observations counted (the histograms' _count, added up).")
  private Double count;

  @JsonPropertyDescription("Sum of the observations in seconds (_sum, added up).")
  private Double sum;

  @JsonPropertyDescription(
      "Cumulative bucket counts as space-separated le=count pairs, where the count grows.")
  private String buckets;

  public Integer getNodes() {
    return nodes;
  }

  public void setNodes(Integer nodes) {
    this.nodes = nodes;
  }

  public String getNodeSet() {
    return nodeSet;
  }

  public void setNodeSet(String nodeSet) {
    this.nodeSet = nodeSet;
  }

  public Double getCount() {
    return count;
  }

  public void setCount(Double count) {
    this.count = count;
  }

  public Double getSum() {
    return sum;
  }

  public void setSum(Double sum) {
    this.sum = sum;
  }

  public String getBuckets() {
    return buckets;
  }

  public void setBuckets(String buckets) {
    this.buckets = buckets;
  }
}
