package io.saferollout.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class SafeRolloutStatus {
  @JsonPropertyDescription("The spec generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Pending, Hardened, AwaitingRollout, Audited, TargetNotFound or Degraded.")
  private Phase phase = Phase.Pending;

  @JsonPropertyDescription("Ready, Progressing and Degraded, each with a reason and a message.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Deployments the target matched.")
  private List<String> targets = new ArrayList<>();

  @JsonPropertyDescription("The target in one line, for kubectl get sr.")
  private String targetSummary;

  @JsonPropertyDescription("Fields the operator set on its targets (or, in Audit mode, would set).")
  private List<AppliedChange> appliedChanges = new ArrayList<>();

  @JsonPropertyDescription(
      "Hardening waiting for each Deployment's next rollout (adoption NextRollout), or for the Deployment before it to finish rolling out (Immediately).")
  private List<PendingChanges> pending = new ArrayList<>();

  @JsonPropertyDescription("Gaps the operator did not fix, and what the user must do.")
  private List<ReportedFinding> findings = new ArrayList<>();

  @JsonPropertyDescription(
      "Rollouts being followed now; kept here so a restarted operator picks them up.")
  private List<ActiveRollout> activeRollouts = new ArrayList<>();

  @JsonPropertyDescription(
      "The last rollouts of the targets, newest last, with their measured endpoint removal.")
  private List<RolloutRecord> rollouts = new ArrayList<>();

  @JsonPropertyDescription("The preStop in force, the measured recommendation and its evidence.")
  private PreStopTuningStatus preStopTuning;

  public List<ActiveRollout> getActiveRollouts() {
    return activeRollouts;
  }

  public void setActiveRollouts(List<ActiveRollout> activeRollouts) {
    this.activeRollouts = activeRollouts;
  }

  public List<RolloutRecord> getRollouts() {
    return rollouts;
  }

  public void setRollouts(List<RolloutRecord> rollouts) {
    this.rollouts = rollouts;
  }

  public PreStopTuningStatus getPreStopTuning() {
    return preStopTuning;
  }

  public void setPreStopTuning(PreStopTuningStatus preStopTuning) {
    this.preStopTuning = preStopTuning;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public List<String> getTargets() {
    return targets;
  }

  public void setTargets(List<String> targets) {
    this.targets = targets;
  }

  public String getTargetSummary() {
    return targetSummary;
  }

  public void setTargetSummary(String targetSummary) {
    this.targetSummary = targetSummary;
  }

  public List<AppliedChange> getAppliedChanges() {
    return appliedChanges;
  }

  public void setAppliedChanges(List<AppliedChange> appliedChanges) {
    this.appliedChanges = appliedChanges;
  }

  public List<PendingChanges> getPending() {
    return pending;
  }

  public void setPending(List<PendingChanges> pending) {
    this.pending = pending;
  }

  public List<ReportedFinding> getFindings() {
    return findings;
  }

  public void setFindings(List<ReportedFinding> findings) {
    this.findings = findings;
  }
}
