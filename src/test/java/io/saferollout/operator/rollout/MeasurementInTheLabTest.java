package io.saferollout.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.WallClockTest;
import io.saferollout.api.LatencyFigures;
import io.saferollout.api.PathBudget;
import io.saferollout.api.RolloutOutcome;
import io.saferollout.api.RolloutRecord;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.lab.Lab;
import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.cluster.LabEvent;
import io.saferollout.lab.dataplane.NetworkProgrammingHistogram;
import io.saferollout.lab.scenario.RolloutCompletion;
import io.saferollout.operator.OperatorSettings;
import io.saferollout.operator.SafeRolloutOperator;
import io.saferollout.rules.Rule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The operator's measurements against the lab's own record of what happened: its EndpointSlice
 * controller's writes (LabEvent ENDPOINTS_CHANGED), its kubelets' view of deletions
 * (POD_TERMINATING) and each node's applied changes. The operator runs in the test, against the
 * lab's API, as it would against a cluster.
 */
@WallClockTest
class MeasurementInTheLabTest {
  /** A lab rollout of 3 pods takes seconds; the margin covers a loaded 2-core machine. */
  static final Duration ROLLOUT = Duration.ofMinutes(2);

  static final String NS = Lab.NAMESPACE;
  final LabWorkload workload =
      LabWorkload.articleDefaults().withWarmup(Duration.ZERO).withPreStopSeconds(3);

  @Test
  void measuredRemovalMatchesTheLabsRecordOnBothPlanes() throws Exception {
    try (Lab lab = Lab.start(LabSettings.defaults().withSeed(7));
        OperatorRun operator = OperatorRun.start(lab)) {
      deployHardened(lab, sr -> {});
      Instant from = Instant.now();
      RolloutRecord record = rollOutAndAwaitRecord(lab, "v2");

      // Control plane: from the kubelet seeing the deletion to the EndpointSlice controller's write
      // that took the pod's endpoint out of ready. Both clocks are this process's; the operator's
      // watches add latency at both ends, which mostly cancels.
      List<Long> labMillis = labControlPlaneRemovals(lab, from);
      // (podsReplaced also counts pods deleted without an endpoint listed ready: no sample there.)
      assertThat(labMillis).isNotEmpty().hasSizeLessThanOrEqualTo(record.getPodsReplaced());
      LatencyFigures lab99 = nearestRank(labMillis);
      assertThat(record.getEndpointRemovalMs().getMax())
          .as("max, lab %s", labMillis)
          .isCloseTo(lab99.getMax(), org.assertj.core.data.Offset.offset(100L));
      assertThat(record.getEndpointRemovalMs().getP50())
          .as("p50, lab %s", labMillis)
          .isCloseTo(lab99.getP50(), org.assertj.core.data.Offset.offset(100L));

      // Data plane: the nodes' kube-proxy histograms against the lab's own record of the same
      // changes (trigger to applied, those carrying a trigger time, within the rollout).
      // kube-proxy's
      // buckets are a second wide above 1 s, and histogram_quantile interpolates inside them, so
      // the
      // lab's durations are put through the same buckets before taking their p99: what is checked
      // is the reading (every node, the rollout's delta), not kube-proxy's resolution.
      Instant end = Instant.parse(record.getEnd());
      NetworkProgrammingHistogram expected = new NetworkProgrammingHistogram();
      List<Long> programming =
          lab.endpointHistory().stream()
              .filter(
                  a ->
                      !a.appliedAt().isBefore(Instant.parse(record.getStart()))
                          && !a.appliedAt().isAfter(end))
              .flatMap(a -> a.networkProgramming().stream())
              .peek(expected::observe)
              .map(Duration::toMillis)
              .toList();
      assertThat(programming)
          .as("the nodes programmed the new pods' endpoints during the rollout")
          .isNotEmpty();
      // The record's p99 is the slowest node's: the pooled quantile 1 - 0.01/N over N nodes.
      assertThat(record.getDataPlaneMs()).as("read from every node's /metrics").isNotNull();
      assertThat(record.getDataPlaneNodes()).isPositive();
      double labP99 =
          CumulativeHistogram.of(
                      PrometheusText.parse(expected.prometheusText()), NodeMetricsReader.HISTOGRAM)
                  .orElseThrow()
                  .quantile(RolloutObserver.slowestNodeQuantile(record.getDataPlaneNodes()))
                  .orElseThrow()
              * 1000;
      assertThat((double) record.getDataPlaneMs().getP99())
          .as("data-plane p99 vs the lab's %s (bucketed p99 %.0f ms)", programming, labP99)
          .isCloseTo(labP99, org.assertj.core.data.Percentage.withPercentage(20));
    }
  }

