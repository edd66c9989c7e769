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
  @JsonPropertyDescription("HTTP path of the application's readiness endpoint, e.g. /healthz. Unset: a TCP check on the port (and a finding).")
  @Pattern("^/.*")
  private String path;

  @JsonPropertyDescription("Port number or name to probe. Default: the container's first declared port.")
  private IntOrString port;

  @JsonPropertyDescription("HTTP or HTTPS. Default HTTP.")
  @Pattern("^(HTTP|HTTPS)$")
  @Default("HTTP")
  private String scheme = "HTTP";

  @JsonPropertyDescription("Seconds after the container starts before the first probe. Default 0.")
  @Min(0) @Max(3600)
  @Default("0")
  private Integer initialDelaySeconds = 0;

  @JsonPropertyDescription("Seconds between probes. Default 5.")
  @Min(1) @Max(300)
  @Default("5")
  private Integer periodSeconds = 5;

  @JsonPropertyDescription("Seconds before a probe times out. Default 1.")
  @Min(1) @Max(300)
  @Default("1")
  private Integer timeoutSeconds = 1;

  @JsonPropertyDescription("Consecutive successes to become ready. Default 1.")
  @Min(1) @Max(100)
  @Default("1")
  private Integer successThreshold = 1;

  @JsonPropertyDescription("Consecutive failures to become unready. Default 3.")
  @Min(1) @Max(100)
  @Default("3")
  private Integer failureThreshold = 3;

  public String getPath() { return path; }
  public void setPath(String path) { this.path = path; }
  public IntOrString getPort() { return port; }
  public void setPort(IntOrString port) { this.port = port; }
  public String getScheme() { return scheme; }
  public void setScheme(String scheme) { this.scheme = scheme; }
  public Integer getInitialDelaySeconds() { return initialDelaySeconds; }
  public void setInitialDelaySeconds(Integer v) { this.initialDelaySeconds = v; }
  public Integer getPeriodSeconds() { return periodSeconds; }
  public void setPeriodSeconds(Integer v) { this.periodSeconds = v; }
  public Integer getTimeoutSeconds() { return timeoutSeconds; }
  public void setTimeoutSeconds(Integer v) { this.timeoutSeconds = v; }
  public Integer getSuccessThreshold() { return successThreshold; }
  public void setSuccessThreshold(Integer v) { this.successThreshold = v; }
  public Integer getFailureThreshold() { return failureThreshold; }
  public void setFailureThreshold(Integer v) { this.failureThreshold = v; }
}
