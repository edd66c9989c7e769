package io.saferollout.harden;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import io.saferollout.api.Mode;
import io.saferollout.manifest.ManifestFile;
import io.saferollout.manifest.ManifestObject;
import io.saferollout.manifest.ManifestReader;
import io.saferollout.manifest.ManifestSource;
import io.saferollout.rules.Change;
import io.saferollout.rules.ClusterCapabilities;
import io.saferollout.rules.HardeningPolicy;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Hardens real-world shapes of manifests and checks the result the way a reviewer would: every
 * value outside the hardened fields reads back with the same type and value (as a YAML 1.1 reader
 * such as SnakeYAML or go-yaml v2 types it), and the line diff touches no line outside them.
 */
class HardenRoundTripTest {
  private static final List<String> SHAPES =
      List.of(
          "harden/helm-output.yaml",
          "harden/kustomize-output.yaml",
          "harden/flow-style.yaml",
          "harden/list-of-deployments.yaml",
          "harden/deployment.json",
          "harden/istio.yaml",
          "manifests/naive.yaml",
          "manifests/partial.yaml",
          "manifests/istio.yaml",
          "manifests/linkerd.yaml",
          "manifests/native-sidecar.yaml",
          "manifests/multi-container.yaml",
          "manifests/helm-rendered.yaml",
          "manifests/list.yaml",
          "manifests/good.yaml");

  static Stream<Arguments> shapes() {
    return SHAPES.stream()
        .flatMap(f -> Stream.of(Arguments.of(f, Mode.FillMissing), Arguments.of(f, Mode.Enforce)));
  }

  /**
   * One value of the document: its YAML 1.1 type, its text, and the lines it spans with its key.
   */
  private record Leaf(String tag, String value, int firstLine, int lastLine) {}

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("shapes")
  void everyValueOutsideTheHardenedFieldsKeepsItsTypeValueAndLines(String resource, Mode mode)
      throws Exception {
    String before = Files.readString(Path.of("src/test/resources", resource));
    ManifestFile file = ManifestReader.read(new ManifestSource(resource, null), before);
    HardenedFile hardened =
        ManifestHardener.harden(
            file, HardeningPolicy.defaults().withMode(mode), ClusterCapabilities.LATEST);
    String after = hardened.text();
    List<List<String>> hardenedPaths = hardenedPaths(file, hardened);

    Map<List<String>, Leaf> was = leaves(before);
    Map<List<String>, Leaf> is = leaves(after);
    for (Map.Entry<List<String>, Leaf> leaf : was.entrySet()) {
      if (!isHardened(leaf.getKey(), hardenedPaths)) {
        Leaf now = is.get(leaf.getKey());
        assertThat(now).as("%s is kept", leaf.getKey()).isNotNull();
        assertThat(now.tag() + " " + now.value())
            .as("%s", leaf.getKey())
            .isEqualTo(leaf.getValue().tag() + " " + leaf.getValue().value());
      }
    }
    assertThat(is.keySet())
        .as("only hardened fields are new")
        .allMatch(path -> was.containsKey(path) || isHardened(path, hardenedPaths));

    Set<Integer> hardenedLines = new HashSet<>();
    was.forEach(
        (path, leaf) -> {
          if (isHardened(path, hardenedPaths)) {
            for (int line = leaf.firstLine(); line <= leaf.lastLine(); line++) {
              hardenedLines.add(line);
            }
          }
        });
    // A line without a hardened field may only gain text: in flow style and JSON a field added
    // after
    // the last member of {...} shares that member's line (a comma, or the whole new member).
    for (AbstractDelta<String> delta :
        DiffUtils.diff(before.lines().toList(), after.lines().toList()).getDeltas()) {
      String target = String.join("\n", delta.getTarget().getLines());
      for (int i = 0; i < delta.getSource().size(); i++) {
        int line = delta.getSource().getPosition() + i + 1;
        String text = delta.getSource().getLines().get(i);
        assertThat(hardenedLines.contains(line) || isSubsequence(text, target))
            .as("line %d '%s' lost text but holds no hardened field; now: %s", line, text, target)
            .isTrue();
      }
    }
    if (resource.endsWith(".json")) {
      assertThat(new ObjectMapper().readTree(after).isObject()).isTrue();
    }
    // Editing twice changes nothing more: the first edit left nothing the rules want.
    ManifestFile again = ManifestReader.read(new ManifestSource(resource, null), after);
    assertThat(
            ManifestHardener.harden(
                    again, HardeningPolicy.defaults().withMode(mode), ClusterCapabilities.LATEST)
                .text())
        .isEqualTo(after);
    if (!resource.endsWith("good.yaml")) {
      assertThat(hardened.changeCount()).as("the fixture needs hardening").isPositive();
    }
  }

