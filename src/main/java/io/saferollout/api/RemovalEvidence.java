package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Endpoint removal over the last rollouts: the evidence a preStop recommendation rests on. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RemovalEvidence {
  @JsonPropertyDescription("Rollouts in the window.")
  private Integer window;

  @JsonPropertyDescription("Pods replaced by the rollouts in the window.")
  private Integer samples;

  @JsonPropertyDescription(
      "Where the figures come from: EndpointSlices, a data-plane source, stated budgets.")
  private List<String> sources = new ArrayList<>();

  @JsonPropertyDescription("Control plane: median of the rollouts' p50, highest p99 and max.")
  private LatencyFigures endpointRemovalMs;

  @JsonPropertyDescription("Data plane: median of the rollouts' p50, highest p99 and max.")
  private LatencyFigures dataPlaneMs;

  @JsonPropertyDescription("Sum of the stated budgets, in seconds.")
  private Double budgetSeconds;

  public Integer getWindow() {
    return window;
  }

  public void setWindow(Integer window) {
    this.window = window;
  }

  public Integer getSamples() {
    return samples;
  }

  public void setSamples(Integer samples) {
    this.samples = samples;
  }

  public List<String> getSources() {
    return sources;
  }

  public void setSources(List<String> sources) {
    this.sources = sources;
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

  public Double getBudgetSeconds() {
    return budgetSeconds;
  }

  public void setBudgetSeconds(Double budgetSeconds) {
    this.budgetSeconds = budgetSeconds;
  }
}
