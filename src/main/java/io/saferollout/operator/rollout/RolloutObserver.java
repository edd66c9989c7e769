package io.saferollout.operator.rollout;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.saferollout.api.ActiveRollout;
import io.saferollout.api.DataPlaneReading;
import io.saferollout.api.DataPlaneSource;
import io.saferollout.api.DataPlaneVisibility;
import io.saferollout.api.LatencyFigures;
import io.saferollout.api.PodRemoval;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.PreStopTuningStatus;
import io.saferollout.api.RemovalEvidence;
import io.saferollout.api.ReportedFinding;
import io.saferollout.api.RolloutKind;
import io.saferollout.api.RolloutOutcome;
import io.saferollout.api.RolloutRecord;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.api.TuningApplication;
import io.saferollout.operator.adoption.RolloutProgress;
import io.saferollout.operator.validation.PreStopPolicy;
import io.saferollout.rules.PodContainers;
import io.saferollout.rules.PreStopDelay;
import io.saferollout.rules.Rule;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every rollout of a SafeRollout's targets and measures its endpoint removal: watches the
 * targets' pods and the namespace's EndpointSlices (through {@link EndpointRemovalClock}), keeps
 * each rollout in progress in the status ({@link ActiveRollout}) and turns it into a {@link
 * RolloutRecord} when it ends, then asks {@link PreStopTuning} what preStop to carry. State lives
 * in the status, so a restarted operator continues where the last one stopped.
 */
public final class RolloutObserver {
  /** Rollout records kept in the status, newest last. */
  public static final int HISTORY = 5;

  static final String REVISION = "deployment.kubernetes.io/revision";
  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

  /**
   * Every pod a rollout replaces carries pod-template-hash: the Deployment controller labels each
   * ReplicaSet's pods with it (pkg/controller/deployment/sync.go; "Pod-template-hash label" in the
   * Deployment docs). Selecting on it keeps Jobs', StatefulSets', DaemonSets' and bare pods out of
   * the cache.
   */
  static final String DEPLOYMENT_PODS = "pod-template-hash";

  /**
   * Deletions this much older than the recorded start still belong to the rollout (clock skew,
   * second precision).
   */
  private static final Duration START_SLACK = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(RolloutObserver.class);

  /** Where a Warning about a SafeRollout goes (the operator's event recorder). */
  @FunctionalInterface
  public interface Warnings {
    void warn(SafeRollout sr, String reason, String message);
  }

  /**
   * What one reconcile learned: the preStop the policy should carry now, and the status fields
   * (active rollouts, records, tuning, findings) to write.
   */
  public record Observation(
      int preStopSeconds,
      PreStopTuning.Decision decision,
      List<ActiveRollout> active,
      List<RolloutRecord> rollouts,
      PreStopTuningStatus tuning,
      List<ReportedFinding> findings) {

    /** Call after the hardening findings are set: the observation's findings are added to them. */
    public void writeTo(SafeRolloutStatus status) {
      status.setActiveRollouts(active);
      status.setRollouts(rollouts);
      status.setPreStopTuning(tuning);
      List<ReportedFinding> all = new ArrayList<>(status.getFindings());
      all.addAll(findings);
      status.setFindings(all);
    }

    public boolean following() {
      return !active.isEmpty();
    }
  }

  private final KubernetesClient client;
  private final Clock time;
  private final Warnings warnings;
  private final RolloutMetrics metrics;
  private final EndpointRemovalClock clock;
  private final NodeMetricsReader nodeMetrics;
  private final NodeListAccess nodeAccess;
  private final PrometheusQuery prometheus;

  private static final Duration NODE_LIST_TTL = Duration.ofSeconds(30);

  /**
   * Each node's counters at the start of the rollouts this instance started, by {@link
   * #baselineKey}; removed when the rollout closes. A rollout this instance never closes (its
   * SafeRollout deleted mid-rollout) leaves one entry, dropped after {@link #BASELINE_TTL}.
   */
  private final Map<String, NodeMetricsReader.Reading> baselines = new ConcurrentHashMap<>();

  private static final Duration BASELINE_TTL = Duration.ofDays(1);
  private List<io.fabric8.kubernetes.api.model.Node> nodeList;
  private Instant nodeListAt;
  private boolean nodesListable;

  public RolloutObserver(KubernetesClient client, MeterRegistry meters, Warnings warnings) {
    this(
        client,
        meters,
        warnings,
        Clock.systemUTC(),
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build());
  }

