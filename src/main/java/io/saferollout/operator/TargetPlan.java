package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.rules.Change;
import io.saferollout.rules.HardeningPlan;
import java.util.List;
import java.util.Optional;

/**
 * The plan for one target Deployment: what the rules would change, and whether that happens now.
 *
 * @param recorded the changes the operator made earlier, from the Deployment's own record
 * @param heldSinceRevision for {@link Step#HOLD_FOR_NEXT_ROLLOUT}: the revision to store and pass
 *     back
 * @param why a person's reading of the step, for the Event
 */
record TargetPlan(
    Deployment current,
    HardeningPlan plan,
    List<Change> recorded,
    Step step,
    Optional<Long> heldSinceRevision,
    String why) {

  enum Step {
    /** The Deployment already is as the policy wants it. */
    IN_SYNC,
    /** Audit mode: the changes are reported, never made. */
    REPORT_ONLY,
    /** Patch the Deployment in this reconcile. */
    APPLY,
    /** Adoption NextRollout: wait for the user's next pod-template change. */
    HOLD_FOR_NEXT_ROLLOUT,
    /** Adoption Immediately: wait until the Deployment rolling out before this one is done. */
    HOLD_FOR_PREVIOUS_TARGET
  }

  String deployment() {
    return current.getMetadata().getName();
  }
}
