package io.saferollout.lab.controlplane;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.Utils;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane on loopback, built from source by {@code controlplane/build.sh}:
 * etcd and kube-apiserver started by kube-api-test in its offline mode, and beside them, when asked
 * for, kube-controller-manager (the controllers in {@link #CONTROLLERS}) and kube-scheduler, each
 * with its own kubeconfig. This class is the one place that says how the pieces start.
 *
 * <p>Everything listens on 127.0.0.1. Each instance has its own etcd, certificates and working
 * directory (removed at close), and {@link #close()} stops every process it started; a JVM shutdown
 * hook does the same if the caller never closes it.
 *
 * <pre>{@code
 * try (ControlPlane cp = ControlPlane.start(EnumSet.allOf(ControlPlane.Component.class));
 *      KubernetesClient admin = cp.newAdminClient()) {
 *   ...
 * }
 * }</pre>
 */
public final class ControlPlane implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

  /**
   * The controllers a rollout needs on a real cluster: Deployments make ReplicaSets, ReplicaSets
   * make pods, EndpointSlices follow pod readiness, PodDisruptionBudgets gate evictions, owners'
   * deletions cascade, and namespaces can be deleted. No node lifecycle controller: the lab's
   * kubelet is the only judge of its nodes, so nothing taints or evicts them behind its back.
   */
  public static final List<String> CONTROLLERS =
      List.of(
          "deployment-controller",
          "replicaset-controller",
          "endpointslice-controller",
          "disruption-controller",
          "garbage-collector-controller",
          "namespace-controller");

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

  /** The parts beside etcd and kube-apiserver, which always run. */
  public enum Component {
    CONTROLLER_MANAGER,
    SCHEDULER
  }

  private final KubernetesBinaries binaries;
  private final Path workDir;
  private final KubeAPIServer apiServer;
  private final List<ComponentProcess> components = new ArrayList<>();
  private final String kubeconfig;
  private final List<ProcessHandle> processes = new ArrayList<>();
  private final Thread shutdownHook;
  private boolean closed;

  private ControlPlane(KubernetesBinaries binaries, Path workDir, Set<Component> wanted) {
    this.binaries = binaries;
    this.workDir = workDir;
    Set<Long> before = childPids();
    this.shutdownHook = new Thread(this::stopProcesses, "control-plane-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    this.apiServer =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(workDir.toString())
                .withApiServerVersion(binaries.version())
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withWaitForEtcdHealthCheckOnStartup(true)
                .withStartupTimeout((int) STARTUP_TIMEOUT.toMillis())
                // The defaults listen on every interface; the lab stays on loopback. The API
                // server refuses to publish a loopback address as the kubernetes Service's
                // endpoint, so that Service gets none (nothing here reaches the API through it).
                .withApiServerFlag("--bind-address", "127.0.0.1")
                .withApiServerFlag("--advertise-address", "127.0.0.1")
                .withApiServerFlag("--endpoint-reconciler-type", "none")
                .build());
    try {
      apiServer.start();
      this.kubeconfig = apiServer.getKubeConfigYaml();
      write(workDir.resolve("admin.kubeconfig"), kubeconfig);
      if (wanted.contains(Component.CONTROLLER_MANAGER)) {
        startComponent("kube-controller-manager", controllerManagerFlags());
      }
      if (wanted.contains(Component.SCHEDULER)) {
        startComponent("kube-scheduler", schedulerFlags());
      }
      processes.addAll(
          ProcessHandle.current()
              .children()
              .filter(p -> !before.contains(p.pid()))
              .collect(Collectors.toList()));
      LOG.info(
          "Kubernetes {} control plane serving at {} ({} processes: {})",
          binaries.version(),
          adminConfig().getMasterUrl(),
          processes.size(),
          components.stream().map(ComponentProcess::name).collect(Collectors.joining(", ")));
    } catch (RuntimeException e) {
      processes.addAll(
          ProcessHandle.current()
              .children()
              .filter(p -> !before.contains(p.pid()))
              .collect(Collectors.toList()));
      close();
      throw e;
    }
  }

  /**
   * Starts a control plane with etcd, kube-apiserver and the given components.
   *
   * @throws ControlPlaneUnavailableException when the binaries are not built (the message says how
   *     to build them)
   */
  public static ControlPlane start(Set<Component> components) {
    KubernetesBinaries.Lookup lookup = KubernetesBinaries.locate();
    KubernetesBinaries binaries =
        lookup.binaries().orElseThrow(() -> new ControlPlaneUnavailableException(lookup.problem()));
    Path workDir;
    try {
      workDir = Files.createTempDirectory("saferollout-control-plane-");
      layOutBinaries(binaries, workDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the control plane's working directory", e);
    }
    return new ControlPlane(
        binaries,
        workDir,
        components.isEmpty() ? EnumSet.noneOf(Component.class) : EnumSet.copyOf(components));
  }

  /** etcd and kube-apiserver only: enough for the CRD, RBAC and ownership. */
  public static ControlPlane apiOnly() {
    return start(Set.of());
  }

  /**
   * kube-api-test reads {@code <dir>/k8s/<version><platform>/}: the working directory gets links to
   * the cached binaries, except etcd. kube-api-test 7.6.1 starts etcd with its client URLs on
   * 0.0.0.0 (every interface), and its flags cannot be changed; a two-line wrapper puts them on
   * 127.0.0.1 and execs the real etcd, which keeps the wrapper's process id. kube-apiserver still
   * dials 0.0.0.0, which Linux connects to the local host.
   */
  private static void layOutBinaries(KubernetesBinaries binaries, Path workDir) throws IOException {
    Path dir =
        Files.createDirectories(
            workDir
                .resolve("k8s")
                .resolve(binaries.version() + KubernetesBinaries.platformSuffix()));
    for (String command : List.of("kube-apiserver", "kubectl")) {
      Files.createSymbolicLink(dir.resolve(command), binaries.binary(command));
    }
    Path etcd = dir.resolve("etcd");
    write(
        etcd,
        "#!/bin/sh\n"
            + "# Written by the lab's ControlPlane: etcd on loopback only (see ControlPlane).\n"
            + "for a in \"$@\"; do shift; set -- \"$@\" \"$(printf '%s' \"$a\" | sed"
            + " 's#//0\\.0\\.0\\.0:#//127.0.0.1:#')\"; done\n"
            + "exec '"
            + binaries.binary("etcd")
            + "' \"$@\"\n");
    Files.setPosixFilePermissions(etcd, PosixFilePermissions.fromString("rwx------"));
  }

  private List<String> controllerManagerFlags() {
    List<String> flags = new ArrayList<>(commonFlags("controller-manager"));
    flags.addAll(
        List.of(
            "--controllers=" + String.join(",", CONTROLLERS),
            "--use-service-account-credentials=false",
            // Our kubelet reports pods in a non-loopback range the lab maps to loopback (see the
            // lab's real cluster); nothing here allocates node CIDRs.
            "--allocate-node-cidrs=false"));
    return flags;
  }

  private List<String> schedulerFlags() {
    return commonFlags("scheduler");
  }

  /** What the controller-manager and the scheduler share: own kubeconfig, loopback, no election. */
  private List<String> commonFlags(String component) {
    Path kubeconfigFile = workDir.resolve(component + ".kubeconfig");
    write(kubeconfigFile, kubeconfig);
    return List.of(
        "--kubeconfig=" + kubeconfigFile,
        "--authentication-kubeconfig=" + kubeconfigFile,
        "--authorization-kubeconfig=" + kubeconfigFile,
        // The API server has no front-proxy CA to publish; without this the component logs
        // every few seconds that the bundle is missing.
        "--authentication-skip-lookup=true",
        "--bind-address=127.0.0.1",
        "--secure-port=" + Utils.findFreePort(),
        "--cert-dir=" + workDir.resolve(component),
        "--leader-elect=false",
        "--v=1");
  }

  private void startComponent(String name, List<String> flags) {
    ComponentProcess component =
        ComponentProcess.start(name, binaries.binary(name), flags, workDir);
    components.add(component);
    String port =
        flags.stream()
            .filter(f -> f.startsWith("--secure-port="))
            .findFirst()
            .orElseThrow()
            .substring("--secure-port=".length());
    awaitHealthy(component, URI.create("https://127.0.0.1:" + port + "/healthz"));
  }

  /**
   * Polls the component's /healthz (always allowed without credentials) until it answers "ok";
   * fails with the component's last output if it exits or the timeout passes.
   */
  private static void awaitHealthy(ComponentProcess component, URI healthz) {
    HttpClient http =
        HttpClient.newBuilder()
            .sslContext(trustingLoopbackOnly())
            // Over HTTP/2 the components answer a health check with GOAWAY.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    HttpRequest request = HttpRequest.newBuilder(healthz).timeout(Duration.ofSeconds(5)).build();
    Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
    String last = "no answer yet";
    while (Instant.now().isBefore(deadline)) {
      if (!component.isAlive()) {
        throw new IllegalStateException(
            component.name()
                + " exited while starting; its last output:\n"
                + component.lastOutput());
      }
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        last = response.statusCode() + " " + response.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + component.name(), e);
      }
      sleep(Duration.ofMillis(200));
    }
    throw new IllegalStateException(
        component.name()
            + " did not become healthy within "
            + STARTUP_TIMEOUT.toSeconds()
            + " s (last: "
            + last
            + "); its last output:\n"
            + component.lastOutput());
  }

  /**
   * The components serve /healthz with a certificate they made themselves at start; the request
   * goes to 127.0.0.1 only and carries nothing secret.
   */
  private static SSLContext trustingLoopbackOnly() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          null,
          new TrustManager[] {
            new X509TrustManager() {
              @Override
              public void checkClientTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public void checkServerTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
              }
            }
          },
          new SecureRandom());
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("no TLS context", e);
    }
  }

  /** The cluster admin's client configuration (a client certificate in system:masters). */
  public Config adminConfig() {
    return Config.fromKubeconfig(kubeconfig);
  }

  /** A new admin client; the caller closes it. */
  public KubernetesClient newAdminClient() {
    return new KubernetesClientBuilder().withConfig(adminConfig()).build();
  }

  /** The admin kubeconfig, for kubectl and other tools. */
  public Path adminKubeconfig() {
    return workDir.resolve("admin.kubeconfig");
  }

  public KubernetesBinaries binaries() {
    return binaries;
  }

  public String version() {
    return binaries.version();
  }

  /** The processes this control plane started (etcd, kube-apiserver, the components). */
  public List<ProcessHandle> processes() {
    return List.copyOf(processes);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopProcesses();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down, and the hook runs anyway.
    }
    deleteRecursively(workDir);
  }

  private synchronized void stopProcesses() {
    // The components first: they would log connection errors while the API server goes away.
    for (ComponentProcess component : components) {
      component.stop(Duration.ofSeconds(10));
    }
    try {
      apiServer.stop();
    } catch (RuntimeException e) {
      LOG.warn("stopping the API server and etcd: {}", e.toString());
    }
    for (ProcessHandle process : processes) {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }

  private static Set<Long> childPids() {
    return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
  }

  private static void write(Path file, String content) {
    try {
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("could not remove the control plane's working directory {}: {}", dir, e.toString());
    }
  }
}