  @Test
  void aStatedCloudLbPathLongerThanAFixedPreStopRaisesSr023() throws Exception {
    LabSettings settings =
        LabSettings.defaults()
            .withSeed(11)
            .withNetwork(
                LabSettings.Network.of(
                    List.of(
                        LabSettings.NodeNetwork.kubeProxy(),
                        LabSettings.NodeNetwork.kubeProxy(),
                        LabSettings.NodeNetwork.cloudLb())));
    try (Lab lab = Lab.start(settings);
        OperatorRun operator = OperatorRun.start(lab)) {
      deployHardened(
          lab,
          sr -> {
            sr.getSpec().getPreStop().setDelaySeconds(15);
            sr.getSpec().getPreStop().getBudgets().add(new PathBudget("cloud-lb", 30));
          });
      rollOutAndAwaitRecord(lab, "v2");
      SafeRolloutStatus status = status(lab);
      assertThat(status.getRollouts())
          .last()
          .satisfies(r -> assertThat(r.getPodsOutlastingPreStop()).isEqualTo(r.getPodsReplaced()));
      assertThat(status.getFindings())
          .anySatisfy(
              f -> {
                assertThat(f.getRule()).isEqualTo(Rule.SR023.id());
                assertThat(f.getMessage()).contains("preStop 15 s");
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  lab.client().v1().events().inNamespace(NS).list().getItems().stream()
                      .anyMatch(
                          e ->
                              "RemovalOutlastedPreStop".equals(e.getReason())
                                  && "Warning".equals(e.getType())));
    }
  }

  @Test
  void anOperatorRestartedMidRolloutKeepsEveryRecordOnce() throws Exception {
    try (Lab lab = Lab.start(LabSettings.defaults().withSeed(13))) {
      // (The Deployment's creation and the operator's hardening are rollouts too, and recorded.)
      List<String> before = new ArrayList<>();
      java.util.concurrent.atomic.AtomicReference<String> midRollout =
          new java.util.concurrent.atomic.AtomicReference<>();
      OperatorRun first = OperatorRun.start(lab);
      try {
        deployHardened(lab, sr -> sr.getSpec().getPreStop().setDelaySeconds(6));
        rollOutAndAwaitRecord(lab, "v2");
        before.addAll(status(lab).getRollouts().stream().map(RolloutRecord::getRevision).toList());
        changeImage(lab, "v3");
        await().atMost(ROLLOUT).until(() -> !status(lab).getActiveRollouts().isEmpty());
        midRollout.set(revision(lab));
      } finally {
        first.close();
      }
      // The rollout of v3 goes on without an operator for a moment; the next one picks it up from
      // status.activeRollouts.
      Thread.sleep(2000);
      try (OperatorRun second = OperatorRun.start(lab)) {
        await().atMost(ROLLOUT).until(() -> complete(lab) && record(lab, midRollout.get()) != null);
        rollOutAndAwaitRecord(lab, "v4");
      }
      List<RolloutRecord> records = status(lab).getRollouts();
      List<String> expected = new ArrayList<>(before);
      expected.add(midRollout.get());
      expected.add(revision(lab));
      assertThat(records)
          .extracting(RolloutRecord::getRevision)
          .as("one record per rollout, in order")
          .containsExactlyElementsOf(
              expected.subList(
                  Math.max(0, expected.size() - RolloutObserver.HISTORY), expected.size()));
      assertThat(records.subList(records.size() - 2, records.size()))
          .as("the rollout across the restart and the next")
          .allSatisfy(r -> assertThat(r.getOutcome()).isEqualTo(RolloutOutcome.Complete));
      assertThat(records).extracting(RolloutRecord::getStart).doesNotHaveDuplicates();
      assertThat(records.get(records.size() - 2).getDataPlaneMs())
          .as("data-plane figures from the nodes' counters the first operator kept in the status")
          .isNotNull()
          .satisfies(f -> assertThat(f.getP99()).isPositive());
    }
  }

  /**
   * Auto holds its starting value on thin evidence, and follows a slower network up at once. Two
   * replicas give 2 timed removals a rollout, short of the 20 a move down needs, so on a fast
   * network (~1 s) Auto keeps delaySeconds (15 s) and says why. A lab's nodes keep their profile
   * for life, so the slower network (~10 s, calling for 10.5 x 1.5 + 1 = 16.75 s and more) is a
   * second lab that takes over the SafeRollout's status, the operator's only memory, as it would
   * find it after the change on one cluster: the first rollout raises the delay, the next holds it.
   */
  @Test
  void autoHoldsOnThinEvidenceAndFollowsASlowerNetworkUpAtOnce() throws Exception {
    LabWorkload two = workload.withReplicas(2);
    SafeRolloutStatus carried;
    try (Lab lab =
            Lab.start(
                LabSettings.defaults()
                    .withSeed(17)
                    .withPropagation(Duration.ofMillis(800), Duration.ofMillis(1200)));
        OperatorRun operator = OperatorRun.start(lab)) {
      deployHardened(lab, two, MeasurementInTheLabTest::autoFromTheDefaultDelay);
      rollOutAndAwaitRecord(lab, two, "v2");
      rollOutAndAwaitRecord(lab, two, "v3");
      var tuning = status(lab, two).getPreStopTuning();
      assertThat(tuning.getRecommendedSeconds()).as("~1 s x 1.5 + 1 s, bucketed").isBetween(2, 7);
      assertThat(tuning.getInForceSeconds()).as("4 removals: too few to lower on").isEqualTo(15);
      assertThat(tuning.getReason()).contains("a move down needs");
      carried = status(lab, two);
    }
    try (Lab lab =
        Lab.start(
            LabSettings.defaults()
                .withSeed(19)
                .withPropagation(Duration.ofMillis(9500), Duration.ofMillis(10500)))) {
      lab.deploy(two);
      SafeRollout sr = two.safeRollout(NS);
      autoFromTheDefaultDelay(sr);
      lab.client().resources(SafeRollout.class).inNamespace(NS).resource(sr).create();
      SafeRollout created = lab.safeRollout(two.name());
      created.setStatus(carried);
      lab.client().resources(SafeRollout.class).inNamespace(NS).resource(created).updateStatus();
      try (OperatorRun operator = OperatorRun.start(lab)) {
        await()
            .atMost(ROLLOUT)
            .until(
                () ->
                    hardened(lab, two)
                        && complete(lab, two)
                        && status(lab, two).getActiveRollouts().isEmpty());
        List<Integer> inForce = new ArrayList<>();
        for (String version : List.of("v4", "v5")) {
          rollOutAndAwaitRecord(lab, two, version);
          inForce.add(status(lab, two).getPreStopTuning().getInForceSeconds());
        }
        // ~10.5 s p99 x 1.5 + 1 s = 16.75 s, bucketed long.
        assertThat(inForce.get(0)).as("raised by the first rollout: %s", inForce).isBetween(17, 24);
        assertThat(inForce.get(1)).as("and holds still: %s", inForce).isEqualTo(inForce.get(0));
      }
    }
  }

  /**
   * An operator against the lab's API with its own client, closed by the test (so it can restart).
   */
  record OperatorRun(KubernetesClient client, SafeRolloutOperator operator)
      implements AutoCloseable {
    static OperatorRun start(Lab lab) throws IOException {
      if (lab.client()
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(SafeRollout.CRD_NAME)
              .get()
          == null) {
        try (InputStream crd =
            Files.newInputStream(Path.of("crd", SafeRollout.CRD_NAME + "-v1.yml"))) {
          lab.client().apiextensions().v1().customResourceDefinitions().load(crd).create();
        }
      }
      KubernetesClient client = lab.newClient();
      SafeRolloutOperator operator =
          new SafeRolloutOperator(
              client, OperatorSettings.singleInstance(), new SimpleMeterRegistry());
      operator.start();
      return new OperatorRun(client, operator);
    }

    @Override
    public void close() {
      operator.close();
      client.close();
    }
  }

  private void deployHardened(Lab lab, Consumer<SafeRollout> adjust) {
    deployHardened(lab, workload, adjust);
  }

  /**
   * Auto starting from the default delaySeconds (15 s): the workload states a Fixed 3 s, which as
   * Auto's starting value would be raised at once by the measurements instead of held.
   */
  private static void autoFromTheDefaultDelay(SafeRollout sr) {
    sr.getSpec().getPreStop().setMode(io.saferollout.api.PreStopMode.Auto);
    sr.getSpec()
        .getPreStop()
        .setDelaySeconds(io.saferollout.api.SpecDefaults.PRE_STOP_DELAY_SECONDS);
  }

  private static void deployHardened(Lab lab, LabWorkload w, Consumer<SafeRollout> adjust) {
    lab.deploy(w);
    SafeRollout sr = w.safeRollout(NS);
    adjust.accept(sr);
    lab.client().resources(SafeRollout.class).inNamespace(NS).resource(sr).create();
    await()
        .atMost(ROLLOUT)
        .until(
            () ->
                hardened(lab, w)
                    && complete(lab, w)
                    && lab.dataPlane().converged()
                    && status(lab, w).getActiveRollouts().isEmpty());
  }

  /** Changes the image and waits for the operator's record of the rollout that follows. */
  private RolloutRecord rollOutAndAwaitRecord(Lab lab, String version) {
    return rollOutAndAwaitRecord(lab, workload, version);
  }

  private static RolloutRecord rollOutAndAwaitRecord(Lab lab, LabWorkload w, String version) {
    changeImage(lab, w, version);
    await().atMost(ROLLOUT).until(() -> complete(lab, w));
    String revision = revision(lab, w);
    await().atMost(ROLLOUT).until(() -> record(lab, w, revision) != null);
    return record(lab, w, revision);
  }

  private RolloutRecord record(Lab lab, String revision) {
    return record(lab, workload, revision);
  }

  /** The newest record of {@code revision} (a second lab's revisions start again at 1). */
  private static RolloutRecord record(Lab lab, LabWorkload w, String revision) {
    List<RolloutRecord> records = status(lab, w).getRollouts();
    return records.isEmpty() || !revision.equals(records.get(records.size() - 1).getRevision())
        ? null
        : records.get(records.size() - 1);
  }

  private String revision(Lab lab) {
    return revision(lab, workload);
  }

  /**
   * The Deployment controller's revision of the current template
   * (deployment.kubernetes.io/revision).
   */
  private static String revision(Lab lab, LabWorkload w) {
    return lab.client()
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(w.name())
        .get()
        .getMetadata()
        .getAnnotations()
        .get(RolloutObserver.REVISION);
  }

  private void changeImage(Lab lab, String version) {
    changeImage(lab, workload, version);
  }

  private static void changeImage(Lab lab, LabWorkload w, String version) {
    lab.client()
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(w.name())
        .edit(
            d ->
                new DeploymentBuilder(d)
                    .editSpec()
                    .editTemplate()
                    .editSpec()
                    .editContainer(0)
                    .withImage(LabWorkload.IMAGE_REPOSITORY + ":" + version)
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build());
  }

  /**
   * For each pod the kubelet began terminating: until the EndpointSlice no longer lists it ready.
   */
  private static List<Long> labControlPlaneRemovals(Lab lab, Instant from) {
    Map<String, Instant> terminating = new HashMap<>();
    List<Long> out = new ArrayList<>();
    for (LabEvent e : lab.timeline().events()) {
      if (e.at().isBefore(from)) {
        continue;
      }
      if (e.kind() == LabEvent.Kind.POD_TERMINATING) {
        terminating.putIfAbsent(e.name(), e.at());
      } else if (e.kind() == LabEvent.Kind.ENDPOINTS_CHANGED) {
        for (var it = terminating.entrySet().iterator(); it.hasNext(); ) {
          var t = it.next();
          if (!listedReady(e.detail(), t.getKey())) {
            out.add(Duration.between(t.getValue(), e.at()).toMillis());
            it.remove();
          }
        }
      }
    }
    return out;
  }

  /**
   * The controller's detail lists each endpoint as "pod address ready=... serving=...
   * terminating=...".
   */
  private static boolean listedReady(String detail, String pod) {
    for (String endpoint : detail.split("; ")) {
      if (endpoint.startsWith(pod + " ")) {
        return endpoint.contains("ready=true");
      }
    }
    return false;
  }

  private static LatencyFigures nearestRank(List<Long> millis) {
    return RemovalFigures.of(millis).orElseThrow();
  }

  private static boolean hardened(Lab lab, LabWorkload w) {
    Deployment d = lab.client().apps().deployments().inNamespace(NS).withName(w.name()).get();
    return RolloutObserver.templatePreStop(d).isPresent();
  }

  private static int templatePreStop(Lab lab, LabWorkload w) {
    return RolloutObserver.templatePreStop(
            lab.client().apps().deployments().inNamespace(NS).withName(w.name()).get())
        .orElseThrow();
  }

  private boolean complete(Lab lab) {
    return complete(lab, workload);
  }

  private static boolean complete(Lab lab, LabWorkload w) {
    Deployment d = lab.client().apps().deployments().inNamespace(NS).withName(w.name()).get();
    List<Pod> pods =
        lab.client().pods().inNamespace(NS).withLabel("app", w.name()).list().getItems();
    return RolloutCompletion.isComplete(d, pods);
  }

  private SafeRolloutStatus status(Lab lab) {
    return status(lab, workload);
  }

  private static SafeRolloutStatus status(Lab lab, LabWorkload w) {
    SafeRollout sr = lab.safeRollout(w.name());
    return sr == null || sr.getStatus() == null ? new SafeRolloutStatus() : sr.getStatus();
  }
}
