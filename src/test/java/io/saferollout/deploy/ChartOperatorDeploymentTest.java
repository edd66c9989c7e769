package io.saferollout.deploy;

import static io.saferollout.deploy.ChartRenderer.Rendered.byKind;
import static io.saferollout.deploy.ChartRenderer.Rendered.only;
import static io.saferollout.deploy.ChartRenderer.chart;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator's own Deployment: highly available, restricted, and safe to roll out itself. */
class ChartOperatorDeploymentTest {
  @Test
  void runsTwoReplicasOfTheCliRunCommandWithLeaderElection() {
    Deployment deployment = only(chart().render(), Deployment.class);

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(operator(deployment).getArgs())
        .containsExactly(
            "run", "--health-port=8080", "--leader-election", "--lease-name=saferollout-operator");
  }

  @Test
  void watchNamespacesBecomeNamespaceArguments() {
    Deployment deployment =
        only(
            chart().with("watchNamespaces", List.of("team-a", "team-b")).render(),
            Deployment.class);

    assertThat(operator(deployment).getArgs())
        .containsSubsequence("--namespace=team-a", "--namespace=team-b");
  }

  @Test
  void livenessAndReadinessProbeHealthzAndReadyzOnTheHealthPort() {
    Deployment deployment = only(chart().with("healthPort", 9090).render(), Deployment.class);
    Container operator = operator(deployment);

    assertThat(operator.getPorts())
        .singleElement()
        .satisfies(
            port -> {
              assertThat(port.getName()).isEqualTo("health");
              assertThat(port.getContainerPort()).isEqualTo(9090);
            });
    assertThat(operator.getArgs()).contains("--health-port=9090");
    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(operator.getLivenessProbe().getHttpGet().getPort())
        .isEqualTo(new IntOrString("health"));
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(operator.getReadinessProbe().getHttpGet().getPort())
        .isEqualTo(new IntOrString("health"));
  }

