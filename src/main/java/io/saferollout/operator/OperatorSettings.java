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
    Duration capabilitiesRefresh) {

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
    return new OperatorSettings(Set.of(), false, DEFAULT_LEASE_NAME, null, null, Duration.ofMinutes(10));
  }

  public OperatorSettings withLeaderElection(String leaseNamespace, String identity) {
    return new OperatorSettings(namespaces, true, leaseName, leaseNamespace, identity, capabilitiesRefresh);
  }
}
