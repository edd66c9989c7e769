package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.saferollout.api.Mode;
import io.saferollout.api.OnDelete;
import io.saferollout.api.Phase;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.operator.rollout.RolloutObserver;
import io.saferollout.operator.validation.SpecValidator;
import io.saferollout.rules.HardeningPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SafeRollout controller, as a short script: validate the spec, observe its targets, plan the
 * hardening (pure rules), apply it as one patch per Deployment, record status and events.
 */
@ControllerConfiguration(name = "saferollout", fieldManager = OperatorSettings.FIELD_MANAGER)
public final class SafeRolloutReconciler implements Reconciler<SafeRollout>, Cleaner<SafeRollout> {
  private static final Logger LOG = LoggerFactory.getLogger(SafeRolloutReconciler.class);

  /** A claim conflict resolves when the older SafeRollout goes away; look again this often. */
  static final Duration CONFLICT_RECHECK = Duration.ofSeconds(30);

  private final ClusterCapabilitiesSource capabilities;
  private final TargetHardening hardening;
  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final RolloutObserver rollouts;
  private InformerEventSource<Deployment, SafeRollout> deployments;
  private InformerEventSource<PodDisruptionBudget, SafeRollout> disruptionBudgets;

  SafeRolloutReconciler(KubernetesClient client, ClusterCapabilitiesSource capabilities, MeterRegistry meters) {
    this.capabilities = capabilities;
    this.metrics = new OperatorMetrics(meters);
    this.events = new EventRecorder(client);
    this.hardening = new TargetHardening(new DeploymentPatcher(client), events, metrics);
    this.rollouts = new RolloutObserver(client, meters,
        (sr, reason, message) -> events.record(sr, EventRecorder.Type.Warning, reason, message));
  }