  @Test
  void podMeetsTheRestrictedPodSecurityStandard() {
    Deployment deployment = only(chart().render(), Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container operator = operator(deployment);

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(operator.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(operator.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(operator.getSecurityContext().getCapabilities().getAdd()).isEmpty();
    assertThat(operator.getSecurityContext().getSeccompProfile().getType())
        .isEqualTo("RuntimeDefault");
    assertThat(operator.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getVolumes())
        .allSatisfy(
            v -> assertThat(v.getHostPath()).as("hostPath volume %s", v.getName()).isNull());
  }

  @Test
  void readOnlyRootFilesystemStillHasAWritableTmp() {
    Deployment deployment = only(chart().render(), Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();

    String volume =
        operator(deployment).getVolumeMounts().stream()
            .filter(m -> "/tmp".equals(m.getMountPath()) && !Boolean.TRUE.equals(m.getReadOnly()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no writable /tmp mount"))
            .getName();
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals(volume))
        .singleElement()
        .extracting(Volume::getEmptyDir)
        .isNotNull();
  }

  @Test
  void podNamespaceComesFromTheDownwardApiForTheLease() {
    EnvVar podNamespace =
        operator(only(chart().render(), Deployment.class)).getEnv().stream()
            .filter(e -> e.getName().equals("POD_NAMESPACE"))
            .findFirst()
            .orElseThrow();

    assertThat(podNamespace.getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
  }

  @Test
  void logLevelAndFormatReachTheContainer() {
    Container operator =
        operator(
            only(
                chart().with("logLevel", "DEBUG").with("logFormat", "json").render(),
                Deployment.class));

    assertThat(operator.getEnv())
        .contains(
            new EnvVar("SAFEROLLOUT_LOG_LEVEL", "DEBUG", null),
            new EnvVar("SAFEROLLOUT_LOG_FORMAT", "json", null));
  }

  @Test
  void hasResourceRequestsAndLimits() {
    Container operator = operator(only(chart().render(), Deployment.class));

    assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(operator.getResources().getLimits()).containsKey("memory");
  }

  @Test
  void passesItsOwnZeroDowntimeRules() {
    List<HasMetadata> objects = chart().with("shutdown.drainSeconds", 30).render();
    Deployment deployment = only(objects, Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container operator = operator(deployment);

    assertThat(operator.getReadinessProbe()).isNotNull();
    // No preStop: the operator serves no user traffic (and no hook means no 1.30-only sleep
    // action).
    assertThat(operator.getLifecycle()).isNull();
    assertThat(pod.getTerminationGracePeriodSeconds())
        .as("drain + 5")
        .isGreaterThanOrEqualTo(30L + 5);
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
    assertThat(deployment.getSpec().getMinReadySeconds()).isPositive();

    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    PodDisruptionBudget pdb = only(objects, PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMinAvailable()).isEqualTo(new IntOrString(1));
    assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    assertThat(
            pod.getAffinity()
                .getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(
            term -> {
              assertThat(term.getPodAffinityTerm().getTopologyKey())
                  .isEqualTo("kubernetes.io/hostname");
              assertThat(podLabels)
                  .containsAllEntriesOf(
                      term.getPodAffinityTerm().getLabelSelector().getMatchLabels());
            });
    assertThat(pod.getTopologySpreadConstraints())
        .singleElement()
        .satisfies(
            c -> assertThat(podLabels).containsAllEntriesOf(c.getLabelSelector().getMatchLabels()));
  }

  @Test
  void theDefaultGracePeriodCoversDrainAndMargin() {
    PodSpec pod = only(chart().render(), Deployment.class).getSpec().getTemplate().getSpec();

    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(10L + 5);
  }

  @Test
  void metricsServiceSelectsTheOperatorPodsOnTheHealthPort() {
    List<HasMetadata> objects = chart().render();
    Service service = only(objects, Service.class);
    Deployment deployment = only(objects, Deployment.class);

    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(service.getSpec().getPorts())
        .extracting(ServicePort::getName, ServicePort::getTargetPort)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("metrics", new IntOrString("health")));
  }

  @Test
  void serviceMonitorIsOffByDefaultAndScrapesMetricsWhenEnabled() {
    assertThat(byKind(chart().render(), "ServiceMonitor")).isEmpty();

    List<HasMetadata> objects = chart().with("metrics.serviceMonitor.enabled", true).render();
    GenericKubernetesResource monitor =
        (GenericKubernetesResource) byKind(objects, "ServiceMonitor").orElseThrow();
    Service service = only(objects, Service.class);

    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(service.getMetadata().getLabels())
        .containsAllEntriesOf(monitor.<Map<String, String>>get("spec", "selector", "matchLabels"));
    assertThat(monitor.<List<Map<String, Object>>>get("spec", "endpoints"))
        .singleElement()
        .satisfies(
            e -> assertThat(e).containsEntry("port", "metrics").containsEntry("path", "/metrics"));
  }

  @Test
  void imageDefaultsToTheChartsAppVersion() throws IOException {
    Map<?, ?> chartYaml =
        Serialization.unmarshal(
            Files.readString(ChartRenderer.CHART.resolve("Chart.yaml")), Map.class);

    assertThat(operator(only(chart().render(), Deployment.class)).getImage())
        .isEqualTo("ghcr.io/saferollout/saferollout:" + chartYaml.get("appVersion"));
  }

  @Test
  void schedulingAndPullSettingsReachThePod() {
    Deployment deployment =
        only(
            chart()
                .with("image.repository", "registry.example.com/saferollout")
                .with("image.tag", "1.2.3")
                .with("imagePullSecrets", List.of(Map.of("name", "registry")))
                .with("nodeSelector", Map.of("kubernetes.io/os", "linux"))
                .with(
                    "tolerations",
                    List.of(
                        Map.of("key", "dedicated", "operator", "Exists", "effect", "NoSchedule")))
                .with("priorityClassName", "system-cluster-critical")
                .with("podAnnotations", Map.of("example.com/team", "platform"))
                .with("podLabels", Map.of("example.com/cost-center", "platform"))
                .render(),
            Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();

    assertThat(operator(deployment).getImage()).isEqualTo("registry.example.com/saferollout:1.2.3");
    assertThat(pod.getImagePullSecrets())
        .extracting(LocalObjectReference::getName)
        .containsExactly("registry");
    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
    assertThat(pod.getTolerations()).extracting(Toleration::getKey).containsExactly("dedicated");
    assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("example.com/team", "platform");
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("example.com/cost-center", "platform");
  }

  private static Container operator(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("operator"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container named operator"));
  }
}
