package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.operator.validation.Parsed;
import io.saferollout.operator.validation.SafeRolloutPolicy;
import io.saferollout.operator.validation.SpecParser;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SafeRollout controller: validate the spec, observe its targets, plan the hardening, apply it,
 * record status and one Event. Each step is a collaborator of its own; this class only says in
 * which order they run.
 *
 * <p>{@code triggerReconcilerOnAllEvents}: deletions reach {@link #reconcile} too, so the
 * reconciler decides per SafeRollout whether a finalizer is needed ({@link DeletionHandling}).
 *
 * <p>{@code maxReconciliationInterval}: every SafeRollout is looked at again at least every {@link
 * #RESYNC_MINUTES} minutes without any event. Events cover nearly everything, but not all: a
 * reconcile whose retries ran out (JOSDK's default retry gives up after 5 attempts within about 30
 * s, and then schedules only this interval: EventProcessor.handleRetryOnException) would otherwise
 * wait for JOSDK's default of 10 hours, and a namespace label switched on ({@link
 * NamespaceMetadata}, which no informer watches) reaches only the next reconcile. A steady-state
 * reconcile reads caches (and the namespace at most once per its TTL) and writes nothing, so the
 * resync costs the API server almost nothing.
 */
@ControllerConfiguration(
    name = "saferollout",
    fieldManager = OperatorSettings.FIELD_MANAGER,
    finalizerName = DeletionHandling.FINALIZER,
    triggerReconcilerOnAllEvents = true,
    maxReconciliationInterval =
        @MaxReconciliationInterval(
            interval = SafeRolloutReconciler.RESYNC_MINUTES,
            timeUnit = TimeUnit.MINUTES))
public final class SafeRolloutReconciler implements Reconciler<SafeRollout> {
  private static final Logger LOG = LoggerFactory.getLogger(SafeRolloutReconciler.class);

  /** The longest a SafeRollout goes without a reconcile, events or not. */
  static final long RESYNC_MINUTES = 5;

  /** A claim conflict resolves when the older SafeRollout goes away; look again this often. */
  static final Duration CONFLICT_RECHECK = Duration.ofSeconds(30);

  private final TargetObserver observer;
  private final HardeningPlanner planner;
  private final HardeningApplier applier;
  private final ReconcileRecorder recorder;
  private final DeletionHandling deletion;
  private final OperatorMetrics metrics;
  private InformerEventSource<Deployment, SafeRollout> deployments;
  private InformerEventSource<PodDisruptionBudget, SafeRollout> disruptionBudgets;

  SafeRolloutReconciler(
      TargetObserver observer,
      HardeningPlanner planner,
      HardeningApplier applier,
      ReconcileRecorder recorder,
      DeletionHandling deletion,
      OperatorMetrics metrics) {
    this.observer = observer;
    this.planner = planner;
    this.applier = applier;
    this.recorder = recorder;
    this.deletion = deletion;
    this.metrics = metrics;
  }

  @Override
  public UpdateControl<SafeRollout> reconcile(SafeRollout sr, Context<SafeRollout> ctx) {
    if (ctx.isPrimaryResourceDeleted()) {
      return UpdateControl.noUpdate();
    }
    if (sr.isMarkedForDeletion()) {
      deletion.finish(sr, ctx, deployments);
      return UpdateControl.noUpdate();
    }
    metrics.reconciled();
    Parsed<SafeRolloutPolicy> parsed = SpecParser.parse(sr.getSpec());
    SafeRollout current = deletion.holdDeletionOnlyIfNeeded(sr, ctx);
    if (!parsed.isValid()) {
      recorder.record(current, ReconcileFacts.invalid(parsed), ctx);
      return UpdateControl.noUpdate();
    }
    SafeRolloutPolicy policy = parsed.value().orElseThrow();
    Observation seen = observer.observe(current, policy, ctx, deployments, disruptionBudgets);
    List<TargetPlan> plans = planner.plan(policy, seen, statusOf(current), createdAt(current));
    List<TargetResult> results = applier.apply(current, plans, deployments);
    recorder.record(current, ReconcileFacts.of(parsed, seen, results), ctx);
    return seen.conflicts().isEmpty()
        ? UpdateControl.noUpdate()
        : UpdateControl.<SafeRollout>noUpdate().rescheduleAfter(CONFLICT_RECHECK);
  }

  @Override
  public List<EventSource<?, SafeRollout>> prepareEventSources(
      EventSourceContext<SafeRollout> ctx) {
    // A Deployment event wakes every SafeRollout in its namespace that targets it or hardened it
    // (the latter so a SafeRollout whose selector stopped matching still notices).
    deployments =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Deployment.class, SafeRollout.class)
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(
                    d ->
                        ctx.getPrimaryCache()
                            .list(d.getMetadata().getNamespace())
                            .filter(
                                sr ->
                                    TargetSelection.targets(sr, d)
                                        || TargetSelection.hardenedBy(d, sr))
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            ctx);
    // A PodDisruptionBudget created or deleted changes a finding of every SafeRollout around it.
    disruptionBudgets =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(PodDisruptionBudget.class, SafeRollout.class)
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(
                    pdb ->
                        ctx.getPrimaryCache()
                            .list(pdb.getMetadata().getNamespace())
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            ctx);
    return Stream.concat(
            Stream.of(deployments, disruptionBudgets), observer.eventSources(ctx).stream())
        .toList();
  }

  @Override
  public ErrorStatusUpdateControl<SafeRollout> updateErrorStatus(
      SafeRollout sr, Context<SafeRollout> ctx, Exception e) {
    metrics.failed();
    if (e instanceof KubernetesClientException kce && kce.getCode() == 409) {
      // Someone (the Deployment controller, a user, a stale cache of ours) wrote first; the retry
      // reads the newer version.
      LOG.info(
          "SafeRollout {}/{}: conflict on write, retrying with the latest version",
          sr.getMetadata().getNamespace(),
          sr.getMetadata().getName());
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    LOG.warn(
        "reconcile of SafeRollout {}/{} failed (will retry with backoff): {}",
        sr.getMetadata().getNamespace(),
        sr.getMetadata().getName(),
        e.toString());
    try {
      recorder.recordError(sr, e, ctx);
    } catch (KubernetesClientException writeFailed) {
      LOG.info(
          "SafeRollout {}/{}: could not record the failure in status ({}); the retry will",
          sr.getMetadata().getNamespace(),
          sr.getMetadata().getName(),
          writeFailed.getMessage());
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  long reconcileCount() {
    return metrics.reconciles();
  }

  private static Optional<Instant> createdAt(SafeRollout sr) {
    try {
      return Optional.ofNullable(sr.getMetadata().getCreationTimestamp()).map(Instant::parse);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static SafeRolloutStatus statusOf(SafeRollout sr) {
    return sr.getStatus() == null ? new SafeRolloutStatus() : sr.getStatus();
  }
}
