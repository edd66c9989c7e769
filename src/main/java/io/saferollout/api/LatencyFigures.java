package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** p50, p99 and max of a set of durations, in milliseconds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LatencyFigures {
  private Long p50;
  private Long p99;
  private Long max;

  public LatencyFigures() {}

  public LatencyFigures(long p50, long p99, long max) {
    this.p50 = p50;
    this.p99 = p99;
    this.max = max;
  }

  public Long getP50() {
    return p50;
  }

  public void setP50(Long p50) {
    this.p50 = p50;
  }

  public Long getP99() {
    return p99;
  }

  public void setP99(Long p99) {
    this.p99 = p99;
  }

  public Long getMax() {
    return max;
  }

  public void setMax(Long max) {
    this.max = max;
  }
}
