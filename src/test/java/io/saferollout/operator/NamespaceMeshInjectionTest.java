package io.saferollout.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.saferollout.api.Adoption;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.TargetRef;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Istio injection switched on for a whole namespace (label istio-injection=enabled, the Istio docs'
 * usual way) is seen by the running operator, which then orders the application after the proxy;
 * the same Deployment in an unlabelled namespace gets no Istio settings.
 */
class NamespaceMeshInjectionTest {
  static final String PROXY_CONFIG = "proxy.istio.io/config";

  @Test
  void namespaceLevelIstioInjectionIsSeenByTheOperator() {
    try (OperatorHarness h = new OperatorHarness("1.33")) {
      h.client
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(OperatorHarness.NS)
                  .withLabels(Map.of("istio-injection", "enabled"))
                  .endMetadata()
                  .build())
          .create();
      h.client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName("plain").endMetadata().build())
          .create();
      rolledOut(h, OperatorHarness.NS);
      rolledOut(h, "plain");
      h.create(immediately(OperatorHarness.safeRollout("web", TargetRef.byName("web"))));
      SafeRollout plain = immediately(OperatorHarness.safeRollout("web", TargetRef.byName("web")));
      plain.getMetadata().setNamespace("plain");
      h.client.resources(SafeRollout.class).inNamespace("plain").resource(plain).create();

      await()
          .atMost(OperatorHarness.settle())
          .untilAsserted(
              () -> {
                assertThat(hardened(h, OperatorHarness.NS))
                    .as("hardened in %s; %s", OperatorHarness.NS, ready(h, OperatorHarness.NS))
                    .isTrue();
                assertThat(hardened(h, "plain"))
                    .as("hardened in plain; %s", ready(h, "plain"))
                    .isTrue();
              });
      assertThat(templateAnnotations(h, OperatorHarness.NS))
          .hasEntrySatisfying(
              PROXY_CONFIG,
              config -> assertThat(config).contains("holdApplicationUntilProxyStarts"));
      assertThat(templateAnnotations(h, "plain")).doesNotContainKey(PROXY_CONFIG);
    }
  }

  @Test
  void aNamespaceIsReadOncePerTtlAndAnUnreadableOneCountsAsUnlabelled() {
    try (OperatorHarness h = new OperatorHarness("1.33")) {
      h.client
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName("mesh")
                  .withLabels(Map.of("istio-injection", "enabled"))
                  .endMetadata()
                  .build())
          .create();
      AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-28T08:00:00Z"));
      Clock clock =
          new Clock() {
            @Override
            public ZoneOffset getZone() {
              return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
              return this;
            }

            @Override
            public Instant instant() {
              return now.get();
            }
          };
      NamespaceMetadata namespaces = new NamespaceMetadata(h.client, clock);
      assertThat(namespaces.of("mesh").labels()).containsEntry("istio-injection", "enabled");
      h.client
          .namespaces()
          .withName("mesh")
          .edit(
              n ->
                  new NamespaceBuilder(n)
                      .editMetadata()
                      .withLabels(Map.of())
                      .endMetadata()
                      .build());
      assertThat(namespaces.of("mesh").labels())
          .as("within the TTL: the cached reading")
          .containsEntry("istio-injection", "enabled");
      now.set(now.get().plus(NamespaceMetadata.TTL).plusSeconds(1));
      assertThat(namespaces.of("mesh").labels()).as("after the TTL: read again").isEmpty();
      assertThat(namespaces.of("missing")).isEqualTo(NamespaceMetadata.Meta.UNKNOWN);
    }
  }

  private static SafeRollout immediately(SafeRollout sr) {
    sr.getSpec().setAdoption(Adoption.Immediately);
    return sr;
  }

  /**
   * A running Deployment "web" in {@code namespace}, its first rollout complete: the status the
   * Deployment controller writes through the status subresource once the new ReplicaSet is
   * available (pkg/controller/deployment/sync.go, progress.go). The mock API runs no Deployment
   * controller, and without a status a Deployment reads as mid-rollout ({@link
   * io.saferollout.operator.adoption.RolloutProgress}), which {@code adoption: Immediately} waits
   * out (one rollout at a time): here forever. Such a Deployment was hardened only when the clock
   * had not yet turned to the next second before its SafeRollout was created (a Deployment created
   * in the same second counts as created with it, so its pods are new); under load it sometimes
   * had, and the test timed out.
   */
  private static void rolledOut(OperatorHarness h, String namespace) {
    h.client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .resource(
            new DeploymentBuilder(OperatorHarness.deployment("web", Map.of("app", "web")))
                .editMetadata()
                .withNamespace(namespace)
                .endMetadata()
                .build())
        .create();
    h.client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName("web")
        .editStatus(
            d ->
                new DeploymentBuilder(d)
                    .withNewStatus()
                    .withObservedGeneration(d.getMetadata().getGeneration())
                    .withReplicas(3)
                    .withUpdatedReplicas(3)
                    .withReadyReplicas(3)
                    .withAvailableReplicas(3)
                    .addNewCondition()
                    .withType("Progressing")
                    .withStatus("True")
                    .withReason("NewReplicaSetAvailable")
                    .endCondition()
                    .endStatus()
                    .build());
  }

  /** The SafeRollout's Ready condition, to say in a failure why a Deployment was not hardened. */
  private static String ready(OperatorHarness h, String namespace) {
    SafeRollout sr =
        h.client.resources(SafeRollout.class).inNamespace(namespace).withName("web").get();
    return sr == null || sr.getStatus() == null
        ? "no status yet"
        : sr.getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Ready"))
            .map(c -> c.getReason() + ": " + c.getMessage())
            .findFirst()
            .orElse("no Ready condition");
  }

  private static boolean hardened(OperatorHarness h, String namespace) {
    Deployment d = h.client.apps().deployments().inNamespace(namespace).withName("web").get();
    return d != null
        && d.getMetadata().getAnnotations() != null
        && d.getMetadata().getAnnotations().containsKey(AppliedChangesRecord.ANNOTATION);
  }

  private static Map<String, String> templateAnnotations(OperatorHarness h, String namespace) {
    Map<String, String> a =
        h.client
            .apps()
            .deployments()
            .inNamespace(namespace)
            .withName("web")
            .get()
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations();
    return a == null ? Map.of() : a;
  }
}
