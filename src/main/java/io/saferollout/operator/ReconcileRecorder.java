package io.saferollout.operator;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutStatus;
import java.time.Clock;
import java.util.Optional;

/**
 * The record step: the status decided from the reconcile's facts, written only when it changed, and
 * at most one Event.
 *
 * <p>The status is replaced (PUT on /status) with the resourceVersion the reconcile read. If the
 * cache was stale, or someone wrote in between, the API server answers 409 and JOSDK retries with
 * the newer version, so an older view can never overwrite a newer status. (A JSON merge patch
 * without a resourceVersion, JOSDK's default without server-side apply, would.) The write goes
 * through JOSDK's primary cache, so the next reconcile sees it and our own write does not trigger
 * one.
 */
final class ReconcileRecorder {
  private final EventRecorder events;
  private final Clock clock;

  ReconcileRecorder(EventRecorder events, Clock clock) {
    this.events = events;
    this.clock = clock;
  }

  void record(SafeRollout sr, ReconcileFacts facts, Context<SafeRollout> ctx) {
    SafeRolloutStatus previous = sr.getStatus() == null ? new SafeRolloutStatus() : sr.getStatus();
    SafeRolloutStatus next = StatusDecision.decide(sr, facts, clock.instant());
    Optional<EventSummary> event = EventSummary.of(previous, next, facts);
    if (!StatusComparison.same(previous, next)) {
      sr.setStatus(next);
      ctx.resourceOperations().updatePrimaryStatus(sr);
    }
    event.ifPresent(e -> events.record(sr, e.type(), e.reason(), e.message()));
  }

  /** After an unexpected failure: keep every condition, and say in Degraded what went wrong. */
  void recordError(SafeRollout sr, Exception e, Context<SafeRollout> ctx) {
    SafeRolloutStatus status = sr.getStatus() == null ? new SafeRolloutStatus() : sr.getStatus();
    StatusConditions conditions =
        new StatusConditions(
            status.getConditions(), sr.getMetadata().getGeneration(), clock.instant());
    status.getConditions().stream()
        .filter(c -> !StatusConditions.Type.Degraded.name().equals(c.getType()))
        .forEach(conditions::keep);
    conditions.set(
        StatusConditions.Type.Degraded,
        true,
        ConditionReason.ReconcileError,
        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    status.setConditions(conditions.build());
    sr.setStatus(status);
    ctx.resourceOperations().updatePrimaryStatus(sr);
  }
}