  RolloutObserver(
      KubernetesClient client,
      MeterRegistry meters,
      Warnings warnings,
      Clock time,
      HttpClient http) {
    this.client = client;
    this.time = time;
    this.warnings = warnings;
    this.metrics = new RolloutMetrics(meters);
    this.clock = new EndpointRemovalClock((namespace, d) -> metrics.endpointReady(d));
    this.nodeMetrics = new NodeMetricsReader(http);
    this.nodeAccess = new NodeListAccess(client);
    this.prometheus = new PrometheusQuery(http);
  }

  /**
   * Pods and EndpointSlices of the watched namespaces; pods are cached pruned ({@link
   * LeanPodStore}), and only those a Deployment's ReplicaSet made.
   */
  public List<EventSource<?, SafeRollout>> eventSources(EventSourceContext<SafeRollout> ctx) {
    List<EventSource<?, SafeRollout>> sources = new ArrayList<>();
    Set<String> namespaces = ctx.getControllerConfiguration().getInformerConfig().getNamespaces();
    if (namespaces.size() <= 1) {
      // One namespace, the current one, or all of them: JOSDK runs one informer.
      sources.add(
          new TimedPods(
              pods(ctx, "rollout-pods").withNamespacesInheritedFromController().build(), ctx));
    } else {
      // JOSDK runs one informer per namespace and hands each the same item store, while each
      // informer's relist (fabric8's ProcessorStore.retainAll) drops every cached key its own list
      // did not return: a shared store would lose the other namespaces' pods. So each namespace
      // gets an event source and a store of its own. The operator's namespaces are fixed at start,
      // so these sources need not follow namespace changes.
      namespaces.stream()
          .sorted()
          .forEach(
              ns ->
                  sources.add(
                      new TimedPods(
                          pods(ctx, "rollout-pods-" + ns).withNamespaces(Set.of(ns)).build(),
                          ctx)));
    }
    var slices =
        InformerEventSourceConfiguration.from(EndpointSlice.class, SafeRollout.class)
            .withName("rollout-endpointslices")
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(
                s -> followers(ctx, s.getMetadata().getNamespace(), clock.deploymentsListedIn(s)));
    sources.add(new TimedSlices(slices.build(), ctx));
    return sources;
  }

  private InformerEventSourceConfiguration.Builder<Pod> pods(
      EventSourceContext<SafeRollout> ctx, String name) {
    return InformerEventSourceConfiguration.from(Pod.class, SafeRollout.class)
        .withName(name)
        .withLabelSelector(DEPLOYMENT_PODS)
        .withItemStore(new LeanPodStore())
        .withSecondaryToPrimaryMapper(
            p ->
                followers(
                    ctx,
                    p.getMetadata().getNamespace(),
                    EndpointRemovalClock.deploymentOf(p).map(Set::of).orElse(Set.of())));
  }

