package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.saferollout.lab.cluster.apiserver.LabApiServer;
import io.saferollout.lab.controlplane.ControlPlane;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.logging.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for a Kubernetes cluster, for tests, benchmarks and {@code saferollout demo}: a
 * real Kubernetes API over HTTP on loopback (fabric8's mock API server in CRUD mode, with
 * server-side apply, managedFields and pod eviction added by {@link LabApiServer}) with simulated
 * Deployment, ReplicaSet and EndpointSlice controllers and one kubelet whose containers run in the
 * given {@link ContainerRuntime}. Not a Kubernetes replacement: a test harness.
 *
 * <p>On {@link ControlPlaneKind#REAL} the API server and the controllers are the real ones (a
 * {@link ControlPlane} of its own, stopped with the cluster), with the real scheduler; the lab's
 * kubelet registers the {@link Builder#nodes nodes}, keeps their Leases fresh, runs the pods bound
 * to them and reports their IPs through {@link PodAddresses#benchmarking}.
 *
 * <pre>{@code
 * try (LabCluster lab = LabCluster.builder().serverVersion("1.33").runtime(runtime).start();
 *      KubernetesClient client = lab.newClient()) {
 *     client.apps().deployments().inNamespace("demo").resource(deployment).create();
 * }
 * }</pre>
 */
public final class LabCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LabCluster.class);

  /**
   * The mock API server logs every request at INFO through java.util.logging. Held strongly:
   * java.util.logging forgets the level of a logger nobody references.
   */
  private static final List<java.util.logging.Logger> QUIET_LOGGERS =
      List.of(
          java.util.logging.Logger.getLogger("io.fabric8.mockwebserver"),
          java.util.logging.Logger.getLogger("io.fabric8.kubernetes.client.server.mock"));

  private final SimulatedVersion version;
  private final ControlPlaneKind kind;

  /** The simulated API server, or null on the real control plane. */
  private final KubernetesMockServer server;

  /** The real control plane, or null on the simulated one. */
  private final ControlPlane controlPlane;

  private final PodAddresses podAddresses;
  private final KubernetesClient controllerClient;
  private final SharedInformers informers;
  private final List<AutoCloseable> controllers = new ArrayList<>();
  private final List<KubernetesClient> handedOut = new ArrayList<>();
  private final LoopbackRange network;

  /** Whether this cluster claimed its range itself (and so releases it). */
  private final boolean ownsNetwork;

  private boolean closed;

  private LabCluster(Builder b) {
    QUIET_LOGGERS.forEach(logger -> logger.setLevel(Level.WARNING));
    this.kind = b.controlPlane;
    this.ownsNetwork = b.network == null;
    this.network = ownsNetwork ? LoopbackRange.claim(b.podNetwork) : b.network;
    try {
      if (kind == ControlPlaneKind.REAL) {
        this.server = null;
        this.controlPlane = ControlPlane.start(EnumSet.allOf(ControlPlane.Component.class));
        this.version = SimulatedVersion.parse(controlPlane.version());
        this.podAddresses = PodAddresses.benchmarking(network.secondOctet());
      } else {
        this.controlPlane = null;
        this.version = b.version;
        this.podAddresses = PodAddresses.identity();
        this.server = simulatedApiServer(version, b.defaulting);
      }
    } catch (RuntimeException e) {
      if (ownsNetwork) {
        network.close();
      }
      throw e;
    }
    try {
      this.controllerClient =
          controlPlane == null ? server.createClient() : controlPlane.newAdminClient();
      this.informers = new SharedInformers(controllerClient);
      LabEvents events = guarded(b.events);
      if (kind == ControlPlaneKind.REAL) {
        startOnRealControlPlane(b, events);
      } else {
        startSimulated(b, events);
      }
      informers.start();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    LOG.info(
        "lab cluster ({} control plane, Kubernetes {}) serving at {}",
        kind.id(),
        kind == ControlPlaneKind.REAL ? controlPlane.version() : version,
        apiServerUrl());
  }

  private static KubernetesMockServer simulatedApiServer(
      SimulatedVersion version, LabApiServer.Defaulting defaulting) {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    // The mixed dispatcher answers fixed expectations first (the server registers /version
    // from the VersionInfo) and hands everything else to the CRUD store; LabApiServer adds
    // server-side apply, managedFields and pod eviction in front of both.
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            expectations,
            new LabApiServer(new KubernetesMixedDispatcher(expectations), defaulting),
            false,
            version.toVersionInfo());
    try {
      server.init(InetAddress.getByName("127.0.0.1"), 0);
    } catch (UnknownHostException e) {
      throw new UncheckedIOException(e);
    }
    grantEverything(server);
    return server;
  }

  private void startSimulated(Builder b, LabEvents events) {
    Kubelet kubelet =
        new Kubelet(
            controllerClient,
            informers,
            b.runtime,
            events,
            version,
            network.pods(),
            b.containerStartDelay);
    DeploymentController deployments = new DeploymentController(controllerClient, informers);
    ReplicaSetController replicaSets =
        new ReplicaSetController(controllerClient, informers, events, b.seed);
    EndpointSliceController endpointSlices =
        new EndpointSliceController(controllerClient, informers, events);
    // Closed in this order: the kubelet first, so pod processes stop before anything else.
    controllers.addAll(List.of(kubelet, deployments, replicaSets, endpointSlices));
    kubelet.start();
    deployments.start();
    replicaSets.start();
    endpointSlices.start();
  }

  /**
   * Only the kubelet is the lab's: the real controllers and scheduler run in the control plane. The
   * nodes are registered before the kubelet watches, so the scheduler has somewhere to bind.
   */
  private void startOnRealControlPlane(Builder b, LabEvents events) {
    Map<String, String> nodes = new LinkedHashMap<>();
    List<String> addresses =
        b.nodeAddresses.isEmpty() ? List.of(network.nodeAddress(0)) : b.nodeAddresses;
    for (int i = 0; i < addresses.size(); i++) {
      nodes.put(LabNodes.name(i), addresses.get(i));
    }
    NodeHeartbeat heartbeat =
        new NodeHeartbeat(controllerClient, nodes, "v" + controlPlane.version());
    Kubelet kubelet =
        new Kubelet(
            controllerClient,
            informers,
            b.runtime,
            events,
            version,
            network.pods(),
            b.containerStartDelay,
            CrashLoopBackOff.KUBELET_DEFAULT,
            new KubeletScope(ControlPlaneKind.REAL, nodes, podAddresses));
    controllers.addAll(List.of(kubelet, heartbeat));
    heartbeat.start();
    new RealControllerEvents(events).register(informers);
    kubelet.start();
  }

  /**
   * The lab's user is a cluster admin, as on a local kind or k3s cluster: a SelfSubjectRulesReview
   * (which the operator's leader election asks before it competes for a Lease) answers that every
   * verb on every resource is allowed. The CRUD store cannot answer it, since a review is computed.
   */
  private static void grantEverything(KubernetesMockServer server) {
    SelfSubjectRulesReview everything =
        new SelfSubjectRulesReviewBuilder()
            .withNewMetadata()
            .endMetadata()
            .withNewStatus()
            .addNewResourceRule()
            .withApiGroups("*")
            .withResources("*")
            .withVerbs("*")
            .endResourceRule()
            .addNewNonResourceRule()
            .withNonResourceURLs("*")
            .withVerbs("*")
            .endNonResourceRule()
            .withIncomplete(false)
            .endStatus()
            .build();
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, everything)
        .always();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A new client of the lab's API server; closed with the cluster if the caller has not. */
  public synchronized KubernetesClient newClient() {
    if (closed) {
      throw new IllegalStateException("the lab cluster is closed");
    }
    KubernetesClient client =
        controlPlane == null ? server.createClient() : controlPlane.newAdminClient();
    handedOut.add(client);
    return client;
  }

  public String apiServerUrl() {
    return controlPlane == null ? server.url("/") : controlPlane.adminConfig().getMasterUrl();
  }

  /** The Kubernetes release whose pod features the kubelet follows (the real one's on REAL). */
  public SimulatedVersion serverVersion() {
    return version;
  }

  public ControlPlaneKind controlPlaneKind() {
    return kind;
  }

  /**
   * The version the API server reports: the real release (e.g. "v1.37.2") on REAL, the simulated
   * one's gitVersion otherwise.
   */
  public String reportedVersion() {
    return controlPlane == null ? "v" + version + ".0" : "v" + controlPlane.version();
  }

  /** How pod IPs shown by the API map to the loopback addresses pods listen on. */
  public PodAddresses podAddresses() {
    return podAddresses;
  }

  /** The processes of the real control plane (none on the simulated one). */
  public List<ProcessHandle> processes() {
    return controlPlane == null ? List.of() : controlPlane.processes();
  }

  /** The loopback range the pods' addresses come from. */
  public LoopbackRange network() {
    return network;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AutoCloseable controller : controllers) {
      closeQuietly(controller);
    }
    if (informers != null) {
      closeQuietly(informers);
    }
    handedOut.forEach(LabCluster::closeQuietly);
    if (controllerClient != null) {
      closeQuietly(controllerClient);
    }
    if (server != null) {
      server.destroy();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    if (ownsNetwork) {
      network.close();
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("error while stopping {}: {}", closeable.getClass().getSimpleName(), e.toString());
    }
  }

  /** A listener that throws must not break the controller that told it something. */
  private static LabEvents guarded(LabEvents listener) {
    return event -> {
      try {
        listener.record(event);
      } catch (RuntimeException e) {
        LOG.warn("lab event listener failed on {}: {}", event.kind(), e.toString());
      }
    };
  }

  public static final class Builder {
    private SimulatedVersion version = SimulatedVersion.parse("1.33");
    private ContainerRuntime runtime;
    private LabEvents events = LabEvents.NONE;
    private int podNetwork = 1;
    private LoopbackRange network;
    private Duration containerStartDelay = Duration.ZERO;
    private long seed = 1;
    private LabApiServer.Defaulting defaulting = LabApiServer.Defaulting.NONE;
    private ControlPlaneKind controlPlane = ControlPlaneKind.SIMULATED;
    private List<String> nodeAddresses = List.of();

    private Builder() {}

    /**
     * The simulated control plane (the default) or the real one, which needs the binaries of {@code
     * controlplane/build.sh} and ignores {@link #serverVersion} and {@link #defaulting}.
     */
    public Builder controlPlane(ControlPlaneKind kind) {
      this.controlPlane = Objects.requireNonNull(kind, "kind");
      return this;
    }

    /**
     * On the real control plane, the nodes the kubelet registers, {@code lab-node-i} at the i-th
     * address (one node at the range's first node address unless set). The simulated control plane
     * leaves Node objects to its caller.
     */
    public Builder nodes(List<String> internalIps) {
      this.nodeAddresses = List.copyOf(internalIps);
      return this;
    }

    /** The Kubernetes version to report and whose pod features to enable, e.g. "1.28". */
    public Builder serverVersion(String version) {
      this.version = SimulatedVersion.parse(version);
      return this;
    }

    public Builder runtime(ContainerRuntime runtime) {
      this.runtime = Objects.requireNonNull(runtime, "runtime");
      return this;
    }

    public Builder events(LabEvents events) {
      this.events = Objects.requireNonNull(events, "events");
      return this;
    }

    /**
     * Pod IPs come from the first free {@link LoopbackRange} from 127.{secondOctet}.0.0/16 on (1
     * unless set), claimed at start and released at close.
     */
    public Builder podNetwork(int secondOctet) {
      if (secondOctet < 1 || secondOctet > 255) {
        throw new IllegalArgumentException(
            "pod network 127."
                + secondOctet
                + ".0.0/16 is not usable: the second octet must be between 1 and 255 (127.0.0.x is reserved)");
      }
      this.podNetwork = secondOctet;
      return this;
    }

    /** Pod IPs come from a range the caller claimed (and releases after closing the cluster). */
    public Builder network(LoopbackRange range) {
      this.network = Objects.requireNonNull(range, "range");
      return this;
    }

    /** Time between a pod's admission and its first container start (sandbox, image pull). */
    public Builder containerStartDelay(Duration delay) {
      if (delay.isNegative()) {
        throw new IllegalArgumentException(
            "containerStartDelay must not be negative, got " + delay);
      }
      this.containerStartDelay = delay;
      return this;
    }

    /** Seeds the random parts of generated names, so runs are repeatable. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Whether the API defaults Deployments as a real API server does (then Update managers own the
     * defaults they caused, as on a real cluster); NONE unless set.
     */
    public Builder defaulting(LabApiServer.Defaulting defaulting) {
      this.defaulting = Objects.requireNonNull(defaulting, "defaulting");
      return this;
    }

    public LabCluster start() {
      if (runtime == null) {
        throw new IllegalStateException(
            "a ContainerRuntime is required: call runtime(...) before start()");
      }
      if (controlPlane == ControlPlaneKind.REAL && defaulting != LabApiServer.Defaulting.NONE) {
        throw new IllegalStateException(
            "defaulting("
                + defaulting
                + ") is the simulated API server's; the real one always"
                + " defaults as Kubernetes does: leave it unset with controlPlane(REAL)");
      }
      return new LabCluster(this);
    }
  }
}
