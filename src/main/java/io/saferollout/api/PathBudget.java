package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/**
 * Time a hop no metric covers (an ingress controller, a cloud load balancer's health checks) needs
 * to stop sending to a removed endpoint. Budgets add up along the path.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PathBudget {
  @JsonPropertyDescription("What this hop is, e.g. cloud-lb or ingress-nginx.")
  @Required
  private String name;

  @JsonPropertyDescription("Seconds this hop needs to stop routing to a removed endpoint.")
  @Required
  @Min(0)
  @Max(SpecDefaults.MAX_SHUTDOWN_PART_SECONDS)
  private Double seconds;

  public PathBudget() {}

  public PathBudget(String name, double seconds) {
    this.name = name;
    this.seconds = seconds;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Double getSeconds() {
    return seconds;
  }

  public void setSeconds(Double seconds) {
    this.seconds = seconds;
  }
}
