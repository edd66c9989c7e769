package io.saferollout.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * Who set which field of an object, read from its {@code metadata.managedFields}. A field that is
 * present but owned by no manager was filled in by the API server's defaulting (defaults are not
 * recorded in managedFields, per the server-side apply docs): it is nobody's choice, so hardening
 * may fill it like a missing one. Objects without managedFields (manifest files) give no such
 * knowledge: every present value counts as the user's.
 */
public final class FieldOwnership {
  private final JsonNode tree;
  private final List<JsonNode> fieldSets;

  private FieldOwnership(JsonNode tree, List<JsonNode> fieldSets) {
    this.tree = tree;
    this.fieldSets = fieldSets;
  }

  public static FieldOwnership of(HasMetadata object) {
    ObjectNode tree = ManifestJson.tree(object);
    List<JsonNode> sets = new ArrayList<>();
    for (JsonNode entry : tree.path("metadata").path("managedFields")) {
      // Status writers own status fields only; the spec is what we ask about.
      if (entry.path("subresource").asText("").isEmpty() && entry.path("fieldsV1").isObject()) {
        sets.add(entry.get("fieldsV1"));
      }
    }
    return new FieldOwnership(tree, List.copyOf(sets));
  }

  /** True when the object carries managedFields, so ownership is known. */
  public boolean isRecorded() {
    return !fieldSets.isEmpty();
  }

  /** True when some field manager set this field, a field inside it, or an atomic field around it. */
  public boolean isManaged(FieldPath path) {
    List<String> keys = path.fieldsV1Keys(tree);
    return fieldSets.stream().anyMatch(set -> contains(set, keys));
  }

  /** True when the field holds a value no manager set: the API server defaulted it. */
  public boolean isDefaulted(FieldPath path) {
    return isRecorded() && path.get(tree).isPresent() && !isManaged(path);
  }

  private static boolean contains(JsonNode set, List<String> keys) {
    JsonNode node = set;
    for (String key : keys) {
      if (node.isObject() && node.isEmpty()) {
        return true; // an atomic ancestor, owned as a whole
      }
      node = node.get(key);
      if (node == null) {
        return false;
      }
    }
    return true;
  }
}
