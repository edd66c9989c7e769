package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.saferollout.api.OnDelete;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SpecDefaults;
import io.saferollout.rules.RevertPlan;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A finalizer only where deletion has work to do: {@code onDelete: Revert}. With Keep (the default)
 * deleting a SafeRollout leaves its Deployments as they are, so nothing needs to hold the deletion;
 * a finalizer there would only make namespaces hang in Terminating once the operator is
 * uninstalled. JOSDK adds a finalizer to every resource of a {@code Cleaner}; this reconciler runs
 * with {@code triggerReconcilerOnAllEvents} instead and manages its own, as JOSDK 5.2+ documents
 * ("Trigger reconciliation for all events").
 */
final class DeletionHandling {
  private static final Logger LOG = LoggerFactory.getLogger(DeletionHandling.class);

  /**
   * JOSDK's default finalizer name for this resource, kept so SafeRollouts from earlier versions
   * are released.
   */
  static final String FINALIZER = "saferollouts.saferollout.io/finalizer";

  private final HardeningApplier applier;
  private final EventRecorder events;

  DeletionHandling(HardeningApplier applier, EventRecorder events) {
    this.applier = applier;
    this.events = events;
  }

  /**
   * Adds or removes the finalizer to match onDelete; returns the SafeRollout as the server now has
   * it.
   */
  SafeRollout holdDeletionOnlyIfNeeded(SafeRollout sr, Context<SafeRollout> ctx) {
    boolean needed = onDelete(sr) == OnDelete.Revert;
    if (needed && !sr.hasFinalizer(FINALIZER)) {
      return ctx.resourceOperations().addFinalizer(FINALIZER);
    }
    if (!needed && sr.hasFinalizer(FINALIZER)) {
      return ctx.resourceOperations().removeFinalizer(FINALIZER);
    }
    return sr;
  }

  /** The SafeRollout is being deleted and holds our finalizer: revert if asked, then let it go. */
  void finish(
      SafeRollout sr,
      Context<SafeRollout> ctx,
      InformerEventSource<Deployment, SafeRollout> deployments) {
    if (!sr.hasFinalizer(FINALIZER)) {
      return;
    }
    if (onDelete(sr) == OnDelete.Revert) {
      List<String> reverted = new ArrayList<>();
      List<String> skipped = new ArrayList<>();
      deployments
          .list(sr.getMetadata().getNamespace())
          .filter(d -> TargetSelection.hardenedBy(d, sr))
          .forEach(
              d -> {
                RevertPlan plan = applier.revert(sr, d, deployments);
                reverted.add(
                    d.getMetadata().getName()
                        + " ("
                        + plan.revertedChanges().size()
                        + " field(s))");
                plan.skipped()
                    .forEach(f -> skipped.add(d.getMetadata().getName() + ": " + f.message()));
              });
      if (!reverted.isEmpty()) {
        events.record(
            sr,
            skipped.isEmpty() ? EventRecorder.Type.Normal : EventRecorder.Type.Warning,
            EventReason.Reverted,
            "removed SafeRollout's own changes from "
                + String.join(", ", reverted)
                + (skipped.isEmpty() ? "" : "; kept: " + String.join("; ", skipped)));
      }
      LOG.info(
          "SafeRollout {}/{} deleted: reverted {}",
          sr.getMetadata().getNamespace(),
          sr.getMetadata().getName(),
          reverted.isEmpty() ? "nothing" : String.join(", ", reverted));
    }
    // Not through JOSDK's cache: once the last finalizer is gone the SafeRollout is deleted, and
    // there is no later version to cache (some servers answer without one).
    ctx.getClient()
        .resource(sr)
        .edit(
            r -> {
              r.removeFinalizer(FINALIZER);
              return r;
            });
  }

  private static OnDelete onDelete(SafeRollout sr) {
    // Read raw, not parsed: an invalid spec that asks for Revert still gets its revert.
    OnDelete asked = sr.getSpec() == null ? null : sr.getSpec().getOnDelete();
    return asked == null ? SpecDefaults.ON_DELETE : asked;
  }
}
