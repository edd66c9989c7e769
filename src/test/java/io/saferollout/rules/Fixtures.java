package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.saferollout.api.Mode;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.SidecarMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/** Shared test fixtures: the article's naive Deployment, and short ways to plan it. */
final class Fixtures {
  static final ClusterCapabilities K8S_1_28 = ClusterCapabilities.parse("1.28");
  static final ClusterCapabilities K8S_1_29 = ClusterCapabilities.parse("1.29");
  static final ClusterCapabilities K8S_1_30 = ClusterCapabilities.parse("1.30");
  static final ClusterCapabilities K8S_1_34 = ClusterCapabilities.parse("1.34");

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Fixtures() {}

  /**
   * A web Deployment with none of the zero-downtime settings: 3 replicas, one container on port
   * 8080.
   */
  static Deployment naive() {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("web")
        .withNamespace("shop")
        .endMetadata()
        .withNewSpec()
        .withReplicas(3)
        .withNewSelector()
        .addToMatchLabels("app", "web")
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", "web")
        .endMetadata()
        .withNewSpec()
        .addToContainers(
            new ContainerBuilder()
                .withName("web")
                .withImage("example/web:1.0")
                .addNewPort()
                .withName("http")
                .withContainerPort(8080)
                .endPort()
                .build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * A Deployment as the API server returns it after `kubectl apply` of a manifest without strategy
   * or grace period: those are server defaults that no manager owns (rules/live-deployment.yaml).
   */
  static Deployment liveDeployment() {
    try (InputStream in = Fixtures.class.getResourceAsStream("/rules/live-deployment.yaml")) {
      return SERIALIZATION.unmarshal(in, Deployment.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static DeploymentBuilder naiveBuilder() {
    return new DeploymentBuilder(naive());
  }

  static HardeningPolicy policy(Mode mode) {
    return HardeningPolicy.defaults().withMode(mode);
  }

  /** The default policy, with an HTTP readiness path as the article recommends. */
  static HardeningPolicy withPath(Mode mode) {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setMode(mode);
    spec.getReadinessProbe().setPath("/healthz");
    return HardeningPolicy.from(spec);
  }

  static HardeningPlan plan(Deployment d) {
    return plan(d, HardeningPolicy.defaults(), ClusterCapabilities.LATEST);
  }

  static HardeningPlan plan(Deployment d, HardeningPolicy policy) {
    return plan(d, policy, ClusterCapabilities.LATEST);
  }

  static HardeningPlan plan(Deployment d, HardeningPolicy policy, ClusterCapabilities caps) {
    return DeploymentHardener.plan(d, policy, caps, Set.of(), null);
  }

  static HardeningPolicy sidecars(SidecarMode mode) {
    return HardeningPolicy.defaults().withSidecars(mode);
  }

  static PodDisruptionBudget pdbFor(String key, String value) {
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withName("pdb")
        .withNamespace("shop")
        .endMetadata()
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .addToMatchLabels(key, value)
        .endSelector()
        .endSpec()
        .build();
  }

  static List<Change> changesFor(HardeningPlan plan, Rule rule) {
    return plan.changes().stream().filter(c -> c.rule() == rule).toList();
  }

  static List<Finding> findingsFor(HardeningPlan plan, Rule rule) {
    return plan.findings().stream().filter(f -> f.rule() == rule).toList();
  }
}
