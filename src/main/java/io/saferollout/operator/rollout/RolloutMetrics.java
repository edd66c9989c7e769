package io.saferollout.operator.rollout;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.saferollout.api.RolloutOutcome;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What rollout observation exports on /metrics: endpoint-removal and data-plane histograms,
 * rollouts by outcome, and the preStop in force per target. Reconcile timings come from JOSDK's own
 * Micrometer metrics.
 */
final class RolloutMetrics {
  private final MeterRegistry registry;
  private final Timer endpointRemoval;
  private final Timer endpointReady;
  private final Timer dataPlane;
  private final DistributionSummary budgets;
  private final Map<String, AtomicInteger> preStop = new ConcurrentHashMap<>();

  RolloutMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.endpointRemoval =
        Timer.builder("saferollout.endpoint.removal")
            .description(
                "Control plane: pod deletion until its endpoint is not ready in every EndpointSlice")
            .publishPercentileHistogram()
            .register(registry);
    this.endpointReady =
        Timer.builder("saferollout.endpoint.ready")
            .description("Control plane: pod Ready until its endpoint is ready")
            .publishPercentileHistogram()
            .register(registry);
    this.dataPlane =
        Timer.builder("saferollout.dataplane.programming")
            .description("Data plane: p99 of nodes programming a rollout's endpoint changes")
            .publishPercentileHistogram()
            .register(registry);
    this.budgets =
        DistributionSummary.builder("saferollout.prestop.budget.seconds")
            .description("Stated budgets for hops no metric covers, per recorded rollout")
            .register(registry);
  }

  void removed(Duration controlPlane) {
    endpointRemoval.record(controlPlane);
  }

  void endpointReady(Duration sinceReady) {
    endpointReady.record(sinceReady);
  }

  void dataPlaneP99(Duration p99) {
    dataPlane.record(p99);
  }

  void rollout(RolloutOutcome outcome, double budgetSeconds) {
    registry.counter("saferollout.rollouts", "outcome", outcome.name()).increment();
    budgets.record(budgetSeconds);
  }

  void preStopInForce(String namespace, String deployment, int seconds) {
    preStop
        .computeIfAbsent(
            namespace + "/" + deployment,
            k ->
                registry.gauge(
                    "saferollout.prestop.seconds",
                    Tags.of("namespace", namespace, "deployment", deployment),
                    new AtomicInteger()))
        .set(seconds);
  }
}
