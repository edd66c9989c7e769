package io.saferollout.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestReaderTest {

  private static ManifestFile read(String name, String text) {
    return ManifestReader.read(new ManifestSource(name, null), text);
  }

  @Test
  void multiDocumentYamlKeepsEachDocumentsStartLineAndText() {
    String text =
        """
        # leading comment
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: a
        ---
        # Source: chart/templates/b.yaml
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: b
        --- # trailing comment on the separator
        apiVersion: v1
        kind: Secret
        metadata:
          name: c
        """;
    ManifestFile file = read("bundle.yaml", text);

    assertThat(file.documents()).hasSize(3);
    assertThat(file.objects()).extracting(ManifestObject::name).containsExactly("a", "b", "c");
    assertThat(file.objects()).extracting(ManifestObject::line).containsExactly(2, 8, 13);
    assertThat(file.documents().get(1).leadingComments())
        .isEqualTo("# Source: chart/templates/b.yaml\n");
    // The documents' texts put back together are the file, byte for byte.
    String joined =
        file.documents().stream().map(d -> d.separator() + d.body()).reduce("", String::concat);
    assertThat(joined).isEqualTo(text);
  }

  @Test
  void fieldLinesPointAtTheFieldOrItsNearestExistingParent() {
    String text =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
                - name: sidecar
                  image: proxy
                - name: web
                  image: web
                  ports:
                    - containerPort: 8080
        """;
    ManifestObject web = read("d.yaml", text).objects().get(0);

    assertThat(web.lineOf("spec.template.spec.containers[web]")).isEqualTo(11);
    assertThat(web.lineOf("spec.template.spec.containers[web].ports")).isEqualTo(13);
    // A missing field lands on the container it belongs in: that is where the fix is written.
    assertThat(web.lineOf("spec.template.spec.containers[web].readinessProbe")).isEqualTo(11);
    assertThat(web.lineOf("spec.strategy.rollingUpdate.maxSurge")).isEqualTo(5);
    assertThat(web.lineOf("metadata.annotations[saferollout.io/lint-disable]")).isEqualTo(3);
  }

  @Test
  void kindListItemsAreObjectsWithTheirOwnLines() {
    String text =
        """
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: Service
            metadata:
              name: s
          - apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
        """;
    List<ManifestObject> objects = read("list.yaml", text).objects();

    assertThat(objects)
        .extracting(ManifestObject::displayName)
        .containsExactly("Service/s", "Deployment/d");
    assertThat(objects).extracting(ManifestObject::line).containsExactly(4, 8);
    assertThat(objects.get(1).lineOf("metadata.name")).isEqualTo(11);
  }

  @Test
  void jsonIsReadAsJsonEvenWhenIndentedWithTabs() {
    String text =
        "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Service\",\n\t\"metadata\": {\"name\": \"s\"}\n}\n";
    ManifestObject service = read("s.json", text).objects().get(0);

    assertThat(service.kind()).isEqualTo("Service");
    assertThat(service.lineOf("metadata.name")).isEqualTo(4);
  }

  @Test
  void malformedYamlNamesTheFileAndTheLineOfTheProblem() {
    String text =
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: ok
        ---
        apiVersion: v1
        kind: ConfigMap
        data:
          key: [unclosed
        """;
    assertThatThrownBy(() -> read("bad.yaml", text))
        .isInstanceOf(MalformedManifestException.class)
        .hasMessageStartingWith("bad.yaml:10: not valid YAML")
        .satisfies(e -> assertThat(((MalformedManifestException) e).line()).isEqualTo(10));
  }

  @Test
  void emptyAndCommentOnlyDocumentsAreNotObjectsAndNotStray() {
    ManifestFile file =
        read(
            "e.yaml",
            "---\n# nothing here\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n");

    assertThat(file.objects()).extracting(ManifestObject::kind).containsExactly("Namespace");
    assertThat(file.strayDocuments()).isEmpty();
  }

  @Test
  void aDocumentWithoutKindIsStray() {
    ManifestFile file = read("values.yaml", "replicaCount: 2\nimage: web\n");

    assertThat(file.objects()).isEmpty();
    assertThat(file.strayDocuments()).hasSize(1);
  }
}
