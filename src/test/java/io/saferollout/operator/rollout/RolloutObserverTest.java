package io.saferollout.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.DataPlaneSource;
import io.saferollout.api.DataPlaneVisibility;
import io.saferollout.api.PathBudget;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.RolloutKind;
import io.saferollout.api.RolloutOutcome;
import io.saferollout.api.RolloutRecord;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.api.TargetRef;
import io.saferollout.api.TuningApplication;
import io.saferollout.operator.validation.PreStopPolicy;
import io.saferollout.operator.validation.SpecParser;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rollout observation against a real (mock) Kubernetes API: pods and EndpointSlices change through
 * the API, the observer's clock hears them through informers, and the status it writes is the only
 * state carried from one observer to the next.
 */
class RolloutObserverTest {
  static final String NS = "shop";

  /**
   * The bound for control-plane removal against the recorded change. Both ends of the
   * measurement are watch deliveries from the same loopback server, so their latencies cancel.
   */
  static final long CONTROL_PLANE_TOLERANCE_MS = 100;

  KubernetesMockServer server;
  KubernetesClient client;
  HttpClient http;
  final List<String> warnings = new ArrayList<>();
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final List<AutoCloseable> informers = new ArrayList<>();
  HttpServer nodeMetrics;

  @BeforeEach
  void startApi() {
    var expectations = new HashMap<ServerRequest, Queue<ServerResponse>>();
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new KubernetesMixedDispatcher(expectations),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable i : informers) {
      i.close();
    }
    if (nodeMetrics != null) {
      nodeMetrics.stop(0);
    }
    client.close();
    server.destroy();
  }

  @Test
  void controlPlaneRemovalIsTheTimeFromDeletionToTheEndpointTurningNotReadyInEverySlice()
      throws Exception {
    RolloutObserver observer = observer();
    client.pods().resource(pod("web-abc-1", "abc", 3)).create();
    client.resource(slice("web-1", "web-abc-1", true)).create();
    client.resource(slice("web-2", "web-abc-1", true)).create();
    watch(observer);
    SafeRollout sr = safeRollout();
    SafeRolloutStatus status = new SafeRolloutStatus();

    status = step(observer, sr, rolling(), status);
    assertThat(status.getActiveRollouts())
        .singleElement()
        .satisfies(a -> assertThat(a.getKind()).isEqualTo(RolloutKind.Revision));

    Instant deleteSent = Instant.now();
    client.pods().inNamespace(NS).withName("web-abc-1").delete();
    Instant deleteAnswered = Instant.now();
    Thread.sleep(300);
    client.resource(slice("web-1", "web-abc-1", false)).update();
    Thread.sleep(400);
    // Still ready in the second slice: not removed yet.
    assertThat(observer.clock().removals(NS, "web", Instant.EPOCH)).isEmpty();
    EndpointSlice notReady = slice("web-2", "web-abc-1", false);
    Instant updateSent = Instant.now();
    client.resource(notReady).update();
    Instant updateAnswered = Instant.now();
    // The server made each change at some moment during its request: take the middle, and allow
    // half of each request's duration on top of the 100 ms (requests slow down under load).
    long recorded =
        Duration.between(middle(deleteSent, deleteAnswered), middle(updateSent, updateAnswered))
            .toMillis();
    long tolerance =
        CONTROL_PLANE_TOLERANCE_MS
            + (Duration.between(deleteSent, deleteAnswered).toMillis()
                    + Duration.between(updateSent, updateAnswered).toMillis())
                / 2;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !observer.clock().removals(NS, "web", Instant.EPOCH).isEmpty());

    finalizePod("web-abc-1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> observer.clock().terminating(NS, "web") == 0);
    status = step(observer, sr, complete(), status);

    assertThat(status.getActiveRollouts()).isEmpty();
    RolloutRecord r = status.getRollouts().get(0);
    assertThat(r.getOutcome()).isEqualTo(RolloutOutcome.Complete);
    assertThat(r.getPodsReplaced()).isEqualTo(1);
    assertThat(r.getEndpointRemovalMs().getP99())
        .isBetween(recorded - tolerance, recorded + tolerance);
    assertThat(r.getPodsOutlastingPreStop()).isZero();
    assertThat(status.getPreStopTuning().getEvidence().getSamples()).isEqualTo(1);
    assertThat(meters.get("saferollout.endpoint.removal").timer().count()).isEqualTo(1);
    assertThat(meters.get("saferollout.rollouts").tag("outcome", "Complete").counter().count())
        .isEqualTo(1);
    assertThat(meters.get("saferollout.prestop.seconds").tag("deployment", "web").gauge().value())
        .isEqualTo(15);
  }

  @Test
  void aPodNoSliceListedCountsAsReplacedWithoutASample() throws Exception {
    client.pods().resource(pod("web-abc-1", "abc", 3)).create();
    client.pods().resource(pod("web-abc-2", "abc", 3)).create();
    client.resource(slice("web-1", "web-abc-1", true)).create();
    SafeRollout sr = safeRollout();
    RolloutObserver observer = observer();
    watch(observer);
    SafeRolloutStatus status = step(observer, sr, rolling(), new SafeRolloutStatus());
    removeEndpoint(observer, "web-abc-1", "web-1");
    client.pods().inNamespace(NS).withName("web-abc-2").delete();
    finalizePod("web-abc-1");
    finalizePod("web-abc-2");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> observer.clock().terminating(NS, "web") == 0);
    status = step(observer, sr, complete(), status);

    assertThat(status.getRollouts())
        .singleElement()
        .satisfies(r -> assertThat(r.getPodsReplaced()).isEqualTo(2));
    assertThat(status.getPreStopTuning().getEvidence().getEndpointRemovalMs()).isNotNull();
  }

  @Test
  void aRolloutSeenBeforeTheControllerNamesItsRevisionIsOneRolloutNotASupersededOne() {
    SafeRollout sr = safeRollout();
    RolloutObserver observer = observer();
    // Template changed (generation 3), the Deployment controller has not caught up: revision
    // unknown.
    SafeRolloutStatus status =
        step(observer, sr, deployment(2, 3, 2, "2"), new SafeRolloutStatus());
    assertThat(status.getActiveRollouts())
        .singleElement()
        .satisfies(a -> assertThat(a.getRevision()).isNull());
    status = step(observer, sr, deployment(0, 3, 3, "3"), status);
    assertThat(status.getActiveRollouts())
        .singleElement()
        .satisfies(a -> assertThat(a.getRevision()).isEqualTo("3"));
    status = step(observer, sr, deployment(0, 4, 4, "4"), status);
    assertThat(status.getRollouts())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getRevision()).isEqualTo("3");
              assertThat(r.getOutcome()).isEqualTo(RolloutOutcome.Superseded);
            });
    assertThat(status.getActiveRollouts())
        .singleElement()
        .satisfies(a -> assertThat(a.getRevision()).isEqualTo("4"));
  }

  @Test
  void anOperatorRestartedMidRolloutKeepsTheMeasuredPodsAndWritesTheRecordOnce() throws Exception {
    client.pods().resource(pod("web-abc-1", "abc", 3)).create();
    client.pods().resource(pod("web-abc-2", "abc", 3)).create();
    client.resource(slice("web-1", "web-abc-1", true)).create();
    client.resource(slice("web-2", "web-abc-2", true)).create();
    SafeRollout sr = safeRollout();

    RolloutObserver first = observer();
    watch(first);
    SafeRolloutStatus status = step(first, sr, rolling(), new SafeRolloutStatus());
    removeEndpoint(first, "web-abc-1", "web-1");
    status = step(first, sr, rolling(), status);
    assertThat(status.getActiveRollouts().get(0).getRemovals())
        .extracting("pod")
        .containsExactly("web-abc-1");
    closeInformers();

    // The operator restarts: a new observer with an empty clock, only the status in the API.
    RolloutObserver second = observer();
    watch(second);
    await().atMost(Duration.ofSeconds(10)).until(() -> second.clock().terminating(NS, "web") == 1);
    removeEndpoint(second, "web-abc-2", "web-2");
    status = step(second, sr, rolling(), status);
    assertThat(status.getRollouts()).as("still rolling").isEmpty();
    finalizePod("web-abc-1");
    finalizePod("web-abc-2");
    await().atMost(Duration.ofSeconds(10)).until(() -> second.clock().terminating(NS, "web") == 0);
    status = step(second, sr, complete(), status);
    status = step(second, sr, complete(), status);

    assertThat(status.getActiveRollouts()).isEmpty();
    assertThat(status.getRollouts())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getPodsReplaced()).isEqualTo(2);
              assertThat(r.getRevision()).isEqualTo("2");
            });
  }

  @Test
  void removalOutlastingThePreStopWithTheStatedBudgetIsAWarningAndAFinding() throws Exception {
    client.pods().resource(pod("web-abc-1", "abc", 15)).create();
    client.resource(slice("web-1", "web-abc-1", true)).create();
    SafeRollout sr = safeRollout();
    sr.getSpec().getPreStop().getBudgets().add(new PathBudget("cloud-lb", 30));
    RolloutObserver observer = observer();
    watch(observer);
    SafeRolloutStatus status = step(observer, sr, rolling(), new SafeRolloutStatus());
    removeEndpoint(observer, "web-abc-1", "web-1");
    finalizePod("web-abc-1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> observer.clock().terminating(NS, "web") == 0);
    var observation = observer.observe(sr, policy(sr), List.of(complete()), status);

    assertThat(observation.rollouts())
        .singleElement()
        .satisfies(r -> assertThat(r.getPodsOutlastingPreStop()).isEqualTo(1));
    assertThat(observation.findings())
        .singleElement()
        .satisfies(f -> assertThat(f.getRule()).isEqualTo("SR023"));
    // Fixed mode: the unreadable data plane (the mock server has no Node) is no Warning.
    assertThat(warnings).singleElement().asString().contains("SR023").contains("web-abc-1");
    // 30 s of budget x nothing + margin: Auto would carry at least 31 s
    assertThat(observation.tuning().getRecommendedSeconds()).isGreaterThanOrEqualTo(31);
  }

  @Test
  void autoCarriesItsTunedValueAndSaysWhenTheTemplateTakesIt() throws Exception {
    client.pods().resource(pod("web-abc-1", "abc", 15)).create();
    client.resource(slice("web-1", "web-abc-1", true)).create();
    SafeRollout sr = safeRollout();
    sr.getSpec().getPreStop().setMode(PreStopMode.Auto);
    sr.getSpec().getPreStop().getDataPlane().setSource(DataPlaneSource.None);
    sr.getSpec().getPreStop().setDelaySeconds(20);
    RolloutObserver observer = observer();
    watch(observer);
    SafeRolloutStatus status = step(observer, sr, rolling(), new SafeRolloutStatus());
    assertThat(observer.observe(sr, policy(sr), List.of(rolling()), status).preStopSeconds())
        .as("nothing measured yet")
        .isEqualTo(20);
    removeEndpoint(observer, "web-abc-1", "web-1");
    finalizePod("web-abc-1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> observer.clock().terminating(NS, "web") == 0);

    // The observer only decides the value; when the template takes it is the plan step's call
    // (HardeningPlannerTuningTest), so both applyTuning settings carry the same value.
    // Source None: the measured control plane calls for less, but nothing measured the nodes,
    // so delaySeconds stays the floor; the template's 15 s takes 20 s with the next rollout.
    var waiting = observer.observe(sr, policy(sr), List.of(complete()), status);
    assertThat(waiting.tuning().getRecommendedSeconds()).isLessThan(20);
    assertThat(waiting.preStopSeconds()).isEqualTo(20);
    assertThat(waiting.tuning().getInForceSeconds()).isEqualTo(waiting.preStopSeconds());
    assertThat(waiting.tuning().getReason()).contains("source is None").contains("WithNextRollout");
    assertThat(waiting.tuning().getDataPlane().getVisibility())
        .isEqualTo(DataPlaneVisibility.NoSource);

    sr.getSpec().getPreStop().setApplyTuning(TuningApplication.Immediately);
    var immediate = observer.observe(sr, policy(sr), List.of(complete()), status);
    assertThat(immediate.preStopSeconds()).isEqualTo(waiting.preStopSeconds());
    assertThat(immediate.tuning().getReason()).contains("Immediately");
  }

  @Test
  void dataPlaneIsTheHistogramDeltaReadFromEveryNodesKubeProxyMetrics() throws Exception {
    AtomicReference<String> page = new AtomicReference<>(kubeProxyPage(10, 10, 10));
    SafeRollout sr = safeRollout();
    sr.getSpec().getPreStop().getDataPlane().setMetricsUrlTemplate(serveNodeMetrics(page));
    client.pods().resource(pod("web-abc-1", "abc", 15)).create();
    client.resource(slice("web-1", "web-abc-1", true)).create();
    RolloutObserver observer = observer();
    watch(observer);

    SafeRolloutStatus status = step(observer, sr, rolling(), new SafeRolloutStatus());
    // During the rollout the node programs 10 more changes, all between 1 s and 2 s.
    page.set(kubeProxyPage(10, 10, 20));
    removeEndpoint(observer, "web-abc-1", "web-1");
    finalizePod("web-abc-1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> observer.clock().terminating(NS, "web") == 0);
    status = step(observer, sr, complete(), status);

    RolloutRecord r = status.getRollouts().get(0);
    assertThat(r.getDataPlaneMs().getP50()).isBetween(1000L, 2000L);
    assertThat(r.getDataPlaneMs().getP99()).isBetween(1900L, 2000L);
    assertThat(r.getDataPlaneMs().getMax()).isEqualTo(2000L);
    assertThat(status.getPreStopTuning().getEvidence().getSources())
        .anySatisfy(s -> assertThat(s).contains("kube-proxy"));
  }

  @Test
  void anOperatorRestartedMidRolloutStillRecordsTheDataPlane() throws Exception {
    AtomicReference<String> page = new AtomicReference<>(kubeProxyPage(10, 10, 10));
    SafeRollout sr = safeRollout();
    sr.getSpec().getPreStop().getDataPlane().setMetricsUrlTemplate(serveNodeMetrics(page));
    client.pods().resource(pod("web-abc-1", "abc", 15)).create();
    client.resource(slice("web-1", "web-abc-1", true)).create();
    RolloutObserver first = observer();
    watch(first);
    SafeRolloutStatus status = step(first, sr, rolling(), new SafeRolloutStatus());
    assertThat(status.getActiveRollouts().get(0).getDataPlaneBaselineTotal())
        .as("the nodes' counters at the start, added up in the status")
        .satisfies(
            b -> {
              assertThat(b.getNodes()).isEqualTo(1);
              assertThat(b.getCount()).isEqualTo(10);
            });
    closeInformers();

    // The operator restarts while the node programs 10 more changes, all between 1 s and 2 s; the
    // next one knows the rollout only from the status.
    page.set(kubeProxyPage(10, 10, 20));
    RolloutObserver second = observer();
    watch(second);
    removeEndpoint(second, "web-abc-1", "web-1");
    finalizePod("web-abc-1");
    await().atMost(Duration.ofSeconds(10)).until(() -> second.clock().terminating(NS, "web") == 0);
    status = step(second, sr, complete(), status);

    RolloutRecord r = status.getRollouts().get(0);
    assertThat(r.getDataPlaneMs()).as("data-plane figures across the restart").isNotNull();
    assertThat(r.getDataPlaneMs().getP50()).isBetween(1000L, 2000L);
    assertThat(r.getDataPlaneMs().getP99()).isBetween(1900L, 2000L);
    assertThat(r.getDataPlaneMs().getMax()).isEqualTo(2000L);
  }

  @Test
  void aNodeWhoseKubeProxyDoesNotAnswerIsNamedWarnedOnceAndClearedWhenItAnswers() throws Exception {
    String served = serveNodeMetrics(new AtomicReference<>(kubeProxyPage(10, 10, 10)));
    // kube-proxy's default bind, 127.0.0.1 on the node: from the operator's pod, nothing listens.
    String refused = "http://{nodeIP}:" + closedPort() + "/metrics";
    SafeRollout sr = safeRollout();
    sr.getSpec().getPreStop().setMode(PreStopMode.Auto);
    sr.getSpec().getPreStop().getDataPlane().setMetricsUrlTemplate(refused);
    MutableClock time = new MutableClock(Instant.parse("2026-12-08T01:00:00Z"));
    RolloutObserver observer = observer(time);

    SafeRolloutStatus status = step(observer, sr, complete(), new SafeRolloutStatus());
    var reading = status.getPreStopTuning().getDataPlane();
    assertThat(reading.getVisibility()).isEqualTo(DataPlaneVisibility.Unreadable);
    assertThat(reading.getMessage()).contains("node node-1").contains("ConnectException");
    assertThat(status.getPreStopTuning().getInForceSeconds()).isEqualTo(15);
    assertThat(warnings).singleElement().asString().startsWith("DataPlaneNotMeasured");

    // Later reconciles within the recheck interval neither read again nor warn again.
    time.advance(Duration.ofMinutes(1));
    status = step(observer, sr, complete(), status);
    assertThat(status.getPreStopTuning().getDataPlane().getCheckedAt())
        .isEqualTo(reading.getCheckedAt());
    assertThat(warnings).hasSize(1);

    // The user exposes kube-proxy's metrics; the next recheck reads them.
    sr.getSpec().getPreStop().getDataPlane().setMetricsUrlTemplate(served);
    time.advance(DataPlaneWatch.RECHECK);
    status = step(observer, sr, complete(), status);
    assertThat(status.getPreStopTuning().getDataPlane().getVisibility())
        .isEqualTo(DataPlaneVisibility.Readable);
    assertThat(warnings).hasSize(1);
  }

  @Test
  void aStatusMessageNamesTheFirstFewNodesAndCountsTheRest() {
    List<String> problems = new ArrayList<>();
    for (int i = 1; i <= 500; i++) {
      problems.add("node node-" + i + ": java.net.ConnectException");
    }
    String message = DataPlaneWatch.summary(problems);
    assertThat(message)
        .isEqualTo(
            "node node-1: java.net.ConnectException; node node-2: java.net.ConnectException;"
                + " node node-3: java.net.ConnectException; and 497 more node(s)");
  }

  /** A loopback port nothing listens on: connections are refused at once. */
  private static int closedPort() throws java.io.IOException {
    try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** A clock the test moves, so the recheck interval passes without waiting for it. */
  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /**
   * One node, node-1 on loopback, whose kube-proxy metrics page is {@code page}; returns the
   * metricsUrlTemplate that reads it.
   */
  private String serveNodeMetrics(AtomicReference<String> page) throws java.io.IOException {
    nodeMetrics = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    nodeMetrics.createContext(
        "/metrics",
        exchange -> {
          byte[] body = page.get().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    nodeMetrics.start();
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName("node-1")
                .endMetadata()
                .withNewStatus()
                .addNewAddress()
                .withType("InternalIP")
                .withAddress("127.0.0.1")
                .endAddress()
                .endStatus()
                .build())
        .create();
    return "http://{nodeIP}:" + nodeMetrics.getAddress().getPort() + "/metrics";
  }

  private static Instant middle(Instant a, Instant b) {
    return a.plus(Duration.between(a, b).dividedBy(2));
  }

  /** Cumulative buckets le=0.5, le=1, le=2 (and +Inf = le=2). */
  static String kubeProxyPage(int upToHalf, int upToOne, int upToTwo) {
    return """
        kubeproxy_network_programming_duration_seconds_bucket{le="0.5"} %d
        kubeproxy_network_programming_duration_seconds_bucket{le="1"} %d
        kubeproxy_network_programming_duration_seconds_bucket{le="2"} %d
        kubeproxy_network_programming_duration_seconds_bucket{le="+Inf"} %d
        kubeproxy_network_programming_duration_seconds_sum 12.5
        kubeproxy_network_programming_duration_seconds_count %d
        """
        .formatted(upToHalf, upToOne, upToTwo, upToTwo, upToTwo);
  }

  private RolloutObserver observer() {
    return observer(Clock.systemUTC());
  }

  private RolloutObserver observer(Clock time) {
    return new RolloutObserver(
        client, meters, (sr, reason, message) -> warnings.add(reason + ": " + message), time, http);
  }

  /** One reconcile: observe, then store the status as the API would (a JSON round trip). */
  private static SafeRolloutStatus step(
      RolloutObserver observer, SafeRollout sr, Deployment d, SafeRolloutStatus previous) {
    SafeRolloutStatus next = new SafeRolloutStatus();
    observer.observe(sr, policy(sr), List.of(d), previous).writeTo(next);
    return Serialization.unmarshal(Serialization.asJson(next), SafeRolloutStatus.class);
  }

  /** Plain fabric8 informers feeding the observer's clock, as its JOSDK event sources do. */
  private void watch(RolloutObserver observer) {
    EndpointRemovalClock clock = observer.clock();
    SharedIndexInformer<Pod> pods =
        client
            .pods()
            .inNamespace(NS)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod p) {
                    clock.podChanged(p, Instant.now());
                  }

                  @Override
                  public void onUpdate(Pod o, Pod p) {
                    clock.podChanged(p, Instant.now());
                  }

                  @Override
                  public void onDelete(Pod p, boolean unknown) {
                    clock.podDeleted(p, Instant.now());
                  }
                });
    AtomicReference<SharedIndexInformer<EndpointSlice>> slices = new AtomicReference<>();
    slices.set(
        client
            .resources(EndpointSlice.class)
            .inNamespace(NS)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(EndpointSlice s) {
                    clock.sliceChanged(
                        null,
                        s,
                        slices.get() == null ? List.of() : slices.get().getStore().list(),
                        Instant.now());
                  }

                  @Override
                  public void onUpdate(EndpointSlice o, EndpointSlice s) {
                    clock.sliceChanged(o, s, slices.get().getStore().list(), Instant.now());
                  }

                  @Override
                  public void onDelete(EndpointSlice s, boolean unknown) {
                    clock.sliceChanged(s, null, slices.get().getStore().list(), Instant.now());
                  }
                }));
    informers.add(pods);
    informers.add(slices.get());
  }

  private void closeInformers() throws Exception {
    for (AutoCloseable i : informers) {
      i.close();
    }
    informers.clear();
  }

  private void removeEndpoint(RolloutObserver observer, String pod, String slice)
      throws InterruptedException {
    client.pods().inNamespace(NS).withName(pod).delete();
    Thread.sleep(50);
    client.resource(slice(slice, pod, false)).update();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                observer.clock().removals(NS, "web", Instant.EPOCH).stream()
                    .anyMatch(r -> r.pod().equals(pod)));
  }

  /**
   * The kubelet's last word: the finalizer holding the terminating pod goes, and the pod with it.
   */
  private void finalizePod(String name) {
    client
        .pods()
        .inNamespace(NS)
        .withName(name)
        .edit(p -> new PodBuilder(p).editMetadata().withFinalizers().endMetadata().build());
  }

  private static SafeRollout safeRollout() {
    SafeRollout sr = new SafeRollout();
    sr.getMetadata().setName("web");
    sr.getMetadata().setNamespace(NS);
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.byName("web"));
    sr.setSpec(spec);
    return sr;
  }

  private static Pod pod(String name, String hash, int preStopSeconds) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .withLabels(Map.of("app", "web", "pod-template-hash", hash))
        .addNewOwnerReference()
        .withApiVersion("apps/v1")
        .withKind("ReplicaSet")
        .withName("web-" + hash)
        .withUid("rs-" + hash)
        .withController(true)
        .endOwnerReference()
        // Holds the pod in Terminating after DELETE, as a real API server does during the grace
        // period.
        .withFinalizers("test.saferollout.io/graceful")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("web")
        .withImage("example/web:1")
        .withNewLifecycle()
        .withNewPreStop()
        .withNewSleep()
        .withSeconds((long) preStopSeconds)
        .endSleep()
        .endPreStop()
        .endLifecycle()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }

  /** The API server assigns the uid; EndpointSlices name pods by it. */
  private EndpointSlice slice(String name, String pod, boolean ready) {
    String uid = client.pods().inNamespace(NS).withName(pod).get().getMetadata().getUid();
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .withLabels(Map.of("kubernetes.io/service-name", name))
        .endMetadata()
        .withAddressType("IPv4")
        .withEndpoints(
            new EndpointBuilder()
                .withAddresses("10.0.0.1")
                .withNewConditions()
                .withReady(ready)
                .withServing(true)
                .withTerminating(!ready)
                .endConditions()
                .withTargetRef(
                    new ObjectReferenceBuilder()
                        .withKind("Pod")
                        .withNamespace(NS)
                        .withName(pod)
                        .withUid(uid)
                        .build())
                .build())
        .build();
  }

  /** Revision 2 rolling out: none of its 2 replicas updated yet. */
  private static Deployment rolling() {
    return deployment(0);
  }

  private static Deployment complete() {
    return deployment(2);
  }

  private static Deployment deployment(int updated) {
    return deployment(updated, 2, 2, "2");
  }

  private static Deployment deployment(
      int updated, long generation, long observed, String revision) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("web")
        .withNamespace(NS)
        .withGeneration(generation)
        .withAnnotations(Map.of(RolloutObserver.REVISION, revision))
        .endMetadata()
        .withNewSpec()
        .withReplicas(2)
        .withSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "web")).build())
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", "web"))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("web")
        .withImage("example/web:2")
        .withPorts(new ContainerPortBuilder().withContainerPort(8080).build())
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(observed)
        .withReplicas(2)
        .withUpdatedReplicas(updated)
        .withAvailableReplicas(updated)
        .withReadyReplicas(2)
        .endStatus()
        .build();
  }

  private static PreStopPolicy policy(SafeRollout sr) {
    return SpecParser.preStop(sr.getSpec().getPreStop()).value().orElseThrow();
  }
}