  private static boolean isSubsequence(String part, String whole) {
    int j = 0;
    for (int i = 0; i < whole.length() && j < part.length(); i++) {
      if (whole.charAt(i) == part.charAt(j)) {
        j++;
      }
    }
    return j == part.length();
  }

  /**
   * Change paths as segments, from the top of their document; a List's items are {@code items,
   * index}.
   */
  private static List<List<String>> hardenedPaths(ManifestFile file, HardenedFile hardened) {
    List<ManifestObject> deployments =
        file.objects().stream().filter(o -> o.kind().equals("Deployment")).toList();
    List<List<String>> paths = new ArrayList<>();
    for (int d = 0; d < deployments.size(); d++) {
      ManifestObject object = deployments.get(d);
      List<String> prefix = new ArrayList<>(List.of("doc" + object.document().index()));
      JsonNode items = object.document().tree().path("items");
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i) == object.tree()) {
          prefix.addAll(List.of("items", Integer.toString(i)));
        }
      }
      for (Change change : hardened.deployments().get(d).changes()) {
        List<String> path = new ArrayList<>(prefix);
        path.addAll(segments(PlannedChange.of(change).path().toString()));
        paths.add(path);
      }
    }
    return paths;
  }

  private static boolean isHardened(List<String> path, List<List<String>> hardened) {
    return hardened.stream()
        .anyMatch(h -> path.size() >= h.size() && path.subList(0, h.size()).equals(h));
  }

  /**
   * FieldPath text as segments: {@code a.b[c.d]} is a, b, c.d (a bracket selects a list element's
   * name or a map key).
   */
  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '[') {
        int close = path.indexOf(']', i);
        if (!current.isEmpty()) {
          out.add(current.toString());
          current.setLength(0);
        }
        out.add(path.substring(i + 1, close));
        i = close;
      } else if (c == '.') {
        if (!current.isEmpty()) {
          out.add(current.toString());
          current.setLength(0);
        }
      } else {
        current.append(c);
      }
    }
    if (!current.isEmpty()) {
      out.add(current.toString());
    }
    return out;
  }

  /**
   * Every scalar and empty collection of every document, by path; lists of named elements by name.
   */
  private static Map<List<String>, Leaf> leaves(String text) {
    Map<List<String>, Leaf> leaves = new LinkedHashMap<>();
    int doc = 0;
    for (Node root : new Yaml().composeAll(new StringReader(text))) {
      if (root != null) {
        collect(
            root, new ArrayList<>(List.of("doc" + doc)), root.getStartMark().getLine() + 1, leaves);
      }
      doc++;
    }
    return leaves;
  }

  private static void collect(
      Node node, List<String> path, int firstLine, Map<List<String>, Leaf> out) {
    int lastLine = node.getEndMark().getLine() + 1;
    if (node instanceof MappingNode map && !map.getValue().isEmpty()) {
      for (NodeTuple tuple : map.getValue()) {
        List<String> child = new ArrayList<>(path);
        child.add(((ScalarNode) tuple.getKeyNode()).getValue());
        collect(tuple.getValueNode(), child, tuple.getKeyNode().getStartMark().getLine() + 1, out);
      }
    } else if (node instanceof SequenceNode seq && !seq.getValue().isEmpty()) {
      List<String> names = seq.getValue().stream().map(HardenRoundTripTest::nameOf).toList();
      boolean named =
          names.stream().allMatch(n -> n != null) && new HashSet<>(names).size() == names.size();
      for (int i = 0; i < seq.getValue().size(); i++) {
        List<String> child = new ArrayList<>(path);
        child.add(named ? names.get(i) : Integer.toString(i));
        Node item = seq.getValue().get(i);
        collect(item, child, item.getStartMark().getLine() + 1, out);
      }
    } else {
      String value =
          node instanceof ScalarNode scalar
              ? scalar.getValue()
              : node instanceof MappingNode ? "{}" : "[]";
      out.put(
          path,
          new Leaf(node.getTag().getValue(), value, firstLine, Math.max(firstLine, lastLine)));
    }
  }

  private static String nameOf(Node item) {
    if (item instanceof MappingNode map) {
      for (NodeTuple tuple : map.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key
            && key.getValue().equals("name")
            && tuple.getValueNode() instanceof ScalarNode value) {
          return value.getValue();
        }
      }
    }
    return null;
  }
}
