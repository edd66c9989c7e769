package io.saferollout.operator.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Runs the user's instant query against the Prometheus HTTP API (/api/v1/query) and reads the first
 * sample as seconds: the data-plane p99 when kube-proxy's metrics are scraped rather than reachable
 * from the operator.
 */
final class PrometheusQuery {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private final HttpClient http;

  PrometheusQuery(HttpClient http) {
    this.http = http;
  }

  /** Seconds, or empty when the query has no sample; a failed request throws with the reason. */
  Optional<Double> seconds(String baseUrl, String query) {
    String url =
        baseUrl.replaceAll("/+$", "")
            + "/api/v1/query?query="
            + URLEncoder.encode(query, StandardCharsets.UTF_8);
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "Prometheus at " + baseUrl + " answered " + r.statusCode() + ": " + r.body());
      }
      return firstValue(r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted querying Prometheus", e);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          "Prometheus at " + baseUrl + " unreachable: " + e.getMessage(), e);
    }
  }

  /**
   * {"data":{"resultType":"vector","result":[{"value":[ts,"0.42"]}]}} or a scalar's [ts,"0.42"].
   */
  static Optional<Double> firstValue(String body) {
    try {
      JsonNode data = Serialization.jsonMapper().readTree(body).path("data");
      JsonNode value =
          "scalar".equals(data.path("resultType").asText())
              ? data.path("result")
              : data.path("result").path(0).path("value");
      if (!value.isArray() || value.size() < 2) {
        return Optional.empty();
      }
      double v = PrometheusText.parseValue(value.get(1).asText());
      return Double.isFinite(v) ? Optional.of(v) : Optional.empty();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Prometheus answer is not JSON: " + e.getMessage(), e);
    }
  }
}
