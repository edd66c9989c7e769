package io.saferollout.harden;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.manifest.ManifestReader;
import io.saferollout.manifest.ManifestSource;
import io.saferollout.rules.ClusterCapabilities;
import io.saferollout.rules.HardeningPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class ManifestHardenerTest {
  private static final String ISTIO_CONFIG = "proxy.istio.io/config";

  private static HardenedFile harden(String resource) throws Exception {
    String text = Files.readString(Path.of("src/test/resources", resource));
    return ManifestHardener.harden(
        ManifestReader.read(new ManifestSource(resource, null), text),
        HardeningPolicy.defaults(),
        ClusterCapabilities.LATEST);
  }

  private static String istioChange(HardenedFile file) {
    return file.deployments().get(0).changes().stream()
        .map(PlannedChange::of)
        .filter(c -> c.path().toString().endsWith("[" + ISTIO_CONFIG + "]"))
        .map(c -> c.value().asText())
        .findFirst()
        .orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static Object podAnnotation(String text, String key) {
    Map<String, Object> doc = new Yaml().load(text);
    Map<String, Object> template =
        (Map<String, Object>) ((Map<String, Object>) doc.get("spec")).get("template");
    return ((Map<String, Object>)
            ((Map<String, Object>) template.get("metadata")).get("annotations"))
        .get(key);
  }

  @Test
  void theIstioProxyConfigAnnotationIsAStringThatReadsBackAsTheRuleWroteIt() throws Exception {
    HardenedFile added = harden("manifests/istio.yaml");
    assertThat(added.text())
        .contains(
            "        " + ISTIO_CONFIG + ": |\n          holdApplicationUntilProxyStarts: true\n");
    assertThat(podAnnotation(added.text(), ISTIO_CONFIG))
        .isInstanceOf(String.class)
        .isEqualTo(istioChange(added));

    // The user's own value was a single-quoted JSON string: it stays one, with the comment after
    // it,
    // and the rule only appends the keys it lacks (the user's own text is never rewritten).
    HardenedFile extended = harden("harden/istio.yaml");
    assertThat(extended.text())
        .contains(
            "        "
                + ISTIO_CONFIG
                + ": '{\"concurrency\": 2,"
                + "\"holdApplicationUntilProxyStarts\":true,\"terminationDrainDuration\":\"25s\"}'  # from the platform team\n");
    assertThat(podAnnotation(extended.text(), ISTIO_CONFIG)).isEqualTo(istioChange(extended));
  }

  @Test
  void documentsWithoutChangesAndTheirSeparatorsPassThroughByteForByte() throws Exception {
    HardenedFile file = harden("harden/helm-output.yaml");
    String text = file.text();
    List<String> original =
        List.of(
            Files.readString(Path.of("src/test/resources/harden/helm-output.yaml"))
                .split("(?m)^---\n", -1));
    List<String> hardened = List.of(text.split("(?m)^---\n", -1));
    assertThat(hardened).hasSameSizeAs(original);
    assertThat(hardened.get(1)).isEqualTo(original.get(1));
    assertThat(hardened.get(3)).isEqualTo(original.get(3));
    assertThat(hardened.get(2))
        .startsWith(
            "# Source: shop/templates/deployment.yaml\n# The storefront: reviewed by the web team.\n")
        .isNotEqualTo(original.get(2));
  }
}
