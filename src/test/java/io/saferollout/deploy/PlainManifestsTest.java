package io.saferollout.deploy;

import static io.saferollout.deploy.ChartRenderer.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * deploy/manifests/saferollout.yaml is the chart rendered with its default values, for users who
 * install with one `kubectl apply -f`. It is checked in, so this test fails when it is stale.
 */
class PlainManifestsTest {
  static final Path CHECKED_IN = Path.of("deploy", "manifests", "saferollout.yaml");
  static final String HOW_TO_UPDATE =
      "./mvnw -B -q test -Dtest=PlainManifestsTest -Dmanifests.update=true";
  private static final Set<String> CLUSTER_SCOPED =
      Set.of("CustomResourceDefinition", "Namespace", "ClusterRole", "ClusterRoleBinding");

  /**
   * What `helm template --include-crds` prints, with the Namespace the chart only renders on
   * request.
   */
  static String render() throws IOException {
    String rendered = ChartRenderer.chart().with("createNamespace", true).renderYaml();
    return "# SafeRollout for one `kubectl apply -f`: the Helm chart deploy/helm/saferollout rendered\n"
        + "# with its default values into namespace "
        + NAMESPACE
        + ", CRD included.\n"
        + "# Generated, do not edit. Regenerate with: "
        + HOW_TO_UPDATE
        + "\n"
        + "---\n# Source: saferollout/crds/"
        + ChartCrdTest.CRD_FILE
        + "\n"
        + Files.readString(ChartCrdTest.IN_CHART)
        + rendered;
  }

  @Test
  void checkedInManifestsAreTheRenderedChart() throws IOException {
    String rendered = render();
    if (Boolean.getBoolean("manifests.update")) {
      Files.createDirectories(CHECKED_IN.getParent());
      Files.writeString(CHECKED_IN, rendered);
    }
    String stale = CHECKED_IN + " is stale (the chart or its CRD changed): run " + HOW_TO_UPDATE;
    assertThat(CHECKED_IN).as(stale).exists();
    assertThat(Files.readString(CHECKED_IN)).as(stale).isEqualTo(rendered);
  }

  @Test
  void oneApplyCreatesTheCrdAndNamespaceBeforeAnythingThatNeedsThem() throws IOException {
    List<HasMetadata> objects = ChartRenderer.Rendered.parse(Files.readString(CHECKED_IN));

    assertThat(objects.get(0)).isInstanceOf(CustomResourceDefinition.class);
    assertThat(objects.get(1)).isInstanceOf(Namespace.class);
    assertThat(objects.get(1).getMetadata().getName()).isEqualTo(NAMESPACE);
    assertThat(objects)
        .filteredOn(o -> !CLUSTER_SCOPED.contains(o.getKind()))
        .isNotEmpty()
        .allSatisfy(
            o ->
                assertThat(o.getMetadata().getNamespace())
                    .as("%s %s", o.getKind(), o.getMetadata().getName())
                    .isEqualTo(NAMESPACE));
    assertThat(objects)
        .hasAtLeastOneElementOfType(Deployment.class)
        .hasAtLeastOneElementOfType(ClusterRole.class)
        .hasAtLeastOneElementOfType(ClusterRoleBinding.class);
  }
}
