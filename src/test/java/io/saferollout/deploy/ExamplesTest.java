package io.saferollout.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.api.Mode;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.SidecarMode;
import io.saferollout.api.TargetRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example is a SafeRollout the model accepts, shipped with the Deployment and Service it
 * targets.
 */
class ExamplesTest {
  static final Path EXAMPLES = Path.of("deploy", "examples");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** Unlike the client's lenient reader: a misspelt spec field must fail, not vanish. */
  private static final ObjectMapper STRICT =
      Serialization.jsonMapper().copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static {
    SERIALIZATION.registerKubernetesResource(SafeRollout.class);
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertThat(yaml).as("examples in %s", EXAMPLES).isNotEmpty();
      return yaml.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void exampleTargetsADeploymentInTheSameFile(Path example) throws IOException {
    List<HasMetadata> objects = parse(example);
    SafeRollout safeRollout = safeRollout(objects);
    List<Deployment> deployments = ChartRenderer.Rendered.all(objects, Deployment.class);

    assertThat(safeRollout.getApiVersion()).isEqualTo("saferollout.io/v1alpha1");
    TargetRef target = safeRollout.getSpec().getTarget();
    assertThat(target).as("spec.target").isNotNull();
    assertThat(target.getName() == null)
        .as("spec.target needs exactly one of name or selector")
        .isNotEqualTo(target.getSelector() == null);
    List<Deployment> targeted = deployments.stream().filter(d -> targets(target, d)).toList();
    assertThat(targeted).as("Deployments in %s that spec.target matches", example).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyTargetedDeploymentHasAServiceSelectingItsPods(Path example) throws IOException {
    List<HasMetadata> objects = parse(example);
    TargetRef target = safeRollout(objects).getSpec().getTarget();
    List<Service> services = ChartRenderer.Rendered.all(objects, Service.class);

    for (Deployment deployment : ChartRenderer.Rendered.all(objects, Deployment.class)) {
      if (!targets(target, deployment)) {
        continue;
      }
      Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
      assertThat(podLabels)
          .as("%s pod labels", deployment.getMetadata().getName())
          .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
      assertThat(services)
          .as("Services selecting the pods of %s", deployment.getMetadata().getName())
          .anySatisfy(s -> assertThat(podLabels).containsAllEntriesOf(s.getSpec().getSelector()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everySpecFieldIsOneTheModelKnows(Path example) throws IOException {
    Object spec = rawSafeRollout(example).get("spec");

    assertThatCode(() -> STRICT.convertValue(spec, SafeRolloutSpec.class))
        .as("spec of %s", example)
        .doesNotThrowAnyException();
  }

  @Test
  void auditExampleOnlyReports() throws IOException {
    assertThat(safeRollout(parse(EXAMPLES.resolve("audit.yaml"))).getSpec().getMode())
        .isEqualTo(Mode.Audit);
  }

  @Test
  void istioExampleOrdersTheSidecarForAnInjectedPod() throws IOException {
    List<HasMetadata> objects = parse(EXAMPLES.resolve("istio-sidecar.yaml"));

    assertThat(safeRollout(objects).getSpec().getSidecars()).isEqualTo(SidecarMode.Istio);
    assertThat(
            ChartRenderer.Rendered.only(objects, Deployment.class)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getLabels())
        .containsEntry("sidecar.istio.io/inject", "true");
  }

  @Test
  void selectorExampleTargetsSeveralDeployments() throws IOException {
    List<HasMetadata> objects = parse(EXAMPLES.resolve("selector.yaml"));
    TargetRef target = safeRollout(objects).getSpec().getTarget();

    assertThat(target.getSelector()).isNotNull();
    assertThat(ChartRenderer.Rendered.all(objects, Deployment.class))
        .filteredOn(d -> targets(target, d))
        .hasSizeGreaterThan(1);
  }

  private static boolean targets(TargetRef target, Deployment deployment) {
    if (target.getName() != null) {
      return target.getName().equals(deployment.getMetadata().getName());
    }
    LabelSelector selector = target.getSelector();
    assertThat(selector.getMatchExpressions()).as("examples keep to matchLabels").isEmpty();
    Map<String, String> labels = deployment.getMetadata().getLabels();
    return labels != null && labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
  }

  private static List<HasMetadata> parse(Path example) throws IOException {
    try (InputStream in = Files.newInputStream(example)) {
      Object parsed = SERIALIZATION.unmarshal(in);
      assertThat(parsed).as("%s holds several documents", example).isInstanceOf(List.class);
      return ((List<?>) parsed).stream().map(HasMetadata.class::cast).toList();
    }
  }

  private static SafeRollout safeRollout(List<HasMetadata> objects) {
    return ChartRenderer.Rendered.only(objects, SafeRollout.class);
  }

  private static Map<String, Object> rawSafeRollout(Path example) throws IOException {
    try (MappingIterator<Map<String, Object>> docs =
        YAML.readerForMapOf(Object.class).readValues(example.toFile())) {
      return docs.readAll().stream()
          .filter(doc -> doc != null && "SafeRollout".equals(doc.get("kind")))
          .findFirst()
          .orElseThrow();
    }
  }
}