  @Override
  public List<EventSource<?, SafeRollout>> prepareEventSources(EventSourceContext<SafeRollout> ctx) {
    // A Deployment event wakes every SafeRollout in its namespace that targets it or hardened it
    // (the latter so a SafeRollout whose selector stopped matching still notices).
    deployments = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Deployment.class, SafeRollout.class)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(d -> ctx.getPrimaryCache()
                .list(d.getMetadata().getNamespace())
                .filter(sr -> TargetSelection.targets(sr, d) || hardenedBy(d, sr))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet()))
            .build(), ctx);
    // A PodDisruptionBudget created or deleted changes a finding of every SafeRollout around it.
    disruptionBudgets = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(PodDisruptionBudget.class, SafeRollout.class)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(pdb -> ctx.getPrimaryCache()
                .list(pdb.getMetadata().getNamespace())
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet()))
            .build(), ctx);
    return Stream.concat(Stream.of(deployments, disruptionBudgets), rollouts.eventSources(ctx).stream()).toList();
  }

  @Override
  public UpdateControl<SafeRollout> reconcile(SafeRollout sr, Context<SafeRollout> ctx) {
    metrics.reconciled();
    String namespace = sr.getMetadata().getNamespace();
    SafeRolloutStatus previous = sr.getStatus() == null ? new SafeRolloutStatus() : sr.getStatus();
    StatusConditions conditions = new StatusConditions(previous.getConditions(), sr.getMetadata().getGeneration(), Instant.now());
    SafeRolloutStatus status = new SafeRolloutStatus();
    status.setObservedGeneration(sr.getMetadata().getGeneration());

    // validate
    var problems = SpecValidator.validate(sr.getSpec());
    if (!problems.isEmpty()) {
      String message = "invalid spec: " + problems.stream().map(Object::toString).collect(Collectors.joining("; "));
      status.setPhase(Phase.Degraded);
      conditions.set(StatusConditions.READY, false, "InvalidSpec", message)
          .set(StatusConditions.PROGRESSING, false, "InvalidSpec", "nothing is hardened until the spec is fixed")
          .set(StatusConditions.DEGRADED, true, "InvalidSpec", message);
      status.setConditions(conditions.build());
      if (!Objects.equals(previousDegradedMessage(previous), message)) {
        events.record(sr, EventRecorder.Type.Warning, "InvalidSpec", message);
      }
      RolloutObserver.carryOver(previous, status);
      return withStatus(sr, previous, status);
    }

    // observe
    List<Deployment> matched = TargetSelection.matching(sr, deployments.list(namespace).toList());
    status.setTargetSummary(TargetSelection.summary(sr, matched));
    if (matched.isEmpty()) {
      String message = sr.getSpec().getTarget().getName() != null
          ? "no Deployment named " + sr.getSpec().getTarget().getName() + " in namespace " + namespace
          : "no Deployment in namespace " + namespace + " matches " + status.getTargetSummary();
      status.setPhase(Phase.TargetNotFound);
      conditions.set(StatusConditions.READY, false, "TargetNotFound", message + "; waiting for it to appear")
          .set(StatusConditions.PROGRESSING, false, "TargetNotFound", message)
          .set(StatusConditions.DEGRADED, false, "TargetNotFound", "nothing to harden yet");
      status.setConditions(conditions.build());
      RolloutObserver.carryOver(previous, status);
      return withStatus(sr, previous, status);
    }
    List<SafeRollout> namespaceClaims = ctx.getPrimaryCache().list(namespace).toList();
    List<String> conflicts = matched.stream()
        .map(d -> TargetSelection.owner(d, namespaceClaims)
            .filter(owner -> !owner.getMetadata().getName().equals(sr.getMetadata().getName()))
            .map(owner -> "Deployment " + d.getMetadata().getName() + " is hardened by the older SafeRollout "
                + owner.getMetadata().getName())
            .orElse(null))
        .filter(Objects::nonNull)
        .toList();
    List<Deployment> ours = matched.stream()
        .filter(d -> TargetSelection.owner(d, namespaceClaims)
            .map(o -> o.getMetadata().getName().equals(sr.getMetadata().getName())).orElse(false))
        .toList();

    // plan + apply
    RolloutObserver.Observation observed = rollouts.observe(sr, ours, previous);
    HardeningPolicy policy = HardeningPolicy.from(sr.getSpec()).withPreStopDelaySeconds(observed.preStopSeconds());
    TargetHardening.Outcome outcome = hardening.harden(sr, ours, policy, capabilities.current(),
        disruptionBudgets.list(namespace).toList(), previous, deployments);

    // record status
    status.setTargets(ours.stream().map(d -> d.getMetadata().getName()).toList());
    status.setAppliedChanges(outcome.changes());
    status.setFindings(outcome.findings());
    observed.writeTo(status);
    boolean audit = sr.getSpec().getMode() == Mode.Audit;
    if (ours.isEmpty()) {
      status.setPhase(Phase.Degraded);
      conditions.set(StatusConditions.READY, false, "Conflict", String.join("; ", conflicts));
    } else {
      status.setPhase(audit ? Phase.Audited : Phase.Hardened);
      conditions.set(StatusConditions.READY, true, audit ? "Audited" : "Hardened", outcome.summary(audit));
    }
    conditions.set(StatusConditions.PROGRESSING, outcome.rolloutInProgress(),
        outcome.rolloutInProgress() ? "RolloutInProgress" : "RolloutComplete",
        outcome.rolloutInProgress() ? "a target Deployment is rolling out" : "every target Deployment is rolled out");
    long errors = outcome.findings().stream().filter(f -> "ERROR".equals(f.getSeverity())).count();
    if (!conflicts.isEmpty()) {
      conditions.set(StatusConditions.DEGRADED, true, "Conflict", String.join("; ", conflicts));
    } else if (errors > 0) {
      conditions.set(StatusConditions.DEGRADED, true, "UnfixedFindings",
          errors + " finding(s) of severity ERROR need the user's action: see status.findings");
    } else {
      conditions.set(StatusConditions.DEGRADED, false, "AsExpected", "no error-level gaps");
    }
    status.setConditions(conditions.build());
    UpdateControl<SafeRollout> control = withStatus(sr, previous, status);
    return conflicts.isEmpty() ? control : control.rescheduleAfter(CONFLICT_RECHECK);
  }

  @Override
  public ErrorStatusUpdateControl<SafeRollout> updateErrorStatus(SafeRollout sr, Context<SafeRollout> ctx, Exception e) {
    metrics.failed();
    if (e instanceof KubernetesClientException kce && kce.getCode() == 409) {
      // Someone (usually the Deployment controller) wrote first; the retry reads the new version.
      LOG.info("SafeRollout {}/{}: conflict on write, retrying with the latest version",
          sr.getMetadata().getNamespace(), sr.getMetadata().getName());
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    LOG.warn("reconcile of SafeRollout {}/{} failed (will retry with backoff): {}",
        sr.getMetadata().getNamespace(), sr.getMetadata().getName(), e.toString());
    SafeRolloutStatus status = sr.getStatus() == null ? new SafeRolloutStatus() : sr.getStatus();
    StatusConditions conditions = new StatusConditions(status.getConditions(), sr.getMetadata().getGeneration(), Instant.now());
    status.getConditions().stream()
        .filter(c -> !StatusConditions.DEGRADED.equals(c.getType()))
        .forEach(c -> conditions.set(c.getType(), "True".equals(c.getStatus()), c.getReason(), c.getMessage()));
    conditions.set(StatusConditions.DEGRADED, true, "ReconcileError",
        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    status.setConditions(conditions.build());
    sr.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(sr);
  }

  long reconcileCount() {
    return metrics.reconciles();
  }

  @Override
  public DeleteControl cleanup(SafeRollout sr, Context<SafeRollout> ctx) {
    boolean revert = sr.getSpec() != null && sr.getSpec().getOnDelete() == OnDelete.Revert;
    List<Deployment> hardened = deployments.list(sr.getMetadata().getNamespace())
        .filter(d -> hardenedBy(d, sr))
        .toList();
    for (Deployment d : hardened) {
      if (revert) {
        hardening.revert(sr, d, deployments);
      }
    }
    LOG.info("SafeRollout {}/{} deleted: {} Deployment(s) {}", sr.getMetadata().getNamespace(),
        sr.getMetadata().getName(), hardened.size(), revert ? "reverted" : "left as they are");
    return DeleteControl.defaultDelete();
  }

  private static boolean hardenedBy(Deployment d, SafeRollout sr) {
    return AppliedChangesRecord.annotation(d, AppliedChangesRecord.HARDENED_BY)
        .map(name -> name.equals(sr.getMetadata().getName()))
        .orElse(false);
  }

  private static String previousDegradedMessage(SafeRolloutStatus previous) {
    return previous.getConditions().stream()
        .filter(c -> StatusConditions.DEGRADED.equals(c.getType()))
        .map(Condition::getMessage)
        .findFirst().orElse(null);
  }

  /** Patches status only when it changed: a steady state costs no API writes. */
  private static UpdateControl<SafeRollout> withStatus(SafeRollout sr, SafeRolloutStatus previous, SafeRolloutStatus next) {
    if (StatusComparison.same(previous, next)) {
      return UpdateControl.noUpdate();
    }
    sr.setStatus(next);
    return UpdateControl.patchStatus(sr);
  }
}
