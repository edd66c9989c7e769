package io.saferollout.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.Phase;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.TargetRef;
import io.saferollout.cli.SafeRolloutCli;
import io.saferollout.operator.OperatorSettings;
import io.saferollout.operator.SafeRolloutOperator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The product's claim on a real cluster: k3s in Docker, the SafeRollout CRD and operator, a small
 * HTTP app that (like the seed article's) answers 500 while it warms up and dies at once on
 * SIGTERM, and `saferollout verify` sending load through the Service's NodePort (so through
 * kube-proxy, whose endpoint updates are what preStop must outlast) while it restarts the
 * Deployment and kills pods. Without SafeRollout requests fail; with it, none do. Skipped (not
 * passed) where no Docker engine is available; runs in the e2e workflow.
 */
@Tag("k3s")
@Testcontainers(disabledWithoutDocker = true)
class K3sEndToEndTest {
  /** One NodePort per Deployment: a port belongs to one Service. */
  static final Map<String, Integer> NODE_PORTS = Map.of("naive", 30080, "hardened", 30081);

  static final String NS = "e2e";

  @Container
  static final K3sContainer K3S =
      new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"))
          .withExposedPorts(6443, 30080, 30081);

  static KubernetesClient client;
  static SafeRolloutOperator operator;
  static Path kubeconfig;

  @BeforeAll
  static void installOperator() throws Exception {
    kubeconfig = Files.createTempFile("k3s", ".yaml");
    Files.writeString(kubeconfig, K3S.getKubeConfigYaml());
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(K3S.getKubeConfigYaml()))
            .build();
    try (InputStream crd = Files.newInputStream(Path.of("crd", SafeRollout.CRD_NAME + "-v1.yml"))) {
      client.apiextensions().v1().customResourceDefinitions().load(crd).serverSideApply();
    }
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .serverSideApply();
    operator =
        new SafeRolloutOperator(
            client, OperatorSettings.singleInstance(), new SimpleMeterRegistry());
    operator.start();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (client != null) {
      client.close();
    }
  }

  @Test
  void withoutSafeRolloutARolloutWithPodKillsLosesRequests() {
    deploy("naive");
    int exit = verify("naive");
    assertThat(exit).as("verify exits 1 when requests failed").isEqualTo(1);
  }

  @Test
  void underSafeRolloutARolloutWithPodKillsLosesNone() {
    deploy("hardened");
    SafeRollout sr = new SafeRollout();
    sr.getMetadata().setName("hardened");
    sr.getMetadata().setNamespace(NS);
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.byName("hardened"));
    spec.getReadinessProbe().setPath("/healthz");
    spec.getReadinessProbe().setPeriodSeconds(1);
    spec.getPreStop().setDelaySeconds(5);
    spec.setDrainSeconds(2);
    sr.setSpec(spec);
    client.resources(SafeRollout.class).inNamespace(NS).resource(sr).create();
    await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () -> {
              SafeRollout now =
                  client.resources(SafeRollout.class).inNamespace(NS).withName("hardened").get();
              return now.getStatus() != null && now.getStatus().getPhase() == Phase.Hardened;
            });
    awaitRolledOut("hardened");
    assertThat(verify("hardened")).as("verify exits 0 when nothing failed").isZero();
  }

  private int verify(String name) {
    String url = "http://" + K3S.getHost() + ":" + K3S.getMappedPort(NODE_PORTS.get(name)) + "/";
    return SafeRolloutCli.execute(
        "verify",
        "--kubeconfig",
        kubeconfig.toString(),
        "--namespace",
        NS,
        "--deployment",
        name,
        "--url",
        url,
        "--rps",
        "50",
        "--restart",
        "--kills",
        "2",
        "--seed",
        "7");
  }

  /**
   * The article's app: 500 for 3 s after start, /healthz 503 until then, exits at once on SIGTERM.
   *
   * <p>The exit on SIGTERM has to be asked for. The container's command makes python PID 1 of its
   * PID namespace, and Linux delivers no signal to that process unless it has installed a handler
   * for it (pid_namespaces(7): "the only signals that can be sent to the namespace init process are
   * those for which the init process has established a signal handler"; SIGKILL from the kubelet is
   * the exception). Python installs a handler for SIGINT only, so without the line below SIGTERM
   * would be dropped, the pod would serve until SIGKILL at the end of its 30 s grace period, and
   * the naive arm would look far safer than the app the article describes. {@code os._exit} stops
   * every thread at once, cutting requests in flight, with the status a process killed by SIGTERM
   * has (128 + 15), which is what the kubelet then reports.
   */
  private void deploy(String name) {
    String app =
        String.join(
            "\n",
            "import http.server, os, signal, time",
            "signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(128 + signum))",
            "start = time.time()",
            "class H(http.server.BaseHTTPRequestHandler):",
            "    def do_GET(self):",
            "        warm = time.time() - start > 3",
            "        code = (200 if warm else 503) if self.path == '/healthz' else (200 if warm else 500)",
            "        self.send_response(code); self.end_headers(); self.wfile.write(b'ok' if code == 200 else b'warming')",
            "    def log_message(self, *a): pass",
            "http.server.ThreadingHTTPServer(('', 8080), H).serve_forever()");
    Deployment d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .withReplicas(3)
            .withSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", name)).build())
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(Map.of("app", name))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("web")
            .withImage("python:3.12-alpine")
            .withCommand("python", "-u", "-c", app)
            .withPorts(new ContainerPortBuilder().withContainerPort(8080).withName("http").build())
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    client.apps().deployments().inNamespace(NS).resource(d).create();
    client
        .services()
        .inNamespace(NS)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withType("NodePort")
                .withSelector(Map.of("app", name))
                .addNewPort()
                .withPort(80)
                .withTargetPort(new IntOrString(8080))
                .withNodePort(NODE_PORTS.get(name))
                .endPort()
                .endSpec()
                .build())
        .create();
    awaitRolledOut(name);
  }

  private void awaitRolledOut(String name) {
    await()
        .atMost(Duration.ofMinutes(3))
        .until(
            () -> {
              Deployment d = client.apps().deployments().inNamespace(NS).withName(name).get();
              var s = d.getStatus();
              return s != null
                  && s.getObservedGeneration() != null
                  && s.getObservedGeneration() >= d.getMetadata().getGeneration()
                  && s.getUpdatedReplicas() != null
                  && s.getUpdatedReplicas() == 3
                  && s.getAvailableReplicas() != null
                  && s.getAvailableReplicas() == 3
                  && (s.getReplicas() == null || s.getReplicas() == 3);
            });
  }
}