  /** SafeRollouts whose status names one of these Deployments as a target. */
  private static Set<ResourceID> followers(
      EventSourceContext<SafeRollout> ctx, String namespace, Set<String> deployments) {
    if (deployments.isEmpty()) {
      return Set.of();
    }
    return ctx.getPrimaryCache()
        .list(namespace)
        .filter(
            sr ->
                sr.getStatus() != null
                    && sr.getStatus().getTargets().stream().anyMatch(deployments::contains))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  /** Times pod changes, and wakes the SafeRollout only when one matters to a rollout. */
  private final class TimedPods extends InformerEventSource<Pod, SafeRollout> {
    TimedPods(InformerEventSourceConfiguration<Pod> config, EventSourceContext<SafeRollout> ctx) {
      super(config, ctx);
    }

    @Override
    public void onAdd(Pod pod) {
      if (clock.podChanged(pod, time.instant()).isPresent()) {
        super.onAdd(pod);
      }
    }

    @Override
    public void onUpdate(Pod old, Pod pod) {
      if (clock.podChanged(pod, time.instant()).isPresent()) {
        super.onUpdate(old, pod);
      }
    }

    @Override
    public synchronized void onDelete(Pod pod, boolean unknownFinalState) {
      if (clock.podDeleted(pod, time.instant()).isPresent()) {
        super.onDelete(pod, unknownFinalState);
      }
    }
  }

  /** Times EndpointSlice changes; the namespace's slices come from this informer's own cache. */
  private final class TimedSlices extends InformerEventSource<EndpointSlice, SafeRollout> {
    TimedSlices(
        InformerEventSourceConfiguration<EndpointSlice> config,
        EventSourceContext<SafeRollout> ctx) {
      super(config, ctx);
    }

    private Collection<EndpointSlice> namespace(EndpointSlice s) {
      return list(s.getMetadata().getNamespace()).toList();
    }

    @Override
    public void onAdd(EndpointSlice s) {
      if (!clock.sliceChanged(null, s, namespace(s), time.instant()).isEmpty()) {
        super.onAdd(s);
      }
    }

    @Override
    public void onUpdate(EndpointSlice old, EndpointSlice s) {
      if (!clock.sliceChanged(old, s, namespace(s), time.instant()).isEmpty()) {
        super.onUpdate(old, s);
      }
    }

    @Override
    public synchronized void onDelete(EndpointSlice s, boolean unknownFinalState) {
      if (!clock.sliceChanged(s, null, namespace(s), time.instant()).isEmpty()) {
        super.onDelete(s, unknownFinalState);
      }
    }
  }

  /** Feeds the clock without JOSDK (tests, and anything watching with plain fabric8 informers). */
  EndpointRemovalClock clock() {
    return clock;
  }

  /**
   * Follows the rollouts of {@code targets} one step: starts, collects, ends; then decides the
   * preStop. {@code previous} is the status as the API holds it, the only memory that counts.
   */
  public Observation observe(
      SafeRollout sr,
      PreStopPolicy settings,
      List<Deployment> targets,
      SafeRolloutStatus previous) {
    Instant now = time.instant();
    String namespace = sr.getMetadata().getNamespace();
    Integer previousInForce =
        previous.getPreStopTuning() != null
                && previous.getPreStopTuning().getMode() == PreStopMode.Auto
            ? previous.getPreStopTuning().getInForceSeconds()
            : null;
    EndpointTakeover.Need takeover =
        settings.mode() == PreStopMode.Auto
            ? EndpointTakeover.of(targets)
            : EndpointTakeover.Need.NONE;
    int inForce =
        settings.mode() == PreStopMode.Fixed
            ? settings.delaySeconds()
            : previousInForce == null
                ? PreStopTuning.startingSeconds(settings, takeover.seconds())
                : previousInForce;
    DataPlaneWatch dataPlane =
        new DataPlaneWatch(
            settings.dataPlaneSource(),
            settings.mode(),
            previous.getPreStopTuning() == null ? null : previous.getPreStopTuning().getDataPlane(),
            now);

    Map<String, ActiveRollout> was = new LinkedHashMap<>();
    previous.getActiveRollouts().forEach(a -> was.put(a.getDeployment(), a));
    List<RolloutRecord> records = new ArrayList<>(previous.getRollouts());
    List<ActiveRollout> active = new ArrayList<>();
    for (Deployment d : targets) {
      String name = d.getMetadata().getName();
      ActiveRollout a = was.get(name);
      String revision = currentRevision(d).orElse(null);
      boolean moving = RolloutProgress.inProgress(d) || clock.terminating(namespace, name) > 0;
      if (a != null && a.getRevision() == null) {
        a.setRevision(revision);
      }
      if (a != null && revision != null && !revision.equals(a.getRevision())) {
        collect(a, namespace);
        append(records, close(sr, a, RolloutOutcome.Superseded, now, settings, dataPlane));
        a = null;
      }
      if (a == null && moving) {
        a = start(sr, d, revision, now, records, settings, inForce, dataPlane);
      }
      if (a != null) {
        collect(a, namespace);
        if (deadlineExceeded(d)) {
          append(records, close(sr, a, RolloutOutcome.Failed, now, settings, dataPlane));
        } else if (!moving) {
          append(records, close(sr, a, RolloutOutcome.Complete, now, settings, dataPlane));
        } else {
          active.add(a);
        }
      }
      metrics.preStopInForce(namespace, name, templatePreStop(d).orElse(inForce));
    }
    // A rollout of a Deployment that is no longer a target is not followed further.
    was.keySet().stream()
        .filter(n -> targets.stream().noneMatch(d -> d.getMetadata().getName().equals(n)))
        .forEach(
            n ->
                LOG.info(
                    "SafeRollout {}/{}: Deployment {} is no longer a target; its rollout is not recorded",
                    namespace,
                    sr.getMetadata().getName(),
                    n));
    if (records.size() > HISTORY) {
      records = new ArrayList<>(records.subList(records.size() - HISTORY, records.size()));
    }

    if (dataPlane.dueForAProbe()) {
      probe(settings, dataPlane);
    }
    DataPlaneReading reading = dataPlane.reading();
    reportDataPlaneChange(sr, settings.mode(), dataPlane.previous(), reading);
    PreStopTuning.Decision decision =
        PreStopTuning.decide(
            settings,
            records,
            new PreStopTuning.Known(
                previousInForce, reading == null ? null : reading.getVisibility(), takeover));
    int carried = decision.inForceSeconds();
    String reason = decision.reason();
    if (settings.mode() == PreStopMode.Auto
        && targets.stream().anyMatch(d -> templatePreStop(d).map(t -> t != carried).orElse(true))) {
      // The plan step decides when the template takes it (HardeningPlanner: a tuning-only change
      // waits for the user's next rollout unless applyTuning is Immediately); status.pending shows
      // it.
      reason =
          reason
              + (settings.application() == TuningApplication.WithNextRollout
                  ? "; new pods get "
                      + carried
                      + " s with the next pod-template change the user makes (applyTuning: WithNextRollout)"
                  : "; rolled out now (applyTuning: Immediately)");
    }
    PreStopTuningStatus tuning = new PreStopTuningStatus();
    tuning.setMode(settings.mode());
    tuning.setInForceSeconds(carried);
    tuning.setRecommendedSeconds(decision.recommendedSeconds());
    tuning.setReason(reason);
    tuning.setEvidence(evidence(records, settings, reading));
    tuning.setTakeoverSeconds(takeover.seconds() == 0 ? null : takeover.seconds());
    tuning.setDataPlane(reading);
    return new Observation(carried, decision, active, records, tuning, findings(targets, records));
  }

  private ActiveRollout start(
      SafeRollout sr,
      Deployment d,
      String revision,
      Instant now,
      List<RolloutRecord> records,
      PreStopPolicy settings,
      int inForce,
      DataPlaneWatch dataPlane) {
    ActiveRollout a = new ActiveRollout();
    a.setDeployment(d.getMetadata().getName());
    a.setRevision(revision);
    a.setKind(kind(d, records));
    a.setStart(now.toString());
    a.setReplicas(d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas());
    a.setPreStopSecondsInForce(templatePreStop(d).orElse(inForce));
    if (settings.dataPlaneSource() == DataPlaneSource.KubeProxyMetrics) {
      // Kept in the status with the rollout: whichever operator instance closes it subtracts.
      // The status keeps the nodes' total (a fixed size whatever the node count), for whichever
      // operator instance closes the rollout; this instance also keeps each node's counters, so
      // that a node joining or leaving mid-rollout costs only that node.
      NodeMetricsReader.Reading baseline = readNodes(settings);
      dataPlane.read(baseline.byNode().size(), baseline.problems());
      a.setDataPlaneBaselineTotal(baseline.total());
      a.setDataPlaneNodesUnread(baseline.problems().size());
      baselines.put(baselineKey(sr, a), baseline);
    }
    LOG.info(
        "SafeRollout {}/{}: following {} of Deployment {} (revision {})",
        sr.getMetadata().getNamespace(),
        sr.getMetadata().getName(),
        a.getKind(),
        a.getDeployment(),
        revision);
    return a;
  }

  private void collect(ActiveRollout a, String namespace) {
    Set<String> known =
        a.getRemovals().stream()
            .map(PodRemoval::getPod)
            .collect(Collectors.toCollection(HashSet::new));
    Instant since = Instant.parse(a.getStart()).minus(START_SLACK);
    for (EndpointRemovalClock.Removal r : clock.removals(namespace, a.getDeployment(), since)) {
      if (known.add(r.pod())) {
        a.getRemovals()
            .add(new PodRemoval(r.pod(), r.controlPlane().toMillis(), r.preStopSeconds()));
        metrics.removed(r.controlPlane());
      }
    }
  }

  private RolloutRecord close(
      SafeRollout sr,
      ActiveRollout a,
      RolloutOutcome outcome,
      Instant now,
      PreStopPolicy settings,
      DataPlaneWatch watch) {
    Set<String> known =
        a.getRemovals().stream()
            .map(PodRemoval::getPod)
            .collect(Collectors.toCollection(HashSet::new));
    clock
        .goneUntimed(
            sr.getMetadata().getNamespace(),
            a.getDeployment(),
            Instant.parse(a.getStart()).minus(START_SLACK))
        .stream()
        .filter(known::add)
        .forEach(pod -> a.getRemovals().add(new PodRemoval(pod, null, null)));
    RolloutRecord r = new RolloutRecord();
    r.setDeployment(a.getDeployment());
    r.setRevision(a.getRevision());
    r.setKind(a.getKind());
    r.setStart(a.getStart());
    r.setEnd(now.toString());
    r.setOutcome(outcome);
    r.setPodsReplaced(a.getRemovals().size());
    r.setPreStopSecondsInForce(a.getPreStopSecondsInForce());
    r.setEndpointRemovalMs(
        RemovalFigures.of(
                a.getRemovals().stream()
                    .map(PodRemoval::getControlPlaneMs)
                    .filter(Objects::nonNull)
                    .toList())
            .orElse(null));
    r.setPodsMeasured(
        (int) a.getRemovals().stream().filter(p -> p.getControlPlaneMs() != null).count());
    r.setPodsWithoutPreStop(
        (int)
            a.getRemovals().stream()
                .filter(p -> p.getControlPlaneMs() != null && p.getPreStopSeconds() == null)
                .count());
    DataPlaneLeg leg = dataPlane(sr, a, settings, watch);
    r.setDataPlaneMs(leg.figures());
    r.setDataPlaneNodes(leg.nodes());
    r.setDataPlaneNodesUnread(leg.nodesUnread());
    r.setRecommendedPreStopSeconds(PreStopTuning.recommendationFor(r, settings, 0).orElse(null));
    long dataP99 =
        r.getDataPlaneMs() == null || r.getDataPlaneMs().getP99() == null
            ? 0
            : r.getDataPlaneMs().getP99();
    long budgetMs = Math.round(settings.budgetSeconds() * 1000);
    List<String> outlasting =
        a.getRemovals().stream()
            .filter(
                p -> {
                  Integer preStop =
                      p.getPreStopSeconds() != null
                          ? p.getPreStopSeconds()
                          : a.getPreStopSecondsInForce();
                  return preStop != null
                      && p.getControlPlaneMs() != null
                      && p.getControlPlaneMs() + dataP99 + budgetMs > preStop * 1000L;
                })
            .map(PodRemoval::getPod)
            .toList();
    r.setPodsOutlastingPreStop(outlasting.size());
    metrics.rollout(outcome, settings.budgetSeconds());
    if (r.getDataPlaneMs() != null && r.getDataPlaneMs().getP99() != null) {
      metrics.dataPlaneP99(Duration.ofMillis(r.getDataPlaneMs().getP99()));
    }
    if (!outlasting.isEmpty()) {
      warnings.warn(
          sr,
          "RemovalOutlastedPreStop",
          "Deployment "
              + a.getDeployment()
              + " revision "
              + a.getRevision()
              + ": "
              + Rule.SR023.id()
              + " endpoint removal of "
              + outlasting.size()
              + " pod(s) took longer than their preStop of "
              + a.getPreStopSecondsInForce()
              + " s (control plane p99 "
              + p99(r.getEndpointRemovalMs())
              + " ms + data plane p99 "
              + dataP99
              + " ms + budgets "
              + budgetMs
              + " ms): "
              + String.join(", ", outlasting.subList(0, Math.min(5, outlasting.size())))
              + (outlasting.size() > 5 ? ", ..." : ""));
    }
    LOG.info(
        "SafeRollout {}/{}: rollout of Deployment {} revision {} {}: {} pod(s) measured, removal p99 {} ms",
        sr.getMetadata().getNamespace(),
        sr.getMetadata().getName(),
        a.getDeployment(),
        a.getRevision(),
        outcome,
        r.getPodsReplaced(),
        p99(r.getEndpointRemovalMs()));
    return r;
  }

  /**
   * A record is appended once: a retried reconcile (after a 409 on status) finds it already there.
   */
  private static void append(List<RolloutRecord> records, RolloutRecord r) {
    boolean known =
        records.stream()
            .anyMatch(
                x ->
                    Objects.equals(x.getDeployment(), r.getDeployment())
                        && Objects.equals(x.getStart(), r.getStart()));
    if (!known) {
      records.add(r);
    }
  }

  /** A rollout's data-plane figures, over how many nodes, and how many could not be read. */
  private record DataPlaneLeg(LatencyFigures figures, Integer nodes, Integer nodesUnread) {
    static final DataPlaneLeg NONE = new DataPlaneLeg(null, null, null);
  }

  private DataPlaneLeg dataPlane(
      SafeRollout sr, ActiveRollout a, PreStopPolicy dp, DataPlaneWatch watch) {
    if (dp.dataPlaneSource() == DataPlaneSource.None) {
      return DataPlaneLeg.NONE;
    }
    try {
      if (dp.dataPlaneSource() == DataPlaneSource.Prometheus) {
        Optional<Double> seconds = queryPrometheus(dp, watch);
        return seconds
            .map(
                sec -> {
                  LatencyFigures f = new LatencyFigures();
                  f.setP99(Math.round(sec * 1000));
                  return new DataPlaneLeg(f, null, 0);
                })
            .orElse(DataPlaneLeg.NONE);
      }
      NodeMetricsReader.Reading inMemory = baselines.remove(baselineKey(sr, a));
      if (inMemory == null
          && a.getDataPlaneBaselineTotal() == null
          && a.getDataPlaneBaseline() == null) {
        LOG.info(
            "no data-plane baseline for the rollout of {}: it started while the data-plane source"
                + " was not KubeProxyMetrics, or under an operator version that kept none",
            a.getDeployment());
        return DataPlaneLeg.NONE;
      }
      NodeMetricsReader.Reading end = readNodes(dp);
      watch.read(end.byNode().size(), end.problems());
      int unread =
          (a.getDataPlaneNodesUnread() == null ? 0 : a.getDataPlaneNodesUnread())
              + end.problems().size();
      NodeMetricsReader.Between delta;
      if (inMemory != null) {
        delta = NodeMetricsReader.between(inMemory, end);
      } else if (a.getDataPlaneBaselineTotal() != null) {
        Optional<NodeMetricsReader.Between> same =
            NodeMetricsReader.since(a.getDataPlaneBaselineTotal(), end);
        if (same.isEmpty()) {
          LOG.info(
              "data plane of the rollout of {} not measured: the nodes or their kube-proxy"
                  + " processes changed since it started, under another operator instance",
              a.getDeployment());
          return new DataPlaneLeg(null, null, unread);
        }
        delta = same.get();
      } else {
        NodeMetricsReader.Reading start =
            NodeMetricsReader.Reading.fromBaseline(a.getDataPlaneBaseline());
        if (!start.problems().isEmpty()) {
          LOG.warn(
              "data-plane baseline of the rollout of {}: {}", a.getDeployment(), start.problems());
        }
        unread += start.problems().size();
        delta = NodeMetricsReader.between(start, end);
      }
      Optional<Double> slowest = delta.total().quantile(slowestNodeQuantile(delta.nodes()));
      if (slowest.isEmpty()) {
        return new DataPlaneLeg(null, delta.nodes(), unread);
      }
      return new DataPlaneLeg(
          new LatencyFigures(
              millis(delta.total().quantile(0.50).orElseThrow()),
              millis(slowest.get()),
              millis(delta.total().maxUpperBound().orElseThrow())),
          delta.nodes(),
          unread);
    } catch (RuntimeException e) {
      LOG.warn(
          "data-plane reading for the rollout of {} failed: {}", a.getDeployment(), e.getMessage());
      watch.read(0, List.of(e.getMessage()));
      return DataPlaneLeg.NONE;
    }
  }

  /**
   * The pooled quantile at which the slowest of {@code nodes} nodes has programmed a removal, 99
   * times in 100: every node must have applied it before the pod may stop, and if each node's sync
   * time is a draw from the pooled distribution F, the slowest of N is below x with probability
   * F(x)^N, which is 0.99 at F(x) = 0.99^(1/N), about 1 - 0.01/N. At 500 nodes the pooled p99 is
   * exceeded by some 5 nodes on every removal; this quantile is exceeded by one in 100 removals.
   */
  static double slowestNodeQuantile(int nodes) {
    return 1 - (1 - 0.99) / Math.max(1, nodes);
  }

  private Optional<Double> queryPrometheus(PreStopPolicy dp, DataPlaneWatch watch) {
    try {
      Optional<Double> seconds = prometheus.seconds(dp.prometheusUrl(), dp.query());
      watch.read(
          seconds.isPresent() ? 1 : 0,
          seconds.isPresent() ? List.of() : List.of("Prometheus query returned no sample"));
      return seconds;
    } catch (RuntimeException e) {
      LOG.warn("data-plane query to Prometheus failed: {}", e.getMessage());
      watch.read(0, List.of(e.getMessage()));
      return Optional.empty();
    }
  }

  /**
   * Reads the data plane once outside a rollout: when Auto has never read it (so that a blind data
   * plane is reported before the first rollout, not after it) and, while it cannot be read, every
   * {@link DataPlaneWatch#RECHECK} until it can.
   */
  private void probe(PreStopPolicy dp, DataPlaneWatch watch) {
    if (dp.dataPlaneSource() == DataPlaneSource.Prometheus) {
      queryPrometheus(dp, watch);
    } else if (dp.dataPlaneSource() == DataPlaneSource.KubeProxyMetrics) {
      NodeMetricsReader.Reading r = readNodes(dp);
      watch.read(r.byNode().size(), r.problems());
    }
  }

  /**
   * A Warning Event and a WARN log when the data plane becomes unreadable under Auto, whose delay
   * depends on it; not on every reconcile. Under Fixed it only shapes the recommendation, so a
   * cluster that keeps kube-proxy on localhost gets the condition and an INFO line, not a Warning
   * for every SafeRollout.
   */
  private void reportDataPlaneChange(
      SafeRollout sr, PreStopMode mode, DataPlaneReading before, DataPlaneReading now) {
    DataPlaneVisibility was = before == null ? null : before.getVisibility();
    DataPlaneVisibility is = now == null ? null : now.getVisibility();
    if (is == was) {
      return;
    }
    String who = sr.getMetadata().getNamespace() + "/" + sr.getMetadata().getName();
    if (is == DataPlaneVisibility.Unreadable && mode == PreStopMode.Auto) {
      String message =
          "the data plane cannot be read, so Auto keeps preStop at or above delaySeconds: "
              + now.getMessage();
      LOG.warn("SafeRollout {}: {}", who, message);
      warnings.warn(sr, "DataPlaneNotMeasured", message);
    } else if (is == DataPlaneVisibility.Unreadable) {
      LOG.info(
          "SafeRollout {}: the data plane cannot be read; the recommendation covers the control"
              + " plane and budgets only: {}",
          who,
          now.getMessage());
    } else if (is == DataPlaneVisibility.Readable && was == DataPlaneVisibility.Unreadable) {
      LOG.info("SafeRollout {}: the data plane can be read again", who);
    }
  }

  private String baselineKey(SafeRollout sr, ActiveRollout a) {
    baselines
        .keySet()
        .removeIf(
            k ->
                Instant.parse(k.substring(k.lastIndexOf(' ') + 1))
                    .isBefore(time.instant().minus(BASELINE_TTL)));
    return sr.getMetadata().getNamespace()
        + "/"
        + sr.getMetadata().getName()
        + "/"
        + a.getDeployment()
        + " "
        + a.getStart();
  }

  private NodeMetricsReader.Reading readNodes(PreStopPolicy dp) {
    try {
      return nodeMetrics.read(nodes(), dp.metricsUrlTemplate());
    } catch (NodesNotListable e) {
      // Said once, on the change, by the DataPlaneMeasured condition and its Event.
      return new NodeMetricsReader.Reading(Map.of(), List.of(e.getMessage()));
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot list nodes for kube-proxy metrics (the operator needs list on nodes): {}",
          e.getMessage());
      return new NodeMetricsReader.Reading(Map.of(), List.of(e.getMessage()));
    }
  }

