package io.saferollout.operator;

import java.time.Duration;
import java.util.Set;

/**
 * How one operator instance runs: which namespaces it watches (empty = all), whether it competes
 * for a Lease before reconciling, and the field manager its patches carry.
 *
 * @param leaseNamespace where the Lease lives; required with leader election
 * @param capabilitiesRefresh how often the server version is read again (clusters are upgraded
 *     under running operators; sleep action and native sidecars depend on it)
 */
public record OperatorSettings(
    Set<String> namespaces,
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    String identity,
    Duration capabilitiesRefresh,
    LeaseTiming leaseTiming) {

  /**
   * How long a Lease stays valid without renewal, how long the leader keeps trying to renew, and
   * how often a standby retries: client-go's defaults (leaderelection.LeaderElectionConfig as
   * kube-controller-manager sets them, 15 s / 10 s / 2 s), so an API stall shorter than 10 s never
   * costs the leader its lease. A crashed leader is replaced after at most duration + retry = 17 s;
   * {@code exitOnLoss}: a leader that loses the lease exits, so it can never patch concurrently
   * with the new leader (in a cluster the Deployment controller restarts it as a standby).
   */
  public record LeaseTiming(
      Duration duration, Duration renewDeadline, Duration retryPeriod, boolean exitOnLoss) {
    public static final LeaseTiming DEFAULT =
        new LeaseTiming(
            Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2), true);

    /** In-process instances (tests, the lab) must not exit the JVM they share. */
    public LeaseTiming inProcess() {
      return new LeaseTiming(duration, renewDeadline, retryPeriod, false);
    }
  }

  public static final String FIELD_MANAGER = "saferollout";
  public static final String DEFAULT_LEASE_NAME = "saferollout-operator";

  public OperatorSettings {
    namespaces = Set.copyOf(namespaces);
    if (leaderElection && (leaseNamespace == null || leaseNamespace.isBlank())) {
      throw new IllegalArgumentException(
          "leader election needs a lease namespace: pass --lease-namespace or set POD_NAMESPACE");
    }
  }

  /** All namespaces, no leader election: tests, the lab and a single local instance. */
  public static OperatorSettings singleInstance() {
    return new OperatorSettings(
        Set.of(),
        false,
        DEFAULT_LEASE_NAME,
        null,
        null,
        Duration.ofMinutes(10),
        LeaseTiming.DEFAULT);
  }

  public OperatorSettings withLeaderElection(
      String leaseNamespace, String identity, LeaseTiming timing) {
    return new OperatorSettings(
        namespaces, true, leaseName, leaseNamespace, identity, capabilitiesRefresh, timing);
  }
}
