package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.IntOrString;

/**
 * The readiness probe added to a serving container that has none. With a path it is an HTTP GET
 * (the accurate check the seed article asks for); without one it falls back to a TCP check, which
 * only proves the port is open, and a finding says so.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReadinessProbeSpec {
  @JsonPropertyDescription(
      "HTTP path of the application's readiness endpoint, e.g. /healthz. Unset: a TCP check on the port (and a finding).")
  @Pattern("^/.*")
  private String path;

  @JsonPropertyDescription(
      "Port number or name to probe. Default: the container's first declared port.")
  private IntOrString port;

  @JsonPropertyDescription("HTTP or HTTPS. Default HTTP.")
  @Pattern("^(HTTP|HTTPS)$")
  @Default(SpecDefaults.PROBE_SCHEME)
  private String scheme = SpecDefaults.PROBE_SCHEME;

  @JsonPropertyDescription(
      "Seconds after the container starts before the first probe. Default "
          + SpecDefaults.PROBE_INITIAL_DELAY_SECONDS
          + ".")
  @Min(0)
  @Max(SpecDefaults.PROBE_MAX_INITIAL_DELAY_SECONDS)
  @Default("" + SpecDefaults.PROBE_INITIAL_DELAY_SECONDS)
  private Integer initialDelaySeconds = SpecDefaults.PROBE_INITIAL_DELAY_SECONDS;

  @JsonPropertyDescription(
      "Seconds between probes. Default " + SpecDefaults.PROBE_PERIOD_SECONDS + ".")
  @Min(1)
  @Max(SpecDefaults.PROBE_MAX_SECONDS)
  @Default("" + SpecDefaults.PROBE_PERIOD_SECONDS)
  private Integer periodSeconds = SpecDefaults.PROBE_PERIOD_SECONDS;

  @JsonPropertyDescription(
      "Seconds before a probe times out. Default " + SpecDefaults.PROBE_TIMEOUT_SECONDS + ".")
  @Min(1)
  @Max(SpecDefaults.PROBE_MAX_SECONDS)
  @Default("" + SpecDefaults.PROBE_TIMEOUT_SECONDS)
  private Integer timeoutSeconds = SpecDefaults.PROBE_TIMEOUT_SECONDS;

  @JsonPropertyDescription(
      "Consecutive successes to become ready. Default "
          + SpecDefaults.PROBE_SUCCESS_THRESHOLD
          + ".")
  @Min(1)
  @Max(SpecDefaults.PROBE_MAX_THRESHOLD)
  @Default("" + SpecDefaults.PROBE_SUCCESS_THRESHOLD)
  private Integer successThreshold = SpecDefaults.PROBE_SUCCESS_THRESHOLD;

  @JsonPropertyDescription(
      "Consecutive failures to become unready. Default "
          + SpecDefaults.PROBE_FAILURE_THRESHOLD
          + ".")
  @Min(1)
  @Max(SpecDefaults.PROBE_MAX_THRESHOLD)
  @Default("" + SpecDefaults.PROBE_FAILURE_THRESHOLD)
  private Integer failureThreshold = SpecDefaults.PROBE_FAILURE_THRESHOLD;

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public IntOrString getPort() {
    return port;
  }

  public void setPort(IntOrString port) {
    this.port = port;
  }

  public String getScheme() {
    return scheme;
  }

  public void setScheme(String scheme) {
    this.scheme = scheme;
  }

  public Integer getInitialDelaySeconds() {
    return initialDelaySeconds;
  }

  public void setInitialDelaySeconds(Integer v) {
    this.initialDelaySeconds = v;
  }

  public Integer getPeriodSeconds() {
    return periodSeconds;
  }

  public void setPeriodSeconds(Integer v) {
    this.periodSeconds = v;
  }

  public Integer getTimeoutSeconds() {
    return timeoutSeconds;
  }

  public void setTimeoutSeconds(Integer v) {
    this.timeoutSeconds = v;
  }

  public Integer getSuccessThreshold() {
    return successThreshold;
  }

  public void setSuccessThreshold(Integer v) {
    this.successThreshold = v;
  }

  public Integer getFailureThreshold() {
    return failureThreshold;
  }

  public void setFailureThreshold(Integer v) {
    this.failureThreshold = v;
  }
}
