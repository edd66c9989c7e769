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
      h.create(OperatorHarness.deployment("web", Map.of("app", "web")));
      h.client
          .apps()
          .deployments()
          .inNamespace("plain")
          .resource(
              new DeploymentBuilder(OperatorHarness.deployment("web", Map.of("app", "web")))
                  .editMetadata()
                  .withNamespace("plain")
                  .endMetadata()
                  .build())
          .create();
      h.create(immediately(OperatorHarness.safeRollout("web", TargetRef.byName("web"))));
      SafeRollout plain = immediately(OperatorHarness.safeRollout("web", TargetRef.byName("web")));
      plain.getMetadata().setNamespace("plain");
      h.client.resources(SafeRollout.class).inNamespace("plain").resource(plain).create();

      await()
          .atMost(OperatorHarness.settle())
          .until(() -> hardened(h, OperatorHarness.NS) && hardened(h, "plain"));
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
