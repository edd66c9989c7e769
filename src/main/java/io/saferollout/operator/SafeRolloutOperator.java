package io.saferollout.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.saferollout.operator.health.OperatorHealth;
import io.saferollout.operator.health.OperatorHealth.Leadership;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running SafeRollout operator: a JOSDK {@link Operator} with the SafeRollout reconciler
 * registered, against any Kubernetes API (a cluster, or the local lab). The caller owns the client.
 */
public final class SafeRolloutOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SafeRolloutOperator.class);

  private final Operator operator;
  private final AtomicReference<Leadership> leadership;
  private final SafeRolloutReconciler reconciler;

  public SafeRolloutOperator(KubernetesClient client, OperatorSettings settings, MeterRegistry meters) {
    this.leadership = new AtomicReference<>(settings.leaderElection() ? Leadership.STANDBY : Leadership.NOT_ELECTING);
    this.operator = new Operator(o -> {
      o.withKubernetesClient(client)
          // Our own patches carry the resourceVersion; the primary (SafeRollout) is only ever
          // status-patched, and SSA is tried for Deployments by DeploymentPatcher itself.
          .withUseSSAToPatchPrimaryResource(false)
          .withCloseClientOnStop(false)
          .withReconciliationTerminationTimeout(Duration.ofSeconds(10))
          // Reconcile timings, queue and retry counts: JOSDK's own meters, without per-resource
          // series (those grow with the number of SafeRollouts).
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters));
      if (settings.leaderElection()) {
        var le = LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(settings.leaseName())
            .withLeaseNamespace(settings.leaseNamespace())
            .withLeaseDuration(settings.leaseTiming().duration())
            .withRenewDeadline(settings.leaseTiming().renewDeadline())
            .withRetryPeriod(settings.leaseTiming().retryPeriod())
            .withLeaderCallbacks(new LeaderCallbacks(
                () -> leadership.set(Leadership.LEADER),
                () -> leadership.set(Leadership.STANDBY),
                leader -> LOG.info("leader is now {}", leader)));
        if (settings.identity() != null) {
          le.withIdentity(settings.identity());
        }
        // JOSDK exits the process when the lease is lost (so a deposed leader can never patch
        // alongside the new one); only in-process instances sharing a JVM opt out.
        o.withLeaderElectionConfiguration(settings.leaseTiming().exitOnLoss() ? le.build() : le.buildForTest(false));
      }
    });
    this.reconciler = new SafeRolloutReconciler(client, new ClusterCapabilitiesSource(client, settings.capabilitiesRefresh()), meters);
    operator.register(reconciler, c -> {
      if (!settings.namespaces().isEmpty()) {
        c.settingNamespaces(settings.namespaces());
      }
    });
  }

  public void start() {
    operator.start();
  }

  public OperatorHealth health() {
    var info = operator.getRuntimeInfo();
    return new OperatorHealth(info.isStarted(), info.allEventSourcesAreHealthy(), leadership.get());
  }

  /** Reconciles run so far (for tests and benchmarks: how much work a change caused). */
  public long reconcileCount() {
    return reconciler.reconcileCount();
  }

  public Leadership leadership() {
    return leadership.get();
  }

  @Override
  public void close() {
    operator.stop();
  }
}