  /**
   * The cluster's nodes, listed at most once per {@link #NODE_LIST_TTL}: many rollouts starting
   * together (an operator adopting hundreds of targets) cost one list, not one each; no informer is
   * kept for them, since nodes matter only at a rollout's start and end.
   */
  private synchronized List<io.fabric8.kubernetes.api.model.Node> nodes() {
    Instant now = time.instant();
    if (nodeListAt == null || Duration.between(nodeListAt, now).compareTo(NODE_LIST_TTL) > 0) {
      nodesListable = nodeAccess.ask() != NodeListAccess.Answer.DENIED;
      nodeList = nodesListable ? client.nodes().list().getItems() : List.of();
      nodeListAt = now;
    }
    if (!nodesListable) {
      throw new NodesNotListable();
    }
    return nodeList;
  }

  /** A namespaced install: no grant to list the cluster-scoped Nodes, so no kube-proxy to read. */
  private static final class NodesNotListable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NodesNotListable() {
      super(
          "this operator may not list Nodes (a namespaced install has no cluster-wide grant), so"
              + " kube-proxy's metrics cannot be read: state budgets or use source: Prometheus");
    }
  }

  private static RemovalEvidence evidence(
      List<RolloutRecord> records, PreStopPolicy s, DataPlaneReading reading) {
    List<RolloutRecord> measured =
        records.stream().filter(r -> r.getEndpointRemovalMs() != null).toList();
    RemovalEvidence e = new RemovalEvidence();
    e.setWindow(measured.size());
    e.setSamples(
        measured.stream()
            .mapToInt(r -> r.getPodsReplaced() == null ? 0 : r.getPodsReplaced())
            .sum());
    e.setEndpointRemovalMs(
        RemovalFigures.window(measured.stream().map(RolloutRecord::getEndpointRemovalMs).toList())
            .orElse(null));
    e.setDataPlaneMs(
        RemovalFigures.window(measured.stream().map(RolloutRecord::getDataPlaneMs).toList())
            .orElse(null));
    e.setBudgetSeconds(s.budgetSeconds());
    List<String> sources = new ArrayList<>();
    sources.add("EndpointSlices (control plane)");
    DataPlaneSource source = s.dataPlaneSource();
    if (source == DataPlaneSource.KubeProxyMetrics) {
      sources.add(
          "kube-proxy "
              + NodeMetricsReader.HISTOGRAM
              + " at "
              + s.metricsUrlTemplate()
              + (reading != null && reading.getVisibility() == DataPlaneVisibility.Unreadable
                  ? " (cannot be read: see condition DataPlaneMeasured)"
                  : e.getDataPlaneMs() == null ? " (no observations yet)" : ""));
    } else if (source == DataPlaneSource.Prometheus) {
      sources.add("Prometheus " + s.prometheusUrl() + ": " + s.query());
    }
    s.budgets().forEach(b -> sources.add("budget " + b.getName() + ": " + b.getSeconds() + " s"));
    e.setSources(sources);
    return e;
  }

  private static List<ReportedFinding> findings(
      List<Deployment> targets, List<RolloutRecord> records) {
    List<ReportedFinding> out = new ArrayList<>();
    for (Deployment d : targets) {
      String name = d.getMetadata().getName();
      records.stream()
          .filter(r -> name.equals(r.getDeployment()))
          .reduce((a, b) -> b)
          .filter(r -> r.getPodsOutlastingPreStop() != null && r.getPodsOutlastingPreStop() > 0)
          .ifPresent(
              r ->
                  out.add(
                      new ReportedFinding(
                          name,
                          Rule.SR023.id(),
                          Rule.SR023.severity().name(),
                          "spec.template.spec.containers[*].lifecycle.preStop",
                          "in the rollout of revision "
                              + r.getRevision()
                              + ", "
                              + r.getPodsOutlastingPreStop()
                              + " of "
                              + r.getPodsReplaced()
                              + " pod(s) got SIGTERM before their endpoint removal had finished (preStop "
                              + r.getPreStopSecondsInForce()
                              + " s, control-plane removal p99 "
                              + p99(r.getEndpointRemovalMs())
                              + " ms, data plane p99 "
                              + p99(r.getDataPlaneMs())
                              + " ms)",
                          Rule.SR023.fix())));
    }
    return out;
  }

  /**
   * Restart: a new revision whose template differs only by kubectl's restartedAt, newer than the
   * last record.
   */
  private static RolloutKind kind(Deployment d, List<RolloutRecord> records) {
    var status = d.getStatus();
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    long observed =
        status == null || status.getObservedGeneration() == null
            ? 0
            : status.getObservedGeneration();
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    int updated =
        status == null || status.getUpdatedReplicas() == null ? 0 : status.getUpdatedReplicas();
    if (observed >= generation && updated >= desired) {
      return RolloutKind.ScaleDown;
    }
    var template = d.getSpec().getTemplate().getMetadata();
    String restartedAt =
        template == null ? null : annotation(template.getAnnotations(), RESTARTED_AT);
    if (restartedAt != null) {
      Optional<String> lastStart =
          records.stream()
              .filter(r -> d.getMetadata().getName().equals(r.getDeployment()))
              .map(RolloutRecord::getStart)
              .reduce((a, b) -> b);
      try {
        Instant restarted = Instant.parse(restartedAt);
        if (lastStart.isEmpty()
            || restarted.isAfter(Instant.parse(lastStart.get()).minus(START_SLACK))) {
          return RolloutKind.Restart;
        }
      } catch (RuntimeException e) {
        return RolloutKind.Revision;
      }
    }
    return RolloutKind.Revision;
  }

  /**
   * The revision the Deployment is rolling to; unknown until the Deployment controller has seen the
   * latest spec (status.observedGeneration), since it writes the new ReplicaSet's revision onto the
   * Deployment only then (pkg/controller/deployment/sync.go).
   */
  private static Optional<String> currentRevision(Deployment d) {
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    Long observed = d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
    if (observed == null || observed < generation) {
      return Optional.empty();
    }
    return Optional.ofNullable(annotation(d.getMetadata().getAnnotations(), REVISION));
  }

  /** The Deployment controller's verdict after progressDeadlineSeconds without progress. */
  private static boolean deadlineExceeded(Deployment d) {
    return d.getStatus() != null
        && d.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    "Progressing".equals(c.getType())
                        && "ProgressDeadlineExceeded".equals(c.getReason()));
  }

  /**
   * The preStop new pods of this template carry: the longest plain delay among serving containers.
   */
  public static Optional<Integer> templatePreStop(Deployment d) {
    OptionalInt longest =
        PodContainers.of(d.getSpec().getTemplate()).serving().stream()
            .filter(c -> c.getLifecycle() != null && c.getLifecycle().getPreStop() != null)
            .map(c -> PreStopDelay.seconds(c.getLifecycle().getPreStop()))
            .filter(OptionalInt::isPresent)
            .mapToInt(OptionalInt::getAsInt)
            .max();
    return longest.isPresent() ? Optional.of(longest.getAsInt()) : Optional.empty();
  }

  private static String annotation(Map<String, String> annotations, String key) {
    return annotations == null ? null : annotations.get(key);
  }

  private static long millis(double seconds) {
    return Math.round(seconds * 1000);
  }

  private static String p99(LatencyFigures f) {
    return f == null || f.getP99() == null ? "n/a" : f.getP99().toString();
  }
}
