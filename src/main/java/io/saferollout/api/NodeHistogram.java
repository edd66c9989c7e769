package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * One node's kube-proxy network-programming histogram as read at a rollout's start: its counters,
 * so that what the node observed during the rollout is a subtraction at the end, by whichever
 * operator instance is running then. Buckets are written compactly, since a status is rewritten
 * whole and read by every watcher of the SafeRollout.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeHistogram {
  private String node;

  @JsonPropertyDescription("Observations counted (the histogram's _count).")
  private Double count;

  @JsonPropertyDescription("Sum of the observations in seconds (_sum).")
  private Double sum;

  @JsonPropertyDescription(
      "Cumulative bucket counts as space-separated le=count pairs, only at the bounds where the"
          + " count grows; a bound not listed holds the count of the nearest listed bound below"
          + " it, or 0.")
  private String buckets;

  public NodeHistogram() {}

  public NodeHistogram(String node, double count, double sum, String buckets) {
    this.node = node;
    this.count = count;
    this.sum = sum;
    this.buckets = buckets;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
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
