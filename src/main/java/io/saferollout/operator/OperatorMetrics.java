package io.saferollout.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.saferollout.rules.Change;
import java.util.List;

/** Prometheus counters: how often we reconcile, patch, and change fields, by rule. */
final class OperatorMetrics {
  private final MeterRegistry registry;
  private final Counter reconciles;
  private final Counter failures;
  private final Counter patches;

  OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.reconciles = registry.counter("saferollout.reconciles");
    this.failures = registry.counter("saferollout.reconcile.failures");
    this.patches = registry.counter("saferollout.deployment.patches");
  }

  void reconciled() {
    reconciles.increment();
  }

  long reconciles() {
    return (long) reconciles.count();
  }

  void failed() {
    failures.increment();
  }

  void patched(List<Change> changes) {
    patches.increment();
    changes.forEach(
        c -> registry.counter("saferollout.changes.applied", "rule", c.rule().id()).increment());
  }
}
