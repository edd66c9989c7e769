package io.saferollout.lab;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.SafeRollout;
import io.saferollout.lab.cluster.ControlPlaneKind;
import io.saferollout.lab.cluster.LabCluster;
import io.saferollout.lab.cluster.LabNodes;
import io.saferollout.lab.cluster.LabTimeline;
import io.saferollout.lab.cluster.LoopbackRange;
import io.saferollout.lab.dataplane.EndpointSetApplied;
import io.saferollout.lab.dataplane.NodeSeeds;
import io.saferollout.lab.dataplane.ProxySettings;
import io.saferollout.operator.OperatorSettings;
import io.saferollout.operator.SafeRolloutOperator;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One complete rollout lab: a {@link LabCluster} whose pods run real {@link PodAppRuntime} servers,
 * a Service, the {@link DataPlane} of several nodes in front of it, and on request the SafeRollout
 * operator running in process against the lab's API. Tests, benchmarks and {@code saferollout demo}
 * build their runs on it.
 *
 * <pre>{@code
 * try (Lab lab = Lab.start(LabSettings.defaults())) {
 *     lab.deploy(LabWorkload.articleDefaults());
 *     lab.harden(LabWorkload.articleDefaults());   // optional
 *     ... send load to lab.serviceUrls() ...
 * }
 * }</pre>
 */
public final class Lab implements AutoCloseable {

  public static final String NAMESPACE = "demo";

  /** Shipped in the jar; a test keeps it equal to crd/, which is generated from the Java model. */
  static final String CRD_RESOURCE = "saferollouts.saferollout.io-v1.yml";

  private static final Logger LOG = LoggerFactory.getLogger(Lab.class);

  private final LabSettings settings;
  private final Vertx vertx;
  private final LabTimeline timeline = new LabTimeline();

  /** Written from the proxies' event loops; its own lock so they never wait on the lab's. */
  private final List<EndpointSetApplied> endpointHistory =
      java.util.Collections.synchronizedList(new ArrayList<>());

  private LoopbackRange network;
  private LabCluster cluster;
  private KubernetesClient client;
  private DataPlane dataPlane;
  private SafeRolloutOperator operator;
  private KubernetesClient operatorClient;
  private boolean serviceCreated;

