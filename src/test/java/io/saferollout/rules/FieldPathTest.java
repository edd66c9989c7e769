package io.saferollout.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FieldPathTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode tree() throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
        {"spec":{"template":{
          "metadata":{"annotations":{"proxy.istio.io/config":"concurrency: 2"}},
          "spec":{"containers":[{"name":"web","image":"web:1"},{"name":"istio-proxy","image":"istio/proxyv2"}]}}}}
        """);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spec.strategy.rollingUpdate.maxUnavailable",
        "spec.template.spec.containers[web].lifecycle.preStop",
        "spec.template.metadata.annotations[proxy.istio.io/config]",
        "a[b][c].d"
      })
  void printsBackWhatItParsed(String text) {
    assertThat(FieldPath.parse(text).toString()).isEqualTo(text);
    assertThat(FieldPath.parse(text)).isEqualTo(FieldPath.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a..b", "a[", "a[]", "a]b", "a.", ".a", "a[b]c", "a.[b]"})
  void rejectsMalformedPathsSayingWhere(String text) {
    assertThatThrownBy(() -> FieldPath.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "' is malformed at position");
  }

  @Test
  void rejectsEmptyPath() {
    assertThatThrownBy(() -> FieldPath.parse(" ")).hasMessageContaining("field path is empty");
  }

  @Test
  void selectsListElementsByNameAndMapKeysWithDots() throws Exception {
    ObjectNode root = tree();
    assertThat(FieldPath.parse("spec.template.spec.containers[istio-proxy].image").get(root))
        .contains(TextNode.valueOf("istio/proxyv2"));
    assertThat(
            FieldPath.parse("spec.template.metadata.annotations[proxy.istio.io/config]").get(root))
        .contains(TextNode.valueOf("concurrency: 2"));
    assertThat(FieldPath.parse("spec.template.spec.containers[nope].image").get(root)).isEmpty();
    assertThat(FieldPath.parse("spec.replicas").get(root)).isEmpty();
  }

  @Test
  void setCreatesMissingParentsAsMapsOrNamedListElements() throws Exception {
    ObjectNode root = tree();
    FieldPath.parse("spec.template.spec.initContainers[proxy].restartPolicy")
        .set(root, TextNode.valueOf("Always"));
    FieldPath.parse("spec.template.metadata.labels[app.kubernetes.io/name]")
        .set(root, TextNode.valueOf("web"));

    assertThat(root.at("/spec/template/spec/initContainers/0/name").asText()).isEqualTo("proxy");
    assertThat(root.at("/spec/template/spec/initContainers/0/restartPolicy").asText())
        .isEqualTo("Always");
    assertThat(root.at("/spec/template/metadata/labels").isObject()).isTrue();
    assertThat(root.at("/spec/template/metadata/labels").get("app.kubernetes.io/name").asText())
        .isEqualTo("web");
  }

  @Test
  void setReplacesAListElementInPlace() throws Exception {
    ObjectNode root = tree();
    JsonNode replacement = JSON.readTree("{\"name\":\"web\",\"image\":\"web:2\"}");
    FieldPath.parse("spec.template.spec.containers[web]").set(root, replacement);
    assertThat(root.at("/spec/template/spec/containers/0")).isEqualTo(replacement);
    assertThat(root.at("/spec/template/spec/containers").size()).isEqualTo(2);
  }

  @Test
  void removingWhatASetAddedRestoresTheTree() throws Exception {
    ObjectNode root = tree();
    ObjectNode before = root.deepCopy();
    FieldPath deep =
        FieldPath.parse("spec.template.spec.containers[web].lifecycle.preStop.sleep.seconds");
    FieldPath element = FieldPath.parse("spec.template.spec.initContainers[proxy]");
    deep.set(root, IntNode.valueOf(15));
    element.set(root, JSON.readTree("{\"name\":\"proxy\"}"));
    assertThat(root).isNotEqualTo(before);

    element.set(root, null);
    deep.set(root, null);
    assertThat(root).isEqualTo(before);
  }

  @Test
  void removingAnAbsentFieldChangesNothing() throws Exception {
    ObjectNode root = tree();
    FieldPath.parse("spec.template.spec.containers[nope].readinessProbe").set(root, null);
    assertThat(root).isEqualTo(tree());
  }

  @Test
  void readingAFieldOfAListIsRejected() throws Exception {
    assertThatThrownBy(() -> FieldPath.parse("spec.template.spec.containers.image").get(tree()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("select an element by name");
  }

  @Test
  void knowsWhichPathsLieInsideOthers() {
    FieldPath preStop = FieldPath.parse("spec.template.spec.containers[web].lifecycle.preStop");
    assertThat(
            FieldPath.parse("spec.template.spec.containers[web].lifecycle.preStop.sleep.seconds")
                .isWithin(preStop))
        .isTrue();
    assertThat(preStop.isWithin(preStop)).isTrue();
    assertThat(
            FieldPath.parse("spec.template.spec.containers[api].lifecycle.preStop")
                .isWithin(preStop))
        .isFalse();
    assertThat(FieldPath.parse("spec.template.spec.containers[web]").isWithin(preStop)).isFalse();
  }

  @Test
  void buildsPathsFromParts() {
    assertThat(
            FieldPath.parse("spec")
                .field("template")
                .field("metadata")
                .field("annotations")
                .select("proxy.istio.io/config")
                .toString())
        .isEqualTo("spec.template.metadata.annotations[proxy.istio.io/config]");
    assertThatThrownBy(() -> FieldPath.parse("spec").field("a.b"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
