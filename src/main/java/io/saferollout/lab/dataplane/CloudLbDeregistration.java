package io.saferollout.lab.dataplane;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * A cloud load balancer in front of the nodes, whose controller registers and deregisters targets
 * through the cloud's API: a change takes effect only after the deregistration (or registration and
 * health checks) completes, typically 10 to 60 s (e.g. AWS target groups' {@code
 * deregistration_delay},
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#deregistration-delay,
 * and the AWS Load Balancer Controller's advice to keep preStop above it). Each change takes {@code
 * deregistration} plus a uniform draw in {@code [0, jitter]} for the controller's and API's own
 * delay.
 */
public record CloudLbDeregistration(Duration deregistration, Duration jitter)
    implements PropagationProfile {

  public CloudLbDeregistration {
    Durations.requireNotNegative("cloud-lb deregistration", deregistration);
    Durations.requireNotNegative("cloud-lb jitter", jitter);
  }

  /** 30 s deregistration, up to 5 s more. */
  public static CloudLbDeregistration defaults() {
    return new CloudLbDeregistration(Duration.ofSeconds(30), Duration.ofSeconds(5));
  }

  @Override
  public String id() {
    return "cloud-lb";
  }

  @Override
  public String describe() {
    return "cloud-lb(deregistration "
        + Durations.text(deregistration)
        + " + 0.."
        + Durations.text(jitter)
        + ")";
  }

  /**
   * A load balancer's deregistration happens outside the node: kube-proxy's metric never sees it.
   */
  @Override
  public boolean inKubeProxyMetric() {
    return false;
  }

  @Override
  public ApplySchedule schedule(RandomGenerator random) {
    PropagationDelay delay = PropagationDelay.of(deregistration, jitter);
    return new InOrder(heardAt -> heardAt + delay.sample(random).toNanos());
  }
}
