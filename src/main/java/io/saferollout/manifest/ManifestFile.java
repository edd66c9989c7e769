package io.saferollout.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** A file (or standard input) read as a sequence of documents, in order. */
public record ManifestFile(ManifestSource source, String text, List<ManifestDocument> documents) {
  public ManifestFile {
    documents = List.copyOf(documents);
  }

  /**
   * The Kubernetes objects in document order; the items of a {@code kind: List} (what {@code
   * kubectl get -o yaml} prints) count one by one. Documents that are not objects are left out.
   */
  public List<ManifestObject> objects() {
    List<ManifestObject> objects = new ArrayList<>();
    for (ManifestDocument doc : documents) {
      if (!(doc.tree() instanceof ObjectNode tree) || !tree.path("kind").isTextual()) {
        continue;
      }
      if (isList(tree)) {
        JsonNode items = tree.get("items");
        for (int i = 0; i < items.size(); i++) {
          if (items.get(i) instanceof ObjectNode item) {
            objects.add(
                new ManifestObject(doc, item, doc.lines().elementLine(items, i, doc.startLine())));
          }
        }
      } else {
        objects.add(new ManifestObject(doc, tree, doc.startLine()));
      }
    }
    return objects;
  }

  /** Documents whose content is not a Kubernetes object (no kind), to be reported, not ignored. */
  public List<ManifestDocument> strayDocuments() {
    return documents.stream()
        .filter(d -> !d.isEmpty())
        .filter(d -> !(d.tree() instanceof ObjectNode o) || !o.path("kind").isTextual())
        .toList();
  }

  /**
   * {@code kind: List} and the typed lists such as DeploymentList; both hold objects in {@code
   * items}.
   */
  public static boolean isList(JsonNode tree) {
    return tree.path("kind").asText("").endsWith("List") && tree.path("items").isArray();
  }
}
