package io.saferollout.harden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class DocumentEditorTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String editYaml(String text, Consumer<ObjectNode> change) throws Exception {
    return edit(YAML, text, false, change);
  }

  private static String edit(
      ObjectMapper mapper, String text, boolean json, Consumer<ObjectNode> change)
      throws Exception {
    JsonNode before = mapper.readTree(text);
    ObjectNode after = (ObjectNode) before.deepCopy();
    change.accept(after);
    return DocumentEditor.edit(text, json, before, after);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> load(String text) {
    return (Map<String, Object>) new Yaml().load(text);
  }

  @Test
  void newStringsThatReadersWouldTakeForOtherTypesAreQuoted() throws Exception {
    List<String> values =
        List.of(
            "2.10",
            "8080",
            "yes",
            "on",
            "off",
            "y",
            "N",
            "0x1F",
            "1e3",
            "6.02e23",
            "",
            "null",
            "~",
            "2024-01-01",
            "0o17",
            "true",
            "1:20",
            ".inf",
            "- x",
            "a: b",
            "#x",
            "web",
            "/healthz",
            "registry.example.com/shop:2.10.0",
            "25%");
    String text = "metadata:\n  labels:\n    app: web\n";
    String edited =
        editYaml(
            text,
            tree -> {
              ObjectNode labels = (ObjectNode) tree.at("/metadata/labels");
              for (int i = 0; i < values.size(); i++) {
                labels.put("k" + i, values.get(i));
              }
            });
    @SuppressWarnings("unchecked")
    Map<String, Object> labels = (Map<String, Object>) load(edited).get("metadata");
    labels = (Map<String, Object>) labels.get("labels");
    for (int i = 0; i < values.size(); i++) {
      assertThat(labels.get("k" + i))
          .as("k%d", i)
          .isInstanceOf(String.class)
          .isEqualTo(values.get(i));
    }
    assertThat(YAML.readTree(edited).at("/metadata/labels/k0").isTextual()).isTrue();
    assertThat(edited)
        .startsWith(text)
        .contains(
            "    k0: \"2.10\"\n",
            "    k21: web\n",
            "    k22: /healthz\n",
            "    k23: registry.example.com/shop:2.10.0\n",
            "    k24: 25%\n");
  }

  @Test
  void aMultiLineStringIsALiteralBlockInBlockStyleAndQuotedInFlowStyle() throws Exception {
    String config = "holdApplicationUntilProxyStarts: true\nterminationDrainDuration: 25s\n";
    String block =
        editYaml(
            "metadata:\n  annotations:\n    a: b\n",
            tree ->
                ((ObjectNode) tree.at("/metadata/annotations"))
                    .put("proxy.istio.io/config", config));
    assertThat(block)
        .isEqualTo(
            "metadata:\n  annotations:\n    a: b\n    proxy.istio.io/config: |\n"
                + "      holdApplicationUntilProxyStarts: true\n      terminationDrainDuration: 25s\n");
    String flow =
        editYaml(
            "metadata:\n  annotations: {a: b}\n",
            tree ->
                ((ObjectNode) tree.at("/metadata/annotations"))
                    .put("proxy.istio.io/config", config));
    assertThat(flow)
        .isEqualTo(
            "metadata:\n  annotations: {a: b, proxy.istio.io/config: "
                + "\"holdApplicationUntilProxyStarts: true\\nterminationDrainDuration: 25s\\n\"}\n");
    for (String text : List.of(block, flow)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> annotations =
          (Map<String, Object>)
              ((Map<String, Object>) load(text).get("metadata")).get("annotations");
      assertThat(annotations.get("proxy.istio.io/config")).isEqualTo(config);
    }
  }

  @Test
  void aReplacedScalarKeepsItsQuotingAndTheCommentAfterIt() throws Exception {
    String text = "a: '5'\nb: \"x\"   # why b\nc: 25%  # the default\n";
    String edited = editYaml(text, tree -> tree.put("a", "6").put("b", "y").put("c", 0));
    assertThat(edited).isEqualTo("a: '6'\nb: \"y\"   # why b\nc: 0  # the default\n");
  }

  @Test
  void removalsTakeOnlyTheirOwnLines() throws Exception {
    String text =
        """
        containers:
          # the app
          - name: app
            image: app:1
          # the proxy
          - name: proxy # moved
            image: proxy:1
        args: [a, b, c]
        env:
          - name: A
            value: "1"
        """;
    String edited =
        editYaml(
            text,
            tree -> {
              ((ArrayNode) tree.get("containers")).remove(1);
              ((ArrayNode) tree.get("args")).remove(2);
              ((ArrayNode) tree.get("args")).remove(0);
              ((ObjectNode) tree.at("/env/0")).remove("name");
            });
    assertThat(edited)
        .isEqualTo(
            """
        containers:
          # the app
          - name: app
            image: app:1
        args: [b]
        env:
          - value: "1"
        """);
  }

  @Test
  void newListsFollowTheDocumentsListIndentAndNewMapsItsIndentation() throws Exception {
    String kustomize = "spec:\n   containers:\n   - name: app\n     image: app:1\n";
    String edited =
        editYaml(
            kustomize,
            tree ->
                ((ObjectNode) tree.get("spec"))
                    .set(
                        "initContainers",
                        YAML.createArrayNode()
                            .add(
                                YAML.createObjectNode()
                                    .put("name", "proxy")
                                    .put("restartPolicy", "Always"))));
    assertThat(edited)
        .isEqualTo(
            kustomize + "   initContainers:\n   - name: proxy\n     restartPolicy: Always\n");

    String helm = "spec:\n    containers:\n        - name: app\n";
    String nested =
        editYaml(
            helm,
            tree ->
                ((ObjectNode) tree.at("/spec/containers/0"))
                    .set(
                        "lifecycle",
                        YAML.createObjectNode()
                            .set(
                                "preStop",
                                YAML.createObjectNode()
                                    .set("sleep", YAML.createObjectNode().put("seconds", 15)))));
    assertThat(nested)
        .isEqualTo(
            helm
                + "          lifecycle:\n              preStop:\n                  sleep:\n"
                + "                      seconds: 15\n");
  }

  @Test
  void anEmptyFlowMapInABlockDocumentGetsBlockEntries() throws Exception {
    String text = "metadata:\n  annotations: {}\n  labels:\n    app: web\n";
    String edited =
        editYaml(text, tree -> ((ObjectNode) tree.at("/metadata/annotations")).put("a", "1"));
    assertThat(edited)
        .isEqualTo("metadata:\n  annotations:\n    a: \"1\"\n  labels:\n    app: web\n");
  }

  @Test
  void jsonKeepsItsTabsSeparatorsAndInlineObjects() throws Exception {
    String text =
        "{\n\t\"kind\" : \"Deployment\",\n\t\"spec\" : {\n\t\t\"replicas\" : 2,\n\t\t\"selector\" : {\"app\" : \"x\"}\n\t}\n}\n";
    String edited =
        edit(
            JSON,
            text,
            true,
            tree -> {
              ((ObjectNode) tree.get("spec"))
                  .set("strategy", JSON.createObjectNode().put("maxSurge", "25%"));
              ((ObjectNode) tree.at("/spec/selector")).put("tier", "1");
            });
    assertThat(edited)
        .isEqualTo(
            "{\n\t\"kind\" : \"Deployment\",\n\t\"spec\" : {\n\t\t\"replicas\" : 2,\n"
                + "\t\t\"selector\" : {\"app\" : \"x\", \"tier\" : \"1\"},\n\t\t\"strategy\" : {\n\t\t\t\"maxSurge\" : \"25%\"\n\t\t}\n\t}\n}\n");
    assertThat(JSON.readTree(edited).at("/spec/selector/tier").asText()).isEqualTo("1");
  }

  @Test
  void aFieldAddedAfterABlockScalarLandsAfterItsContent() throws Exception {
    String clip = "data:\n  script: |\n    echo hi\n\n# next\nkind: x\n";
    assertThat(editYaml(clip, tree -> ((ObjectNode) tree.get("data")).put("b", "c")))
        .isEqualTo("data:\n  script: |\n    echo hi\n  b: c\n\n# next\nkind: x\n");
    String keep = "data:\n  script: |+\n    echo hi\n\nkind: x\n";
    String edited = editYaml(keep, tree -> ((ObjectNode) tree.get("data")).put("b", "c"));
    assertThat(edited).isEqualTo("data:\n  script: |+\n    echo hi\n\n  b: c\nkind: x\n");
    assertThat(YAML.readTree(edited).at("/data/script").asText()).isEqualTo("echo hi\n\n");
  }

  @Test
  void lineEndingsAndAMissingFinalLineBreakAreKept() throws Exception {
    assertThat(editYaml("a:\n  b: 1", tree -> ((ObjectNode) tree.get("a")).put("c", 2)))
        .isEqualTo("a:\n  b: 1\n  c: 2");
    assertThat(editYaml("a:\r\n  b: 1\r\n", tree -> ((ObjectNode) tree.get("a")).put("c", 2)))
        .isEqualTo("a:\r\n  b: 1\r\n  c: 2\r\n");
  }

  @Test
  void textBeyondTheBasicPlaneDoesNotShiftTheEdits() throws Exception {
    String text = "# rocket: \uD83D\uDE80 \uD83D\uDE80\na:\n  b: \"\uD83D\uDE80\"\n  c: 1\n";
    assertThat(editYaml(text, tree -> ((ObjectNode) tree.get("a")).put("c", 2)))
        .isEqualTo("# rocket: \uD83D\uDE80 \uD83D\uDE80\na:\n  b: \"\uD83D\uDE80\"\n  c: 2\n");
  }

  @Test
  void aFieldReachedThroughAnAliasIsNotEditedAndTheMessageSaysWhy() {
    String text = "base: &probe\n  port: 80\nprobe: *probe\n";
    assertThatThrownBy(
            () ->
                editYaml(text, tree -> tree.set("probe", YAML.createObjectNode().put("port", 81))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("YAML alias");
  }

  @Test
  void aContainerMovedToInitContainersKeepsItsLinesCommentsAndQuoting() throws Exception {
    String text =
        """
        spec:
          containers:
            - name: app
              image: app:1
            # the database proxy, a sidecar
            - name: proxy   # the database proxy
              # pinned: 2.11 breaks on IPv6
              image: "proxy:2.10"
              args: ["--port", "5432"]
        """;
    String edited =
        editYaml(
            text,
            tree -> {
              ObjectNode spec = (ObjectNode) tree.get("spec");
              ObjectNode proxy = (ObjectNode) ((ArrayNode) spec.get("containers")).remove(1);
              spec.set(
                  "initContainers",
                  YAML.createArrayNode().add(proxy.put("restartPolicy", "Always")));
            });
    assertThat(edited)
        .isEqualTo(
            """
        spec:
          containers:
            - name: app
              image: app:1
          initContainers:
            # the database proxy, a sidecar
            - name: proxy   # the database proxy
              # pinned: 2.11 breaks on IPv6
              image: "proxy:2.10"
              args: ["--port", "5432"]
              restartPolicy: Always
        """);
  }

  @Test
  void aNullValueIsReplacedByTheNewFieldsInBlockStyle() throws Exception {
    String text = "spec:\n  lifecycle:   # filled in later\n  image: x\n";
    String edited =
        editYaml(
            text,
            tree ->
                ((ObjectNode) tree.get("spec"))
                    .set(
                        "lifecycle",
                        YAML.createObjectNode()
                            .set("preStop", YAML.createObjectNode().put("seconds", 15))));
    assertThat(edited)
        .isEqualTo("spec:\n  lifecycle:\n    preStop:\n      seconds: 15\n  image: x\n");
  }

  @Test
  void jsonReadAsYamlStaysJsonAndNumbersKeepTheirType() throws Exception {
    String text = "{\"spec\": {\"replicas\": 2}}\n";
    String edited =
        editYaml(
            text,
            tree -> ((ObjectNode) tree.get("spec")).put("ratio", 1.0e10).put("minReadySeconds", 5));
    assertThat(edited)
        .isEqualTo(
            "{\"spec\": {\"replicas\": 2, \"ratio\": 10000000000.0, \"minReadySeconds\": 5}}\n");
    assertThat(JSON.readTree(edited).at("/spec/ratio").isFloatingPointNumber()).isTrue();
  }
}
