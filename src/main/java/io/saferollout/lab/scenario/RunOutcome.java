package io.saferollout.lab.scenario;

import io.saferollout.lab.cluster.LabEvent;
import io.saferollout.lab.dataplane.EndpointSetApplied;
import io.saferollout.load.LoadReport;
import java.time.Instant;
import java.util.List;

/**
 * A run's figures with everything a timeline needs: the load report (with each failure's time),
 * the pod events, every endpoint change as each node applied it, and the steps. Times before
 * {@code measuredFrom} belong to setup (the operator's own hardening rollout).
 */
public record RunOutcome(RunResult result, LoadReport load, Instant measuredFrom, Instant measuredTo,
        List<StepMark> steps, List<LabEvent> events, List<EndpointSetApplied> endpoints) {
}
