package io.saferollout.lab.scenario;

import io.saferollout.lab.cluster.LabEvent;
import io.saferollout.lab.dataplane.EndpointSetApplied;
import io.saferollout.load.LoadReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A run's figures with everything a timeline needs: the load report (with each failure's time), the
 * pod events, every endpoint change as each node applied it, the steps, and each node's propagation
 * profile with the delays it actually drew. Times before {@code measuredFrom} belong to setup and,
 * for a hardened run, to the adoption rollout.
 */
public record RunOutcome(
    RunResult result,
    LoadReport load,
    Instant measuredFrom,
    Instant measuredTo,
    List<StepMark> steps,
    List<LabEvent> events,
    List<EndpointSetApplied> endpoints,
    List<NodeDelays> nodes) {

  /**
   * One node: its data-plane kind and profile as configured, and every delay it measured (change
   * heard to applied).
   */
  public record NodeDelays(String node, String kind, String profile, List<Duration> measured) {
    public NodeDelays {
      measured = List.copyOf(measured);
    }
  }
}