  private Lab(LabSettings settings) {
    this.settings = settings;
    // Pods, proxies and the operator's HTTP all share these loops; two per core keeps a
    // burst of new connections from queuing behind a busy one on a small machine.
    this.vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(Math.max(2, 2 * Runtime.getRuntime().availableProcessors()))
                .setWorkerPoolSize(2));
  }

  /**
   * Starts the cluster and the nodes' proxies (which know no endpoints until {@link #deploy}).
   *
   * @throws IllegalArgumentException for settings the lab cannot use
   * @throws IllegalStateException when a proxy cannot listen (port in use, address not local)
   */
  public static Lab start(LabSettings settings) {
    if (settings.controlPlane() == ControlPlaneKind.REAL
        && settings.network().kubeletVersion() != null) {
      throw new IllegalArgumentException(
          "the nodes' kubelet version "
              + settings.network().kubeletVersion()
              + " cannot be set on the real control plane: its kubelet reports the control plane's"
              + " release, as a kubelet of the same build would");
    }
    Lab lab = new Lab(settings);
    try {
      lab.network = LoopbackRange.claim(settings.podNetwork());
      lab.cluster =
          LabCluster.builder()
              .controlPlane(settings.controlPlane())
              .serverVersion(settings.serverVersion())
              .runtime(new PodAppRuntime(lab.vertx, settings.seed()))
              .events(lab.timeline)
              .network(lab.network)
              .nodes(nodeAddresses(settings, lab.network))
              .seed(settings.seed())
              .start();
      lab.client = lab.cluster.newClient();
      lab.dataPlane = DataPlane.start(lab.vertx, nodes(settings, lab.network), lab::applied);
      if (settings.controlPlane() == ControlPlaneKind.REAL) {
        // The kubelet registered the nodes; a real API server wants the namespace to exist.
        lab.client
            .namespaces()
            .resource(
                new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
            .create();
      } else {
        LabNodes.register(
            lab.client, nodeAddresses(settings, lab.network), settings.kubeletVersion());
      }
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  public LabSettings settings() {
    return settings;
  }

  /** The lab's own client (closed with the lab). */
  public KubernetesClient client() {
    return client;
  }

  /**
   * A new client of the lab's API, for components that own one (closed with the lab at the latest).
   */
  public KubernetesClient newClient() {
    return cluster.newClient();
  }

  public ControlPlaneKind controlPlaneKind() {
    return cluster.controlPlaneKind();
  }

  /** The version the lab's API server reports, e.g. "v1.37.2" on the real control plane. */
  public String controlPlaneVersion() {
    return cluster.reportedVersion();
  }

  /** The real control plane's processes (none on the simulated one). */
  public List<ProcessHandle> controlPlaneProcesses() {
    return cluster.processes();
  }

  public LabTimeline timeline() {
    return timeline;
  }

  /** Every endpoint set any proxy started using, in the order they were applied. */
  public List<EndpointSetApplied> endpointHistory() {
    synchronized (endpointHistory) {
      return List.copyOf(endpointHistory);
    }
  }

  /** The Service's address on each node: where clients send. */
  public List<URI> serviceUrls() {
    return dataPlane.urls();
  }

  public DataPlane dataPlane() {
    return dataPlane;
  }

  /**
   * Creates the workload's Service (the proxies follow its EndpointSlices from then on), then its
   * Deployment.
   */
  public synchronized void deploy(LabWorkload workload) {
    if (!serviceCreated) {
      client.services().inNamespace(NAMESPACE).resource(workload.service(NAMESPACE)).create();
      serviceCreated = true;
      dataPlane.follow(client, NAMESPACE, workload.name(), cluster.podAddresses());
    }
    client
        .apps()
        .deployments()
        .inNamespace(NAMESPACE)
        .resource(workload.deployment(NAMESPACE))
        .create();
  }

  /** The loopback range pods and nodes take their addresses from, claimed for the lab's life. */
  public LoopbackRange network() {
    return network;
  }

  /**
   * Node i's address (its Node's InternalIP, where its metrics listen): 127.N.0.10 + i of the lab's
   * range.
   */
  private static List<String> nodeAddresses(LabSettings settings, LoopbackRange range) {
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < settings.proxies(); i++) {
      addresses.add(range.nodeAddress(i));
    }
    return addresses;
  }

  private static List<DataPlane.Node> nodes(LabSettings settings, LoopbackRange range) {
    List<DataPlane.Node> nodes = new ArrayList<>();
    List<String> addresses = nodeAddresses(settings, range);
    for (int i = 0; i < settings.proxies(); i++) {
      LabSettings.NodeNetwork node = settings.network().nodes().get(i);
      int port = settings.firstProxyPort() == 0 ? 0 : settings.firstProxyPort() + i;
      String host = settings.proxyHost() == null ? addresses.get(i) : settings.proxyHost();
      ProxySettings proxy =
          ProxySettings.of(LabNodes.name(i), host, port)
              .withPropagation(node.propagation(), NodeSeeds.seedOf(settings.seed(), i))
              .withRetries(settings.network().ingressRetries())
              // The lab's requests take milliseconds; a pod that swallows one for 10 s is a fault
              // to count.
              .withUpstreamTimeout(Duration.ofSeconds(10));
      nodes.add(
          new DataPlane.Node(
              node.kind(), proxy, addresses.get(i), settings.network().metricsPort()));
    }
    return nodes;
  }

  /**
   * Starts the SafeRollout operator against the lab's API (installing the CRD first, as on a
   * cluster) and creates the workload's SafeRollout.
   */
  public synchronized void harden(LabWorkload workload) {
    harden(workload, UnaryOperator.identity());
  }

  /** As {@link #harden(LabWorkload)}, with the SafeRollout adjusted before it is created. */
  public synchronized void harden(LabWorkload workload, UnaryOperator<SafeRollout> adjust) {
    if (operator == null) {
      installCrd();
      operatorClient = cluster.newClient();
      operator =
          new SafeRolloutOperator(
              operatorClient, OperatorSettings.singleInstance(), new SimpleMeterRegistry());
      operator.start();
    }
    client
        .resources(SafeRollout.class)
        .inNamespace(NAMESPACE)
        .resource(adjust.apply(workload.safeRollout(NAMESPACE)))
        .create();
  }

  public SafeRollout safeRollout(String name) {
    return client.resources(SafeRollout.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private void installCrd() {
    try (InputStream in = Lab.class.getResourceAsStream(CRD_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the SafeRollout CRD is missing from the classpath (" + CRD_RESOURCE + ")");
      }
      CustomResourceDefinition crd =
          client.apiextensions().v1().customResourceDefinitions().load(in).item();
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      if (cluster.controlPlaneKind() == ControlPlaneKind.REAL) {
        // A real API server serves the new type only once the CRD is Established.
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(crd.getMetadata().getName())
            .waitUntilCondition(
                c ->
                    c != null
                        && c.getStatus() != null
                        // The first status the server writes has no conditions yet.
                        && c.getStatus().getConditions() != null
                        && c.getStatus().getConditions().stream()
                            .anyMatch(
                                k ->
                                    "Established".equals(k.getType())
                                        && "True".equals(k.getStatus())),
                30,
                TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void applied(EndpointSetApplied event) {
    endpointHistory.add(event);
  }

  /**
   * Stops, in order, the operator, the proxies, the cluster (which stops every pod) and the event
   * loops.
   */
  @Override
  public void close() {
    if (operator != null) {
      quietly("operator", operator::close);
    }
    if (dataPlane != null) {
      quietly("data plane", dataPlane::close);
    }
    if (cluster != null) {
      quietly("cluster", cluster::close);
    }
    quietly(
        "event loops",
        () -> vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    if (network != null) {
      quietly("loopback range", network::close);
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void quietly(String what, Step step) {
    try {
      step.run();
    } catch (Exception e) {
      LOG.warn("error while stopping the lab's {}: {}", what, e.toString());
    }
  }
}
