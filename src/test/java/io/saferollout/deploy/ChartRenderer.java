package io.saferollout.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders the Helm chart with the Helm library (no helm binary needed) and parses what it renders.
 */
final class ChartRenderer {
  static final Path CHART = Path.of("deploy", "helm", "saferollout");
  static final String RELEASE = "saferollout";
  static final String NAMESPACE = "saferollout-system";

  /**
   * The oldest Kubernetes the chart supports (Chart.yaml kubeVersion); the library defaults to
   * 1.20.
   */
  static final String KUBE_VERSION = "1.28.0";

  private final Map<String, Object> values = new LinkedHashMap<>();

  static ChartRenderer chart() {
    return new ChartRenderer();
  }

  /**
   * Overrides one value; {@code path} is dotted like helm's --set, {@code value} any YAML-able
   * object.
   */
  @SuppressWarnings("unchecked")
  ChartRenderer with(String path, Object value) {
    String[] keys = path.split("\\.");
    Map<String, Object> node = values;
    for (int i = 0; i < keys.length - 1; i++) {
      node =
          (Map<String, Object>)
              node.computeIfAbsent(keys[i], k -> new LinkedHashMap<String, Object>());
    }
    node.put(keys[keys.length - 1], value);
    return this;
  }

  /** The rendered YAML, CRDs first, exactly as `helm template --include-crds` prints it. */
  String renderYaml() {
    try {
      Path valuesFile = Files.createTempFile("values", ".yaml");
      try {
        Files.writeString(valuesFile, Serialization.asYaml(values));
        TemplateCommand template =
            new Helm(CHART)
                .template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION)
                .withValuesFile(valuesFile);
        return template.call();
      } finally {
        Files.deleteIfExists(valuesFile);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<HasMetadata> render() {
    return Rendered.parse(renderYaml());
  }

  /** Parsed objects with small finders, so tests read as "the Deployment", "the Role in team-a". */
  static final class Rendered {
    static List<HasMetadata> parse(String yaml) {
      Object parsed = Serialization.unmarshal(yaml);
      if (parsed instanceof List<?> list) {
        return list.stream().map(HasMetadata.class::cast).toList();
      }
      return List.of((HasMetadata) parsed);
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
      List<T> found = all(objects, type);
      if (found.size() != 1) {
        throw new AssertionError(
            "expected exactly one " + type.getSimpleName() + ", rendered " + found.size());
      }
      return found.get(0);
    }

    static Optional<HasMetadata> byKind(List<HasMetadata> objects, String kind) {
      return objects.stream().filter(o -> kind.equals(o.getKind())).findFirst();
    }

    private Rendered() {}
  }
}
