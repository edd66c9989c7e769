package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** The source of the data-plane removal time (kube-proxy programming the endpoint change). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataPlaneSpec {
  @JsonPropertyDescription(
      "KubeProxyMetrics (default): read each node's kube-proxy metrics. Prometheus: run query. None: control plane and budgets only.")
  @Default("KubeProxyMetrics")
  private DataPlaneSource source = SpecDefaults.DATA_PLANE_SOURCE;

  @JsonPropertyDescription(
      "URL of a node's kube-proxy metrics; {nodeIP} is the Node's InternalIP. Default http://{nodeIP}:10249/metrics.")
  @Default(SpecDefaults.DATA_PLANE_METRICS_URL_TEMPLATE)
  private String metricsUrlTemplate = SpecDefaults.DATA_PLANE_METRICS_URL_TEMPLATE;

  @JsonPropertyDescription(
      "Base URL of the Prometheus API (source: Prometheus), e.g. http://prometheus.monitoring:9090.")
  private String prometheusUrl;

  @JsonPropertyDescription(
      "Instant query returning the data-plane p99 in seconds (source: Prometheus).")
  @Default(SpecDefaults.DATA_PLANE_QUERY)
  private String query = SpecDefaults.DATA_PLANE_QUERY;

  public DataPlaneSource getSource() {
    return source;
  }

  public void setSource(DataPlaneSource source) {
    this.source = source;
  }

  public String getMetricsUrlTemplate() {
    return metricsUrlTemplate;
  }

  public void setMetricsUrlTemplate(String metricsUrlTemplate) {
    this.metricsUrlTemplate = metricsUrlTemplate;
  }

  public String getPrometheusUrl() {
    return prometheusUrl;
  }

  public void setPrometheusUrl(String prometheusUrl) {
    this.prometheusUrl = prometheusUrl;
  }

  public String getQuery() {
    return query;
  }

  public void setQuery(String query) {
    this.query = query;
  }
}
