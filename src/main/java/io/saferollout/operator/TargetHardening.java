package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.saferollout.api.AppliedChange;
import io.saferollout.api.Mode;
import io.saferollout.api.ReportedFinding;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.rules.Change;
import io.saferollout.rules.ClusterCapabilities;
import io.saferollout.rules.DeploymentHardener;
import io.saferollout.rules.Finding;
import io.saferollout.rules.HardeningPlan;
import io.saferollout.rules.HardeningPolicy;
import io.saferollout.rules.HardeningReverter;
import io.saferollout.rules.LiveTarget;
import io.saferollout.rules.RevertPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Hardens (or reverts) the Deployments one SafeRollout owns: plan with the pure rules, send at
 * most one patch per Deployment, and say what happened in events.
 */
final class TargetHardening {
  private final DeploymentPatcher patcher;
  private final EventRecorder events;
  private final OperatorMetrics metrics;

  TargetHardening(DeploymentPatcher patcher, EventRecorder events, OperatorMetrics metrics) {
    this.patcher = patcher;
    this.events = events;
    this.metrics = metrics;
  }

  record Outcome(List<AppliedChange> changes, List<ReportedFinding> findings, boolean rolloutInProgress, int deployments) {
    String summary(boolean audit) {
      return deployments + " Deployment(s) " + (audit ? "audited, " + changes.size() + " change(s) would be made"
          : "hardened, " + changes.size() + " field(s) set by SafeRollout") + ", " + findings.size() + " finding(s)";
    }
  }

  Outcome harden(SafeRollout sr, List<Deployment> targets, HardeningPolicy policy, ClusterCapabilities caps,
      List<PodDisruptionBudget> pdbs, SafeRolloutStatus previous, InformerEventSource<Deployment, SafeRollout> cache) {
    boolean audit = policy.mode() == Mode.Audit;
    Set<String> knownFindings = previous.getFindings().stream().map(TargetHardening::key).collect(Collectors.toSet());
    List<AppliedChange> changes = new ArrayList<>();
    List<ReportedFinding> findings = new ArrayList<>();
    boolean rolling = false;
    for (Deployment d : targets) {
      String name = d.getMetadata().getName();
      List<Change> recorded = AppliedChangesRecord.read(d);
      HardeningPlan plan = DeploymentHardener.plan(d, policy, caps,
          LiveTarget.of(OwnedFields.stillOurs(d, recorded), recorded), pdbs);
      if (audit) {
        plan.changes().forEach(c -> changes.add(toStatus(name, c)));
      } else {
        List<Change> nowRecorded = recorded;
        if (!plan.changesNothing()) {
          nowRecorded = AppliedChangesRecord.merge(recorded, plan.changes());
          Deployment desired = annotate(plan.hardened(), sr, nowRecorded);
          boolean removes = plan.removesFields();
          Deployment updated = patcher.patch(d, desired, nowRecorded.stream().map(Change::path).toList(), removes);
          // Without this the next event could be reconciled against the cached, pre-patch
          // Deployment and plan the same patch again (which would then fail with 409).
          cache.handleRecentResourceUpdate(ResourceID.fromResource(d), updated, d);
          metrics.patched(plan.changes());
          for (Change c : plan.changes()) {
            events.record(sr, EventRecorder.Type.Normal, "Hardened", "Deployment " + name + ": " + c.rule().id()
                + " set " + c.path() + " from " + orAbsent(c.oldValue()) + " to " + orAbsent(c.newValue()) + " (" + c.reason() + ")");
          }
        }
        nowRecorded.forEach(c -> changes.add(toStatus(name, c)));
      }
      for (Finding f : plan.findings()) {
        ReportedFinding reported = new ReportedFinding(name, f.rule().id(), f.severity().name(), f.path(), f.message(), f.remedy());
        findings.add(reported);
        if (!knownFindings.contains(key(reported))) {
          metrics.found(f);
          events.record(sr, EventRecorder.Type.Warning, "Finding", "Deployment " + name + ": " + f.rule().id()
              + " " + f.message() + " Fix: " + f.remedy());
        }
      }
      rolling |= RolloutProgress.inProgress(d);
    }
    return new Outcome(changes, findings, rolling, targets.size());
  }

  void revert(SafeRollout sr, Deployment d, InformerEventSource<Deployment, SafeRollout> cache) {
    RevertPlan plan = HardeningReverter.revert(d, AppliedChangesRecord.provable(d,
        sr.getStatus() == null ? List.of() : sr.getStatus().getAppliedChanges()));
    Deployment desired = new DeploymentBuilder(plan.reverted())
        .editMetadata()
          .removeFromAnnotations(AppliedChangesRecord.ANNOTATION)
          .removeFromAnnotations(AppliedChangesRecord.HARDENED_BY)
        .endMetadata()
        .build();
    Deployment updated = patcher.patch(d, desired, List.of(), true);
    cache.handleRecentResourceUpdate(ResourceID.fromResource(d), updated, d);
    String name = d.getMetadata().getName();
    events.record(sr, EventRecorder.Type.Normal, "Reverted", "Deployment " + name + ": removed "
        + plan.revertedChanges().size() + " field(s) SafeRollout had set");
    for (Finding f : plan.skipped()) {
      events.record(sr, EventRecorder.Type.Warning, "RevertSkipped", "Deployment " + name + ": " + f.message());
    }
  }

  private static Deployment annotate(Deployment hardened, SafeRollout sr, List<Change> recorded) {
    return new DeploymentBuilder(hardened)
        .editMetadata()
          .addToAnnotations(AppliedChangesRecord.HARDENED_BY, sr.getMetadata().getName())
          .addToAnnotations(AppliedChangesRecord.ANNOTATION, AppliedChangesRecord.write(recorded))
        .endMetadata()
        .build();
  }

  private static AppliedChange toStatus(String deployment, Change c) {
    return new AppliedChange(deployment, c.rule().id(), c.path(), c.oldValue(), c.newValue());
  }

  private static String key(ReportedFinding f) {
    return f.getDeployment() + "|" + f.getRule() + "|" + f.getPath();
  }

  private static String orAbsent(String v) {
    return v == null ? "(absent)" : v;
  }
}
