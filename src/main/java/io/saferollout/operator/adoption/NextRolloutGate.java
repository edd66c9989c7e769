package io.saferollout.operator.adoption;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import java.util.Optional;

/**
 * Holds a pod-template change back until the user's next rollout of the Deployment, then lets it
 * through so that it rides along: one rollout for both, none of the operator's own.
 *
 * <p>Any change the operator wants to make to a pod template can use it (hardening with adoption
 * NextRollout, a tuned preStop with applyTuning WithNextRollout). The gate keeps no memory: the
 * caller stores the revision a change was held at ({@link Verdict.Held#sinceRevision()}) in the
 * API, in its resource's status, and passes it back, so a restarted operator waits for the same
 * rollout.
 *
 * <p>The signal is the Deployment controller's revision annotation ({@code
 * deployment.kubernetes.io/revision}, set by {@code pkg/controller/deployment/sync.go}): it grows
 * exactly when a new pod template starts rolling out (image change, `kubectl rollout restart`), and
 * not when the Deployment is scaled (an HPA at work must not start a rollout). The change goes
 * through only while that rollout is still in progress; if the operator only notices a newer
 * revision after it finished, it waits for the next one rather than start a rollout nobody asked
 * for.
 */
public final class NextRolloutGate {
  public static final String REVISION = "deployment.kubernetes.io/revision";

  /** What to do with a held change now. */
  public sealed interface Verdict {
    /** Apply now; {@code why} says so in an Event. */
    record Open(String why) implements Verdict {}

    /** Keep holding; store {@code sinceRevision} and pass it back next time. */
    record Held(long sinceRevision) implements Verdict {}
  }

  /**
   * @param heldSinceRevision the revision the change was first held at, if it was held before
   */
  public Verdict decide(Deployment d, Optional<Long> heldSinceRevision) {
    Optional<Long> revision = revision(d);
    if (revision.isEmpty()) {
      // The Deployment controller has not rolled this Deployment out yet: it was just created, and
      // its first pods are being (or about to be) created anyway.
      return new Verdict.Open("the Deployment is new and rolling out for the first time");
    }
    long now = revision.get();
    if (heldSinceRevision.isEmpty()) {
      return firstRolloutInProgress(d, now)
          ? new Verdict.Open("the Deployment is new and rolling out its first pods")
          : new Verdict.Held(now);
    }
    if (now > heldSinceRevision.get()) {
      return RolloutProgress.inProgress(d)
          ? new Verdict.Open("joins the rollout of revision " + now + " the user started")
          : new Verdict.Held(now);
    }
    return new Verdict.Held(heldSinceRevision.get());
  }

  /**
   * Created a moment ago and still creating its first pods: revision 1, a spec never changed since
   * (generation 1; scaling would have bumped it) and the Progressing condition not yet at
   * NewReplicaSetAvailable, which the Deployment controller sets when a rollout completes and keeps
   * until the next one (pkg/controller/deployment/progress.go).
   */
  private static boolean firstRolloutInProgress(Deployment d, long revision) {
    Long generation = d.getMetadata().getGeneration();
    boolean completed =
        d.getStatus() != null
            && d.getStatus().getConditions() != null
            && d.getStatus().getConditions().stream()
                .anyMatch(
                    c ->
                        "Progressing".equals(c.getType())
                            && "NewReplicaSetAvailable".equals(c.getReason()));
    return revision == 1 && (generation == null || generation == 1) && !completed;
  }

  static Optional<Long> revision(Deployment d) {
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    String raw = annotations == null ? null : annotations.get(REVISION);
    try {
      return raw == null ? Optional.empty() : Optional.of(Long.parseLong(raw.trim()));
    } catch (NumberFormatException e) {
      // Only the Deployment controller writes it. An unreadable value reads as the oldest
      // revision: the change waits for a rollout rather than start one.
      return Optional.of(0L);
    }
  }
}
