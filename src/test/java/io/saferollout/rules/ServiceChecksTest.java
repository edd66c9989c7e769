package io.saferollout.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServiceChecksTest {
  private static List<HasMetadata> bundle;

  @BeforeAll
  static void readBundle() throws Exception {
    try (InputStream in =
        ServiceChecksTest.class.getResourceAsStream("/rules/service-bundle.yaml")) {
      bundle = new KubernetesSerialization().unmarshal(in);
    }
  }

  private static List<Deployment> deployments() {
    return bundle.stream()
        .filter(Deployment.class::isInstance)
        .map(Deployment.class::cast)
        .toList();
  }

  private static List<Finding> check(String service) {
    Service s =
        bundle.stream()
            .filter(Service.class::isInstance)
            .map(Service.class::cast)
            .filter(x -> x.getMetadata().getName().equals(service))
            .findFirst()
            .orElseThrow();
    return ServiceChecks.check(s, deployments());
  }

  @Test
  void servicesThatReachTheirPodsHaveNoFindings() {
    assertThat(check("by-name")).isEmpty();
    assertThat(check("by-number")).isEmpty();
    assertThat(check("same-port")).as("targetPort defaults to port").isEmpty();
    assertThat(check("sidecar-port")).as("native sidecars' ports count").isEmpty();
  }

  @Test
  void aNamedTargetPortNoContainerDeclaresIsAnError() {
    assertThat(check("typo"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo(Rule.SR021);
              assertThat(f.severity()).isEqualTo(Severity.ERROR);
              assertThat(f.path()).isEqualTo("spec.ports[http].targetPort");
              assertThat(f.message()).contains("'htp'").contains("Deployment web");
            });
  }

  @Test
  void aNumericTargetPortNoContainerDeclaresIsAWarning() {
    assertThat(check("undeclared"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo(Rule.SR022);
              assertThat(f.path())
                  .as("an unnamed port goes by its number")
                  .isEqualTo("spec.ports[9999].targetPort");
            });
  }

  @Test
  void aSelectorMatchingNoPodTemplateIsAnError() {
    assertThat(check("orphan"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo(Rule.SR020);
              assertThat(f.message()).contains("app=wbe");
            });
    assertThat(check("api"))
        .as("the api Deployment is in another namespace")
        .extracting(Finding::rule)
        .containsExactly(Rule.SR020);
  }

  @Test
  void aPortWithoutANumberIsSkippedNotACrash() {
    assertThat(check("half-written")).isEmpty();
  }

  @Test
  void servicesWithoutASelectorAreNotChecked() {
    assertThat(check("external")).isEmpty();
    assertThat(check("manual-endpoints")).isEmpty();
  }
}
