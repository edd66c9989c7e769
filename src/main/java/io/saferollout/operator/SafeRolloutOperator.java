package io.saferollout.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.saferollout.operator.adoption.NextRolloutGate;
import io.saferollout.operator.health.OperatorHealth;
import io.saferollout.operator.health.OperatorHealth.Leadership;
import io.saferollout.operator.rollout.RolloutObserver;
import java.time.Clock;
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
  private final boolean leaderElection;
  private final ClusterCapabilitiesSource capabilities;

  /**
   * How long a stopping operator lets running reconciles finish: well inside the 30 s the kubelet
   * waits between SIGTERM and SIGKILL (the pod's default terminationGracePeriodSeconds).
   */
  public static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  public SafeRolloutOperator(
      KubernetesClient client, OperatorSettings settings, MeterRegistry meters) {
    this.leaderElection = settings.leaderElection();
    this.leadership =
        new AtomicReference<>(
            settings.leaderElection() ? Leadership.STANDBY : Leadership.NOT_ELECTING);
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  // Our own patches carry the resourceVersion; the primary (SafeRollout) is only
                  // ever
                  // status-patched, and SSA is tried for Deployments by DeploymentPatcher itself.
                  .withUseSSAToPatchPrimaryResource(false)
                  .withCloseClientOnStop(false)
                  .withReconciliationTerminationTimeout(SHUTDOWN_TIMEOUT)
                  // Reconcile timings, queue and retry counts: JOSDK's own meters, without
                  // per-resource
                  // series (those grow with the number of SafeRollouts).
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters));
              if (settings.leaderElection()) {
                var le =
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            settings.leaseName())
                        .withLeaseNamespace(settings.leaseNamespace())
                        .withLeaseDuration(settings.leaseTiming().duration())
                        .withRenewDeadline(settings.leaseTiming().renewDeadline())
                        .withRetryPeriod(settings.leaseTiming().retryPeriod())
                        .withLeaderCallbacks(
                            new LeaderCallbacks(
                                () -> leadership.set(Leadership.LEADER),
                                () -> leadership.set(Leadership.STANDBY),
                                leader -> LOG.info("leader is now {}", leader)));
                if (settings.identity() != null) {
                  le.withIdentity(settings.identity());
                }
                // JOSDK exits the process when the lease is lost (so a deposed leader can never
                // patch
                // alongside the new one); only in-process instances sharing a JVM opt out.
                o.withLeaderElectionConfiguration(
                    settings.leaseTiming().exitOnLoss() ? le.build() : le.buildForTest(false));
              }
            });
    this.capabilities = new ClusterCapabilitiesSource(client, settings.capabilitiesRefresh());
    this.reconciler = reconciler(client, capabilities, meters);
    operator.register(
        reconciler,
        c -> {
          if (!settings.namespaces().isEmpty()) {
            c.settingNamespaces(settings.namespaces());
          }
        });
  }

  /** The composition root: every step of the reconciler, built once and handed in. */
  private static SafeRolloutReconciler reconciler(
      KubernetesClient client, ClusterCapabilitiesSource capabilities, MeterRegistry meters) {
    OperatorMetrics metrics = new OperatorMetrics(meters);
    EventRecorder events = new EventRecorder(client);
    HardeningApplier applier = new HardeningApplier(new DeploymentPatcher(client), metrics);
    RolloutObserver rollouts =
        new RolloutObserver(
            client,
            meters,
            // The observer's reasons are EventReason names (RemovalOutlastedPreStop,
            // DataPlaneNotMeasured).
            (sr, reason, message) ->
                events.record(
                    sr, EventRecorder.Type.Warning, EventReason.valueOf(reason), message));
    return new SafeRolloutReconciler(
        new TargetObserver(
            capabilities, rollouts, new NamespaceMetadata(client, Clock.systemUTC())),
        new HardeningPlanner(new NextRolloutGate()),
        applier,
        new ReconcileRecorder(events, Clock.systemUTC()),
        new DeletionHandling(applier, events),
        metrics);
  }

  /**
   * Starts the informers and, once leading (or at once without leader election), reconciling.
   *
   * <p>Standby replicas fill their caches too: JOSDK 5 starts every event source at {@code
   * Operator.start()} and gates only event processing on the lease, so that a new leader reconciles
   * from a warm cache within the lease's failover time. The price is a standby's memory equal to
   * the leader's (Deployments and PodDisruptionBudgets of the watched namespaces), which the
   * chart's memory limit accounts for.
   */
  public void start() {
    try {
      // Read once before the first reconciles, which would otherwise all wait on this one read.
      capabilities.current();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not read the Kubernetes server version yet ({}); the first reconcile will",
          e.getMessage());
    }
    operator.start();
  }

  /**
   * Stops the operator when the JVM is asked to exit (SIGTERM from the kubelet), letting running
   * reconciles finish for up to {@link #SHUTDOWN_TIMEOUT}. The work runs inside the shutdown hook,
   * so the JVM does not halt before it is done (a hook that only wakes another thread races the
   * halt). Without leader election this is JOSDK's own hook. With it, JOSDK installs none: its stop
   * releases the lease, and a leader configured to exit on losing the lease would call System.exit
   * from inside the hook, which blocks for good; so the hook here waits for the stop at most the
   * timeout and then lets the JVM halt.
   */
  public void stopOnShutdown() {
    if (!leaderElection) {
      operator.installShutdownHook(SHUTDOWN_TIMEOUT);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  Thread stopping = new Thread(operator::stop, "saferollout-stop");
                  stopping.setDaemon(true);
                  stopping.start();
                  try {
                    stopping.join(SHUTDOWN_TIMEOUT.plusSeconds(1).toMillis());
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "saferollout-shutdown"));
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
    // JOSDK 5.3.2's ExecutorServiceManager.stop() shuts down every pool but the scheduled one its
    // informer event sources use; that idle non-daemon thread ("pool-N-thread-1") kept the JVM
    // alive after a benchmark or the demo ended (fixed upstream in java-operator-sdk#3526).
    operator
        .getConfigurationService()
        .getExecutorServiceManager()
        .scheduledExecutorService()
        .shutdownNow();
  }
}
