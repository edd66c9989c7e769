package io.saferollout.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * One Kubernetes object of the input: a whole document, or one item of a {@code kind: List}.
 *
 * @param tree the object; field paths of findings are relative to it
 * @param line the 1-based line where the object starts in its file
 */
public record ManifestObject(ManifestDocument document, ObjectNode tree, int line) {

  public String kind() {
    return tree.path("kind").asText("");
  }

  public String apiVersion() {
    return tree.path("apiVersion").asText("");
  }

  public String name() {
    return tree.path("metadata").path("name").asText("(unnamed)");
  }

  /** Null when the manifest leaves the namespace to the one it is applied in. */
  public String namespace() {
    JsonNode ns = tree.path("metadata").path("namespace");
    return ns.isTextual() && !ns.asText().isBlank() ? ns.asText() : null;
  }

  public Optional<String> annotation(String key) {
    JsonNode value = tree.path("metadata").path("annotations").path(key);
    return value.isValueNode() ? Optional.of(value.asText()) : Optional.empty();
  }

  public String file() {
    return document.source().name();
  }

  /**
   * The line of a field, in FieldPath syntax; the nearest enclosing field that exists when it is
   * absent.
   */
  public int lineOf(String fieldPath) {
    return document.lines().lineOf(tree, fieldPath, line);
  }

  /** {@code kind/namespace/name}, or {@code kind/name} without a namespace. */
  public String displayName() {
    String ns = namespace();
    return kind() + "/" + (ns == null ? "" : ns + "/") + name();
  }
}
