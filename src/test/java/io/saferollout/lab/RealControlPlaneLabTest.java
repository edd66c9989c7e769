package io.saferollout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.lab.cluster.ControlPlaneKind;
import io.saferollout.lab.cluster.LabEvent;
import io.saferollout.lab.scenario.Arm;
import io.saferollout.lab.scenario.RunOutcome;
import io.saferollout.lab.scenario.RunResult;
import io.saferollout.lab.scenario.Scenario;
import io.saferollout.lab.scenario.ScenarioPlan;
import io.saferollout.lab.scenario.ScenarioRun;
import io.saferollout.realapi.RealApiTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lab on the real control plane: the real Deployment, ReplicaSet and EndpointSlice controllers
 * and the real scheduler drive pods that the lab's kubelet runs on loopback; the API shows them at
 * 198.18.a.b, which the data plane maps back to loopback. The proof holds there as in the simulated
 * lab ({@code RolloutLabTest}): a naive rolling update under load loses requests, the same
 * Deployment under a SafeRollout with its defaults loses none after adoption.
 *
 * <p>Each lab starts its own control plane (the shared one of {@link RealApiTest} would mix the
 * labs' nodes and pods).
 */
@RealApiTest
@Timeout(600)
class RealControlPlaneLabTest {

  private static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
  private static final double RATE = 100;
  private static final long SEED = 42;

  @Test
  void aDeploymentRollsOutThroughTheRealControllersOntoTheLabsKubelet() throws Exception {
    List<ProcessHandle> processes;
    try (Lab lab = Lab.start(settings(61))) {
      processes = lab.controlPlaneProcesses();
      assertThat(lab.controlPlaneVersion()).isEqualTo("v1.37.2");
      LabWorkload workload = LabWorkload.articleDefaults();
      List<String> triggerTimes = new CopyOnWriteArrayList<>();
      Watch slicesWritten =
          lab.client()
              .discovery()
              .v1()
              .endpointSlices()
              .inNamespace(Lab.NAMESPACE)
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, EndpointSlice slice) {
                      Map<String, String> annotations = slice.getMetadata().getAnnotations();
                      if (annotations != null && annotations.containsKey(TRIGGER_TIME)) {
                        triggerTimes.add(annotations.get(TRIGGER_TIME));
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                  });
      lab.deploy(workload);

      Awaitility.await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(200))
          .alias("3 ready pods, routed by every node")
          .conditionEvaluationListener(
              c -> {
                if (c.getRemainingTimeInMS() < 300) {
                  throw new AssertionError("the cluster at the deadline:\n" + describe(lab));
                }
              })
          .until(() -> lab.dataPlane().converged() && readyPods(lab).size() == 3);

      List<Pod> pods = readyPods(lab);
      List<String> nodes = lab.client().nodes().list().getItems().stream().map(this::name).toList();
      assertThat(pods)
          .allSatisfy(
              p -> {
                assertThat(p.getStatus().getPodIP()).startsWith("198.18.");
                assertThat(nodes).contains(p.getSpec().getNodeName());
                assertThat(p.getMetadata().getLabels()).containsKey("pod-template-hash");
              });
      // The real ReplicaSet controller made them: named after the Deployment and the hash.
      ReplicaSet rs =
          lab.client().apps().replicaSets().inNamespace(Lab.NAMESPACE).list().getItems().get(0);
      assertThat(rs.getMetadata().getName())
          .isEqualTo("web-" + rs.getMetadata().getLabels().get("pod-template-hash"));

      List<EndpointSlice> slices =
          lab.client()
              .discovery()
              .v1()
              .endpointSlices()
              .inNamespace(Lab.NAMESPACE)
              .withLabel("kubernetes.io/service-name", workload.name())
              .list()
              .getItems();
      List<String> addresses =
          slices.stream()
              .flatMap(s -> s.getEndpoints().stream())
              .filter(e -> Boolean.TRUE.equals(e.getConditions().getReady()))
              .map(Endpoint::getAddresses)
              .flatMap(List::stream)
              .toList();
      assertThat(addresses)
          .containsExactlyInAnyOrderElementsOf(
              pods.stream().map(p -> p.getStatus().getPodIP()).toList());
      // Written by the real EndpointSlice controller, which kube-proxy's metric is measured from.
      // Not on every write: the controller omits it when no pod's Ready transition time (a
      // one-second resolution) nor the Service moved since its last sync, so the final slice
      // may carry none; the first write, for the Service's creation, always does.
      slicesWritten.close();
      assertThat(triggerTimes)
          .isNotEmpty()
          .allSatisfy(t -> assertThat(Instant.parse(t)).isNotNull());

      // Served through every node's data plane, i.e. by loopback pods behind 198.18 addresses.
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      for (URI url : lab.serviceUrls()) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    http.send(
                                HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                        == 200);
      }

      // A deleted pod stays Terminating on the real server until the kubelet has stopped its
      // containers and deleted it with grace period 0.
      Pod victim = pods.get(0);
      String victimName = victim.getMetadata().getName();
      lab.client().pods().inNamespace(Lab.NAMESPACE).resource(victim).delete();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  lab.client().pods().inNamespace(Lab.NAMESPACE).withName(victimName).get()
                      == null);
      // SIGTERM comes only from the graceful path, which needs the pod still there with its
      // deletionTimestamp (a pod gone at once is killed without one); POD_DELETED is the kubelet's
      // grace-0 delete.
      assertThat(lab.timeline().eventsFor(victimName).stream().map(e -> e.kind()))
          .containsSubsequence(LabEvent.Kind.SIGTERM_SENT, LabEvent.Kind.POD_DELETED);
      assertThat(lab.timeline().eventsFor(victimName).stream().map(e -> e.kind()))
          .as("recorded from the real ReplicaSet controller's write")
          .contains(LabEvent.Kind.POD_CREATED);

      // The kubelet keeps each Node's Lease fresh (renewed every 10 s) and reports its release.
      Node node = lab.client().nodes().withName(nodes.get(0)).get();
      assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.37.2");
      Lease lease =
          lab.client().leases().inNamespace("kube-node-lease").withName(nodes.get(0)).get();
      var firstRenewal = lease.getSpec().getRenewTime();
      Awaitility.await()
          .atMost(Duration.ofSeconds(25))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () ->
                  lab.client()
                      .leases()
                      .inNamespace("kube-node-lease")
                      .withName(nodes.get(0))
                      .get()
                      .getSpec()
                      .getRenewTime()
                      .isAfter(firstRenewal));
    }
    // No process of the lab outlives it.
    assertThat(processes).hasSizeGreaterThanOrEqualTo(4).noneMatch(ProcessHandle::isAlive);
    try (Stream<ProcessHandle> descendants = ProcessHandle.current().descendants()) {
      assertThat(descendants.filter(p -> processes.stream().anyMatch(q -> q.pid() == p.pid())))
          .isEmpty();
    }
  }

  @Test
  void naiveRollingUpdateLosesRequestsOnTheRealControlPlane() throws Exception {
    // As RolloutLabTest: a 3 s warm-up outlasts the nodes' propagation, so new pods without a
    // readiness probe answer 500 to routed traffic.
    RunOutcome outcome =
        run(
            Arm.naive(ShutdownStyle.GRACEFUL),
            62,
            LabWorkload.articleDefaults().withWarmup(Duration.ofSeconds(3)));

    RunResult r = outcome.result();
    assertThat(r.rollouts()).isEqualTo(1);
    assertThat(r.failed()).isPositive();
    assertThat(r.failuresByClass()).containsKey("500");
  }

  @Test
  void hardenedRollingUpdateLosesNoneAfterAdoptionOnTheRealControlPlane() throws Exception {
    RunOutcome outcome =
        run(Arm.hardened(ShutdownStyle.GRACEFUL), 63, LabWorkload.articleDefaults());

    RunResult r = outcome.result();
    assertThat(r.adoption()).as("the adoption rollout is reported").isNotNull();
    assertThat(r.rollouts()).isEqualTo(1);
    assertThat(r.requests()).as("traffic flowed for the whole measured part").isGreaterThan(1_000);
    assertThat(r.failuresByClass()).isEmpty();
    assertThat(r.failed()).isZero();
  }

  private static RunOutcome run(Arm arm, int podNetwork, LabWorkload workload)
      throws InterruptedException {
    try (Lab lab = Lab.start(settings(podNetwork))) {
      ScenarioPlan plan = ScenarioPlan.of(Scenario.ROLLING_UPDATE, RATE, SEED).withCounts(1, 0);
      return new ScenarioRun(lab, workload, plan, arm).execute();
    }
  }

  private static LabSettings settings(int podNetwork) {
    return LabSettings.defaults()
        .withSeed(SEED)
        .withPodNetwork(podNetwork)
        .withControlPlane(ControlPlaneKind.REAL);
  }

  private static List<Pod> readyPods(Lab lab) {
    return lab.client().pods().inNamespace(Lab.NAMESPACE).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(
            p ->
                p.getStatus() != null
                    && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
        .toList();
  }

  /** What a failure message needs: pods, where they run, and what the EndpointSlices say. */
  private static String describe(Lab lab) {
    StringBuilder s = new StringBuilder();
    lab.client()
        .nodes()
        .list()
        .getItems()
        .forEach(n -> s.append("node ").append(n.getMetadata().getName()).append('\n'));
    lab.client()
        .pods()
        .inNamespace(Lab.NAMESPACE)
        .list()
        .getItems()
        .forEach(
            p ->
                s.append("pod ")
                    .append(p.getMetadata().getName())
                    .append(" node=")
                    .append(p.getSpec().getNodeName())
                    .append(" status=")
                    .append(p.getStatus())
                    .append('\n'));
    lab.client()
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(Lab.NAMESPACE)
        .list()
        .getItems()
        .forEach(e -> s.append("slice ").append(e.getEndpoints()).append('\n'));
    lab.dataPlane()
        .proxies()
        .forEach(
            p ->
                s.append("proxy ")
                    .append(p.name())
                    .append(' ')
                    .append(p.knownEndpoints())
                    .append('\n'));
    return s.toString();
  }

  private String name(Node node) {
    return node.getMetadata().getName();
  }
}
