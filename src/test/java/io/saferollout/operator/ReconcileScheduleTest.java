package io.saferollout.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * No SafeRollout is stranded: JOSDK reconciles each one again after its controller's
 * maxReconciliationInterval even when no event arrives, and that interval is also all it schedules
 * once a reconcile's retries are exhausted. JOSDK's default is 10 hours.
 */
class ReconcileScheduleTest {
  @Test
  void everySafeRolloutIsReconciledAgainWithinFiveMinutesWithoutAnyEvent() {
    MaxReconciliationInterval resync =
        SafeRolloutReconciler.class
            .getAnnotation(ControllerConfiguration.class)
            .maxReconciliationInterval();
    Duration interval = Duration.of(resync.interval(), resync.timeUnit().toChronoUnit());
    assertThat(interval)
        .as("after exhausted retries or a namespace label switched on, the next look comes within")
        .isPositive()
        .isLessThanOrEqualTo(Duration.ofMinutes(5))
        .isEqualTo(Duration.ofMinutes(SafeRolloutReconciler.RESYNC_MINUTES));
    assertThat(interval)
        .as("long enough that a steady state costs little: at most one namespace GET per TTL")
        .isGreaterThan(NamespaceMetadata.TTL);
  }
}
