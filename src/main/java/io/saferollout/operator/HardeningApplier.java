package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.saferollout.api.SafeRollout;
import io.saferollout.rules.Change;
import io.saferollout.rules.HardeningReverter;
import io.saferollout.rules.RevertPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * The apply step: one patch per Deployment whose plan says APPLY (and the revert on deletion), each
 * written through the Deployment informer so that JOSDK caches the response and drops the watch
 * event of our own write: the next reconcile reads what we wrote, and our own write does not wake
 * us again.
 */
final class HardeningApplier {
  private final DeploymentPatcher patcher;
  private final OperatorMetrics metrics;

  HardeningApplier(DeploymentPatcher patcher, OperatorMetrics metrics) {
    this.patcher = patcher;
    this.metrics = metrics;
  }

  List<TargetResult> apply(
      SafeRollout sr, List<TargetPlan> plans, InformerEventSource<Deployment, SafeRollout> cache) {
    List<TargetResult> results = new ArrayList<>();
    for (TargetPlan p : plans) {
      if (p.step() != TargetPlan.Step.APPLY) {
        results.add(new TargetResult(p, p.recorded(), List.of()));
        continue;
      }
      List<Change> changes = p.plan().changes();
      List<Change> recorded = AppliedChangesRecord.merge(p.recorded(), changes);
      Deployment desired = annotate(p.plan().hardened(), sr, recorded);
      boolean removes = p.plan().removesFields();
      List<String> owned = recorded.stream().map(Change::path).toList();
      cache.eventFilteringUpdateAndCacheResource(
          p.current(), current -> patcher.patch(current, desired, owned, removes));
      metrics.patched(changes);
      results.add(new TargetResult(p, recorded, changes));
    }
    return results;
  }

  /**
   * Removes exactly the operator's own changes: only record entries it can prove (listed in the
   * SafeRollout's status, or removals of fields its field manager still owns), since anyone who can
   * edit the Deployment's annotations could otherwise make it write fields in its name.
   */
  RevertPlan revert(
      SafeRollout sr, Deployment d, InformerEventSource<Deployment, SafeRollout> cache) {
    RevertPlan plan =
        HardeningReverter.revert(
            d,
            AppliedChangesRecord.provable(
                d, sr.getStatus() == null ? List.of() : sr.getStatus().getAppliedChanges()));
    Deployment desired =
        new DeploymentBuilder(plan.reverted())
            .editMetadata()
            .removeFromAnnotations(AppliedChangesRecord.ANNOTATION)
            .removeFromAnnotations(AppliedChangesRecord.HARDENED_BY)
            .endMetadata()
            .build();
    cache.eventFilteringUpdateAndCacheResource(
        d, current -> patcher.patch(current, desired, List.of(), true));
    return plan;
  }

  private static Deployment annotate(Deployment hardened, SafeRollout sr, List<Change> recorded) {
    return new DeploymentBuilder(hardened)
        .editMetadata()
        .addToAnnotations(AppliedChangesRecord.HARDENED_BY, sr.getMetadata().getName())
        .addToAnnotations(AppliedChangesRecord.ANNOTATION, AppliedChangesRecord.write(recorded))
        .endMetadata()
        .build();
  }
}
